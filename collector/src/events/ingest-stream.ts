// The streaming use case shared by NDJSON over HTTP and gRPC client streams: a sequence of items
// (one event each, numbered by its line or message) goes through the same collect core as
// POST /api/v1/events, in chunks. At most `maxInFlight` chunks wait for Kafka's acknowledgement;
// while they do, the source is not read (back-pressure reaches the client through TCP or HTTP/2
// flow control instead of growing memory). Pure: no HTTP, no gRPC, no Kafka here.
import type { FieldError, IncomingEvent } from '#contract';
import type { Assignment, CollectFn, CollectOutcome } from './collect-events.ts';
import type { IndexedError, PayloadRules } from './parse-payload.ts';

/** One item of a stream: a parsed value to validate, or a line that could not be parsed at all. */
export type StreamItem = { line: number; value: unknown } | { line: number; error: FieldError };

/** A refused item: its line (NDJSON, 1-based) or message number (gRPC, 1-based), the field relative to the event. */
export interface StreamError {
  line: number;
  field: string;
  message: string;
}

/**
 * The answer of a stream. `last_acked_line`: every line up to it was either acknowledged by Kafka
 * or refused (and is listed in `rejected`), so a client resumes with the line after it; 0 when
 * nothing was. `errors` holds the first `maxErrors` refusals, `rejected` counts all of them.
 */
export interface StreamSummary {
  accepted: number;
  rejected: number;
  errors: StreamError[];
  last_acked_line: number;
}

export type StreamOutcome =
  | { status: 'complete'; summary: StreamSummary }
  /** Kafka (or the visitor salt's database) could not take a chunk: reading stopped; retry from last_acked_line + 1. */
  | { status: 'unavailable'; reason: Extract<CollectOutcome, { status: 'unavailable' }>['reason']; summary: StreamSummary }
  /** More than `maxEvents` items: reading stopped at the first one over. */
  | { status: 'too_many_events'; limit: number; summary: StreamSummary }
  /** The source failed (a line too long, the client went away, an idle timeout): reading stopped. */
  | { status: 'source_failed'; error: unknown; summary: StreamSummary };

export interface StreamOptions<E extends IncomingEvent> {
  collect: CollectFn;
  rules: PayloadRules<E>;
  assign: (event: E) => Assignment;
  /** Items per collect call (at most rules.maxBatch). */
  chunkSize: number;
  /** A partial chunk is sent after this many ms without it filling, so a slow stream's events reach Kafka promptly. */
  lingerMs: number;
  /** Chunks awaiting Kafka at once before reading pauses. */
  maxInFlight: number;
  /** Items (lines or messages) one stream may carry. */
  maxEvents: number;
  /** Refusals listed in the summary (all are counted). */
  maxErrors: number;
  /** Told as each chunk is answered (events acknowledged, items refused), so metrics move while a long stream runs. */
  onAnswered?: (accepted: number, rejected: number) => void;
}

interface Chunk {
  lines: number[];
  values: unknown[];
  /** Lines refused before collect (not JSON, not UTF-8), answered with the chunk. */
  refused: { line: number; error: FieldError }[];
  /** The highest line this chunk answers for. */
  lastLine: number;
  done: boolean;
  /** Its refusals (at most maxErrors), listed in the summary when the chunk's turn comes in line order. */
  errors: StreamError[];
}

/** Reads `source` to its end (or the first failure) and answers once every chunk was acknowledged or refused. */
export async function ingestStream<E extends IncomingEvent>(source: AsyncIterable<StreamItem>, options: StreamOptions<E>): Promise<StreamOutcome> {
  const summary: StreamSummary = { accepted: 0, rejected: 0, errors: [], last_acked_line: 0 };
  /** Chunks not yet answered, and answered ones behind an unanswered one, in line order. */
  const chunks: Chunk[] = [];
  const inFlight = new Set<Promise<void>>();
  let current = newChunk(0);
  let items = 0;
  let stop: StreamOutcome | undefined;

  // One refused item: counted at once; its field errors kept with its chunk.
  const refuse = (chunk: Chunk, line: number, errors: readonly FieldError[]) => {
    summary.rejected += 1;
    for (const e of errors) if (chunk.errors.length < options.maxErrors) chunk.errors.push({ line, field: e.field, message: e.message });
  };
  // Chunks are answered in any order (an all-invalid one at once, one before it still awaiting
  // Kafka): refusals are listed chunk by chunk in line order, so `errors` holds the first ones.
  const list = (chunk: Chunk) => {
    chunk.errors.sort((a, b) => a.line - b.line);
    for (const e of chunk.errors) {
      if (summary.errors.length >= options.maxErrors) break;
      summary.errors.push(e);
    }
    chunk.errors = [];
  };

  const finish = (chunk: Chunk, errors: readonly IndexedError[], allRefused: boolean, accepted: number) => {
    const rejectedBefore = summary.rejected;
    summary.accepted += accepted;
    for (const r of chunk.refused) refuse(chunk, r.line, [r.error]);
    const byIndex = new Map<number, FieldError[]>();
    for (const e of errors) {
      const index = e.index ?? 0;
      const list = byIndex.get(index) ?? [];
      list.push({ field: relativeField(e.field, index), message: e.message });
      byIndex.set(index, list);
    }
    chunk.lines.forEach((line, i) => {
      const errs = byIndex.get(i);
      if (errs !== undefined) refuse(chunk, line, errs);
      else if (allRefused) refuse(chunk, line, [{ field: '/', message: 'refused with the rest of its chunk' }]);
    });
    options.onAnswered?.(accepted, summary.rejected - rejectedBefore);
    chunk.done = true;
    // Answered: its events are Kafka's now. A long stream must not hold every event it carried
    // until its end (a 1M-line stream would keep gigabytes), so only unanswered chunks are kept.
    chunk.lines = [];
    chunk.values = [];
    chunk.refused = [];
    while (chunks.length > 0 && chunks[0]!.done) {
      const answered = chunks.shift()!;
      list(answered);
      summary.last_acked_line = answered.lastLine;
    }
  };

  let linger: LingerTimer | undefined;
  const cut = () => {
    linger?.cancel();
    linger = undefined;
    if (current.values.length === 0 && current.refused.length === 0) return;
    const chunk = current;
    current = newChunk(chunk.lastLine);
    chunks.push(chunk);
    if (chunk.values.length === 0) return finish(chunk, [], false, 0);
    // At the collector's in-flight bound a chunk waits for room rather than failing the stream;
    // reading waits with it (maxInFlight), so the client is slowed by flow control.
    const task = options.collect({ body: chunk.values, rules: options.rules, assign: options.assign, whenFull: 'wait' }).then((outcome) => {
      if (outcome.status === 'unavailable') {
        stop ??= { status: 'unavailable', reason: outcome.reason, summary };
        return;
      }
      const accepted = outcome.status !== 'accepted' ? 0 : outcome.kind === 'single' ? 1 : outcome.eventIds.length;
      const errors = outcome.status === 'invalid' ? outcome.errors : outcome.kind === 'batch' ? outcome.errors : [];
      finish(chunk, errors, outcome.status === 'invalid', accepted);
    });
    // The parsed values are collect's now (it keeps them only until their records are made): the
    // chunk keeps its line numbers for the answer, not the events, while Kafka is awaited.
    chunk.values = [];
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  };

  const iterator = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<StreamItem>> | undefined;
  try {
    for (;;) {
      // Back-pressure: the next item is read only when fewer than maxInFlight chunks wait.
      while (stop === undefined && inFlight.size >= options.maxInFlight) await Promise.race(inFlight);
      if (stop !== undefined) break;
      pending ??= iterator.next();
      // A partial chunk waits at most lingerMs for more items: one timer per chunk, not per item.
      if (current.values.length > 0) linger ??= lingerTimer(options.lingerMs);
      const next = linger === undefined ? await pending : await Promise.race([pending, linger.fired]);
      if (next === 'linger') {
        cut();
        continue;
      }
      pending = undefined;
      if (next.done === true) break;
      const item = next.value;
      items += 1;
      if (items > options.maxEvents) {
        stop = { status: 'too_many_events', limit: options.maxEvents, summary };
        break;
      }
      current.lastLine = item.line;
      if ('error' in item) current.refused.push(item);
      else {
        current.lines.push(item.line);
        current.values.push(item.value);
        if (current.values.length >= options.chunkSize) cut();
      }
    }
  } catch (error) {
    stop ??= { status: 'source_failed', error, summary };
  }
  linger?.cancel();
  // Stopping early (a limit, an outage, a failure): the source learns that no more is read.
  if (stop !== undefined) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  // What was read before the stop is still answered (a limit or a failed source does not undo it);
  // after an outage nothing more is sent.
  if (stop?.status !== 'unavailable') cut();
  while (inFlight.size > 0) await Promise.all(inFlight);
  // After an outage, chunks answered behind the one Kafka did not take: their refusals still count.
  for (const chunk of chunks) if (chunk.done) list(chunk);
  return stop ?? { status: 'complete', summary };
}

function newChunk(after: number): Chunk {
  return { lines: [], values: [], refused: [], lastLine: after, done: false, errors: [] };
}

interface LingerTimer {
  fired: Promise<'linger'>;
  cancel: () => void;
}

function lingerTimer(ms: number): LingerTimer {
  let timer: NodeJS.Timeout | undefined;
  const fired = new Promise<'linger'>((resolve) => (timer = setTimeout(() => resolve('linger'), ms)));
  return { fired, cancel: () => clearTimeout(timer) };
}

/** collect's error fields name the item's index in the chunk (`/3/page_url`); the summary's are relative to the event. */
function relativeField(field: string, index: number): string {
  const prefix = `/${index}`;
  if (field === prefix) return '/';
  return field.startsWith(`${prefix}/`) ? field.slice(prefix.length) : field;
}
