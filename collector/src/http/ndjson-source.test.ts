// The NDJSON source over in-memory streams: how bytes become numbered lines (split anywhere,
// gzip), and how it stops (a line too long, silence, a cut body, corrupt gzip).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import type { StreamItem } from '../events/ingest-stream.ts';
import { NdjsonSource, NdjsonSourceError, type SourceStop } from './ndjson-source.ts';

/** A request body stand-in. */
const body = () => new PassThrough();

const OPTIONS = { gzip: false, maxLineBytes: 1024, idleTimeoutMs: 5000, maxLines: 1000 };

/** Reads the source to its end or stop: the items, and the stop when there was one. */
async function drain(source: NdjsonSource, onItem: (item: StreamItem) => Promise<void> | void = () => undefined): Promise<{ items: StreamItem[]; stop?: SourceStop }> {
  const items: StreamItem[] = [];
  try {
    for await (const item of source) {
      items.push(item);
      await onItem(item);
    }
    return { items };
  } catch (error) {
    assert.ok(error instanceof NdjsonSourceError, String(error));
    return { items, stop: error.stop };
  }
}

test('bytes split anywhere (inside a multi-byte character, between CR and LF) become the same numbered lines', async () => {
  const text = Buffer.from('{"t":"é🎉"}\r\n\n{"n":2}\r\n{"n":3}');
  const b = body();
  const done = drain(new NdjsonSource(b, OPTIONS));
  for (const byte of text) b.write(Buffer.from([byte]));
  b.end();
  const { items, stop } = await done;
  assert.equal(stop, undefined);
  assert.deepEqual(items, [
    { line: 1, value: { t: 'é🎉' } },
    { line: 3, value: { n: 2 } },
    { line: 4, value: { n: 3 } },
  ]);
});

test('gzip is decompressed as it arrives', async () => {
  const b = body();
  const done = drain(new NdjsonSource(b, { ...OPTIONS, gzip: true }));
  const zipped = gzipSync('{"n":1}\n{"n":2}\n');
  b.write(zipped.subarray(0, 10));
  b.end(zipped.subarray(10));
  assert.deepEqual((await done).items.map((i) => i.line), [1, 2]);
});

test('corrupt gzip stops the source as invalid_gzip', async () => {
  const b = body();
  const done = drain(new NdjsonSource(b, { ...OPTIONS, gzip: true }));
  b.end(Buffer.from('{"n":1}\n'));
  assert.equal((await done).stop?.kind, 'invalid_gzip');
});

test('a gzip body read as plain text (no Content-Encoding) stops at line 1 as gzip_without_encoding', async () => {
  const b = body();
  const done = drain(new NdjsonSource(b, OPTIONS));
  b.end(gzipSync('{"n":1}\n{"n":2}\n'));
  const { items, stop } = await done;
  assert.deepEqual(items, []);
  assert.equal(stop?.kind, 'gzip_without_encoding');
});

test('a line over maxLineBytes stops the source at its number, whole or still arriving; the lines before it are read first', async () => {
  for (const arriving of [false, true]) {
    const b = body();
    const done = drain(new NdjsonSource(b, OPTIONS));
    const long = `{"pad":"${'x'.repeat(2000)}"}`;
    const before = '{"n":1}\n\n{"n":3}\n';
    if (arriving) b.write(before + long.slice(0, 1500)); // no newline yet: split2's own limit
    else b.end(`${before}${long}\n{"n":5}\n`);
    const { items, stop } = await done;
    assert.deepEqual(items.map((i) => i.line), [1, 3], `arriving=${arriving}`);
    assert.deepEqual(stop, { kind: 'line_too_long', line: 4, limitBytes: 1024 }, `arriving=${arriving}`);
  }
});

test('a line of exactly maxLineBytes passes (its CR not counted)', async () => {
  const b = body();
  const done = drain(new NdjsonSource(b, { ...OPTIONS, maxLineBytes: 1024 }));
  const line = `{"p":"${'x'.repeat(1024 - 8)}"}`;
  assert.equal(Buffer.byteLength(line), 1024);
  b.end(`${line}\r\n`);
  const { items, stop } = await done;
  assert.equal(stop, undefined);
  assert.equal(items.length, 1);
});

test('silence while a line is awaited stops the source; a slow reader (back-pressure) or bytes of an unfinished line do not', async () => {
  const silent = body();
  const done = drain(new NdjsonSource(silent, { ...OPTIONS, idleTimeoutMs: 150 }));
  silent.write('{"n":1}\n');
  assert.deepEqual(await done, { items: [{ line: 1, value: { n: 1 } }], stop: { kind: 'idle', ms: 150 } });

  const slow = body();
  slow.end('{"n":1}\n{"n":2}\n');
  const read = await drain(new NdjsonSource(slow, { ...OPTIONS, idleTimeoutMs: 100 }), () => sleep(250));
  assert.deepEqual([read.items.length, read.stop], [2, undefined]);

  const trickle = body();
  const trickled = drain(new NdjsonSource(trickle, { ...OPTIONS, idleTimeoutMs: 150 }));
  for (const c of '{"n":1}') {
    trickle.write(c);
    await sleep(60);
  }
  trickle.end('\n');
  assert.deepEqual(await trickled, { items: [{ line: 1, value: { n: 1 } }] });
});

test('a body cut before its end stops the source as aborted; the lines that arrived are read', async () => {
  const b = body();
  const done = drain(new NdjsonSource(b, OPTIONS));
  b.write('{"n":1}\n{"n":');
  await sleep(20);
  b.destroy();
  assert.deepEqual(await done, { items: [{ line: 1, value: { n: 1 } }], stop: { kind: 'aborted' } });

  const gone = body();
  gone.destroy();
  assert.deepEqual(await drain(new NdjsonSource(gone, OPTIONS)), { items: [], stop: { kind: 'aborted' } }, 'gone before the first read');
});

test('blank lines count toward the line limit: a gzip of nothing but newlines is stopped, not read to its end', async () => {
  const b = body();
  const done = drain(new NdjsonSource(b, { ...OPTIONS, gzip: true, maxLines: 100 }));
  b.end(gzipSync('\n'.repeat(10_000_000)));
  const { items, stop } = await done;
  assert.deepEqual(items, []);
  assert.deepEqual(stop, { kind: 'too_many_lines', limit: 100 });
});
