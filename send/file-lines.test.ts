// File lines as the collector numbers them, whatever the read chunks' boundaries.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { fileLines, isGzipFile, skipLines } from './file-lines.ts';

/** `text` cut into chunks of `size` bytes. */
function* chunks(text: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < text.length; i += size) yield text.subarray(i, i + size);
}

const FILE = Buffer.from('{"a":1}\r\n\n{"b":"é"}\n{"c":3}', 'utf8');

test('lines numbered from 1, CR of CRLF dropped, blank lines kept, last line without newline; any chunking', async () => {
  for (const size of [1, 2, 3, 7, 1000]) {
    const got = [];
    for await (const l of fileLines(chunks(FILE, size) as unknown as AsyncIterable<Buffer>)) got.push([l.line, l.bytes.toString('utf8')]);
    assert.deepEqual(got, [[1, '{"a":1}'], [2, ''], [3, '{"b":"é"}'], [4, '{"c":3}']], `chunks of ${size}`);
  }
});

test('from line N: earlier lines are counted, not yielded; bytes are never decoded', async () => {
  const raw = Buffer.concat([Buffer.from('x\ny\n'), Buffer.from([0xff, 0xfe]), Buffer.from('\nz\n')]);
  const got = [];
  for await (const l of fileLines(chunks(raw, 2) as unknown as AsyncIterable<Buffer>, 3)) got.push([l.line, [...l.bytes]]);
  assert.deepEqual(got, [[3, [0xff, 0xfe]], [4, [0x7a]]]);
});

test('skipLines: the bytes from line N on, exactly; past the end nothing', async () => {
  for (const size of [1, 4, 1000]) {
    assert.equal((await buffer(Readable.from(chunks(FILE, size)).pipe(skipLines(1)))).toString(), FILE.toString());
    assert.equal((await buffer(Readable.from(chunks(FILE, size)).pipe(skipLines(3)))).toString(), '{"b":"é"}\n{"c":3}');
    assert.equal((await buffer(Readable.from(chunks(FILE, size)).pipe(skipLines(9)))).length, 0);
  }
});

test('isGzipFile: gzip magic bytes at the start, not text, not a missing file', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'send-gzip-'));
  try {
    const text = '{"event_type":"a"}\n';
    await writeFile(path.join(dir, 'a.ndjson'), text);
    await writeFile(path.join(dir, 'a.ndjson.gz'), gzipSync(text));
    await writeFile(path.join(dir, 'one'), Buffer.from([0x1f]));
    assert.equal(await isGzipFile(path.join(dir, 'a.ndjson.gz')), true);
    assert.equal(await isGzipFile(path.join(dir, 'a.ndjson')), false);
    assert.equal(await isGzipFile(path.join(dir, 'one')), false);
    assert.equal(await isGzipFile(path.join(dir, 'missing')), false);
    // A named pipe is never peeked at: its first bytes would be gone for the send.
    const fifo = path.join(dir, 'fifo');
    await promisify(execFile)('mkfifo', [fifo]);
    assert.equal(await isGzipFile(fifo), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
