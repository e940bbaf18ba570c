// The collector answers in its own numbering (the HTTP body's lines, the gRPC stream's messages,
// each from 1); the client speaks of file lines. Pure.

/** A refused line: its file line, the field (JSON Pointer within the event) and why. */
export interface SendError {
  line: number;
  field: string;
  message: string;
}

/** The collector's summary (NDJSON and gRPC answer the same shape), in file lines once mapped. */
export interface SendSummary {
  accepted: number;
  rejected: number;
  errors: SendError[];
  /** Every line up to it was stored or refused: resume with the line after it. */
  last_acked_line: number;
}

/** How many errors the collector lists (it counts all of them in `rejected`). */
export const MAX_LISTED_ERRORS = 100;

/**
 * Positions of a gRPC stream -> file lines. Lines not sent (blank, refused by the client) shift
 * the numbering; only those shifts are kept, so memory grows with them, not with the file.
 */
export class LineMap {
  /** [position, file line of that position], each a shift's start, ascending. */
  private readonly shifts: [number, number][] = [];
  private sent = 0;
  private lastLine: number;

  /** `fromLine`: the file line the stream starts at. */
  constructor(fromLine: number) {
    this.lastLine = fromLine - 1;
  }

  /** The next message sent is file line `line`; returns its position. */
  sentLine(line: number): number {
    this.sent += 1;
    const last = this.shifts[this.shifts.length - 1];
    if (last === undefined || line - this.sent !== last[1] - last[0]) this.shifts.push([this.sent, line]);
    this.lastLine = line;
    return this.sent;
  }

  /** A line read and not sent (blank, or refused here). */
  passedLine(line: number): void {
    this.lastLine = line;
  }

  /** The file line of stream position `position` (1-based). */
  fileLine(position: number): number {
    let lo = 0;
    let hi = this.shifts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.shifts[mid]![0] <= position) lo = mid;
      else hi = mid - 1;
    }
    const [start, line] = this.shifts[lo]!;
    return line + position - start;
  }

  /**
   * The file line up to which everything is answered when the collector acknowledged positions
   * 1..`position`: the line before the next message sent (lines between them were not sent), or
   * the last line read when every message was acknowledged.
   */
  ackedThrough(position: number): number {
    return position >= this.sent ? this.lastLine : this.fileLine(position + 1) - 1;
  }
}

/** The collector's summary of a body sent from file line `fromLine`: its lines shifted to file lines. */
export function shiftSummary(summary: SendSummary, fromLine: number): SendSummary {
  const offset = fromLine - 1;
  return {
    accepted: summary.accepted,
    rejected: summary.rejected,
    errors: summary.errors.map((e) => ({ ...e, line: e.line + offset })),
    last_acked_line: summary.last_acked_line + offset,
  };
}

/**
 * The collector's summary of a gRPC stream joined with the lines the client refused itself: errors
 * in file order, the first MAX_LISTED_ERRORS of all of them. When the collector's own list was cut
 * at its limit, errors past its last listed one are dropped too, so the list stays a true prefix.
 */
export function joinSummary(server: SendSummary, map: LineMap, local: readonly SendError[], localRejected: number): SendSummary {
  const fromServer = server.errors.map((e) => ({ ...e, line: map.fileLine(e.line) }));
  let errors = [...fromServer, ...local].sort((a, b) => a.line - b.line);
  if (server.errors.length >= MAX_LISTED_ERRORS) {
    const lastListed = fromServer[fromServer.length - 1]!.line;
    errors = errors.filter((e) => e.line <= lastListed);
  }
  return {
    accepted: server.accepted,
    rejected: server.rejected + localRejected,
    errors: errors.slice(0, MAX_LISTED_ERRORS),
    last_acked_line: map.ackedThrough(server.last_acked_line),
  };
}

/** A summary in the collector's JSON answer (HTTP body or gRPC trailer), or undefined when it holds none. */
export function readSummary(value: unknown): SendSummary | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  const s = (typeof v.summary === 'object' && v.summary !== null ? v.summary : v) as Record<string, unknown>;
  if (typeof s.last_acked_line !== 'number' && typeof s.last_acked_line !== 'string') return undefined;
  const errors = Array.isArray(s.errors) ? (s.errors as Record<string, unknown>[]) : [];
  return {
    accepted: Number(s.accepted ?? 0),
    rejected: Number(s.rejected ?? 0),
    errors: errors.map((e) => ({ line: Number(e.line), field: String(e.field), message: String(e.message) })),
    last_acked_line: Number(s.last_acked_line),
  };
}
