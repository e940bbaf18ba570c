// Reading an NDJSON file as the collector numbers it, without ever holding the whole file: lines
// end at "\n" (a "\r" before it belongs to the ending), counted from 1.
//
// Lines are handed out as bytes, not text: split2 and node:readline decode as they split, which
// turns bytes that are not UTF-8 into U+FFFD (an altered event instead of a refused line), and
// readline also ends a line at a lone "\r", which would number lines unlike the collector.
import { open, stat } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';

export interface FileLine {
  /** The line's number in the file, from 1. */
  line: number;
  /** Its bytes without the line ending. */
  bytes: Buffer;
}

const LF = 0x0a;
const CR = 0x0d;

function withoutCr(bytes: Buffer): Buffer {
  return bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.subarray(0, bytes.length - 1) : bytes;
}

/**
 * The lines of `chunks` (a file's read stream) from line `fromLine` on. A last line without a
 * trailing newline is a line too; the empty text after a final newline is not.
 */
export async function* fileLines(chunks: AsyncIterable<Buffer>, fromLine = 1): AsyncGenerator<FileLine> {
  let line = 1;
  let carry: Buffer[] = [];
  for await (const chunk of chunks) {
    let start = 0;
    for (let end = chunk.indexOf(LF); end !== -1; end = chunk.indexOf(LF, start)) {
      if (line >= fromLine) {
        const part = chunk.subarray(start, end);
        const bytes = carry.length === 0 ? part : Buffer.concat([...carry, part]);
        yield { line, bytes: withoutCr(bytes) };
      }
      carry = [];
      line += 1;
      start = end + 1;
    }
    // Lines before fromLine are only counted, never kept.
    if (start < chunk.length && line >= fromLine) carry.push(chunk.subarray(start));
  }
  if (carry.length > 0) yield { line, bytes: withoutCr(Buffer.concat(carry)) };
}

/**
 * Passes a byte stream through from the start of line `fromLine` on, bytes untouched (the HTTP
 * transport sends the file as it is, so the collector's line L is the file's line fromLine + L - 1).
 */
export function skipLines(fromLine: number): Transform {
  let toSkip = fromLine - 1;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      let start = 0;
      while (toSkip > 0) {
        const end = chunk.indexOf(LF, start);
        if (end === -1) return callback();
        toSkip -= 1;
        start = end + 1;
      }
      callback(null, start === 0 ? chunk : chunk.subarray(start));
    },
  });
}

/**
 * True when the regular file `file` starts with gzip's magic bytes (1f 8b): no NDJSON text starts
 * so. False when it cannot be read (the send reports that) and for a pipe or a device, whose first
 * bytes a peek would consume (`send --http <(zcat events.ndjson.gz)` must still send them).
 */
export async function isGzipFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    const handle = await open(file, 'r');
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
      return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}
