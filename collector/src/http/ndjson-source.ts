// An NDJSON request body as the streaming core's source (events/ingest-stream.ts): decompressed
// (gzip) and split into lines as it arrives, never buffered whole, read only as fast as the core
// asks (so back-pressure reaches the client through TCP). Each line is parsed by ndjson-line.ts.
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import split2 from 'split2';
import type { StreamItem } from '../events/ingest-stream.ts';
import { parseNdjsonLine } from './ndjson-line.ts';

/** gzip's first two bytes, as the latin1 characters the splitter hands out. */
const GZIP_MAGIC = '\x1f\x8b';

/** Why a body stopped before its end; ingestStream answers it as `source_failed`. */
export type SourceStop =
  | { kind: 'line_too_long'; line: number; limitBytes: number }
  | { kind: 'idle'; ms: number }
  | { kind: 'too_many_lines'; limit: number }
  | { kind: 'aborted' }
  | { kind: 'invalid_gzip'; message: string }
  /** Line 1 starts with gzip's magic bytes (1f 8b) while the request said no Content-Encoding. */
  | { kind: 'gzip_without_encoding' };

export class NdjsonSourceError extends Error {
  override name = 'NdjsonSourceError';
  constructor(readonly stop: SourceStop) {
    super(stop.kind);
  }
}

export interface NdjsonSourceOptions {
  gzip: boolean;
  /** Longest line in bytes (after decompression), its "\n" not counted. */
  maxLineBytes: number;
  /** The client sending nothing for this long while a line is awaited stops the stream (ms). */
  idleTimeoutMs: number;
  /**
   * Lines one body may hold, blank ones included (STREAM_MAX_EVENTS): blank lines carry no event,
   * but a body of nothing else (a small gzip of a gigabyte of newlines) must not hold the stream.
   */
  maxLines: number;
}

/** The body's lines as stream items; `line` is the last line read. */
export class NdjsonSource implements AsyncIterable<StreamItem> {
  line = 0;

  constructor(
    private readonly body: Readable,
    private readonly options: NdjsonSourceOptions,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<StreamItem> {
    const { body, options } = this;
    // split2 decodes its input as UTF-8 itself, which would turn invalid bytes into U+FFFD. Fed
    // latin1 strings instead (one character per byte), it splits on the byte 0x0A (never part of
    // a multi-byte UTF-8 sequence), its maxLength counts bytes, and every line's bytes are
    // recovered exactly for ndjson-line.ts to validate.
    const lines = split2({ maxLength: options.maxLineBytes, decodeStrings: false });
    const gunzip = options.gzip ? zlib.createGunzip() : undefined;
    const bytes: Readable = gunzip ?? body;
    let stop: SourceStop | undefined;
    let linesEnded = false;
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const fail = (s: SourceStop) => {
      stop ??= s;
      notify();
    };
    const onBodyError = () => fail({ kind: 'aborted' });
    // Closed before its end: the rest will never come (a client that went away mid-stream).
    const onBodyClose = () => {
      if (!body.readableEnded) fail({ kind: 'aborted' });
    };
    body.on('error', onBodyError);
    body.on('close', onBodyClose);
    if (body.destroyed) onBodyClose(); // went away before the route got to read it
    gunzip?.on('error', (error) => fail({ kind: 'invalid_gzip', message: error.message }));
    lines.on('error', () => fail({ kind: 'line_too_long', line: this.line + 1, limitBytes: options.maxLineBytes }));
    lines.on('readable', notify);
    lines.on('end', () => {
      linesEnded = true;
      notify();
    });
    bytes.setEncoding('latin1');
    if (gunzip !== undefined) body.pipe(gunzip);
    bytes.pipe(lines);
    // Bytes of an unfinished line count as activity for the idle timeout too (attached after the
    // pipes: a 'data' listener alone would start the flow).
    body.on('data', notify);
    try {
      for (;;) {
        // Lines split before a failure are still read (and answered) before it is reported.
        const raw = lines.read() as string | null;
        if (raw !== null) {
          this.line += 1;
          if (this.line > options.maxLines) throw new NdjsonSourceError({ kind: 'too_many_lines', limit: options.maxLines });
          // split2 errors only when an unfinished line outgrows maxLength; a longer line that
          // arrived whole is caught here.
          if (raw.length > options.maxLineBytes + (raw.endsWith('\r') ? 1 : 0)) {
            throw new NdjsonSourceError({ kind: 'line_too_long', line: this.line, limitBytes: options.maxLineBytes });
          }
          // No JSON line starts with the control byte 1f: this is a gzip body sent as plain text,
          // which would otherwise be refused line by line as garbage.
          if (this.line === 1 && !options.gzip && raw.startsWith(GZIP_MAGIC)) throw new NdjsonSourceError({ kind: 'gzip_without_encoding' });
          const item = parseNdjsonLine(raw, this.line);
          if (item !== undefined) yield item;
          continue;
        }
        if (stop !== undefined) throw new NdjsonSourceError(stop.kind === 'line_too_long' ? { ...stop, line: this.line + 1 } : stop);
        if (linesEnded) return;
        await this.next(options.idleTimeoutMs, (w) => (wake = w), fail);
      }
    } finally {
      // Done or stopped early: stop reading. The request itself stays open so that the answer can
      // still be written on its socket (routes/stream-events.ts closes the connection after it when the body was not read to its end).
      if (gunzip !== undefined) body.unpipe(gunzip);
      else body.unpipe(lines);
      gunzip?.destroy();
      lines.destroy();
      body.off('close', onBodyClose);
      body.off('data', notify);
      // A late socket error must not become an unhandled 'error' event.
      body.off('error', onBodyError);
      body.on('error', () => undefined);
    }
  }

  /** Waits for the next wake-up; the client sending nothing for ms is a stop. */
  private async next(ms: number, setWake: (w: () => void) => void, fail: (s: SourceStop) => void): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve) => {
        setWake(resolve);
        timer = setTimeout(() => fail({ kind: 'idle', ms }), ms);
      });
    } finally {
      clearTimeout(timer);
    }
  }
}
