// The cursor of GET /breakdown: where the next page starts (the last row's main metric and value)
// and the range of the first page, pinned. Without the pin a range ending "now" would move
// between pages and rows could change places; with it, every page reads the same range, so
// paging neither repeats nor skips a row while the range takes no new events. The cursor is
// bound to the request's other parameters (a fingerprint), so it cannot be replayed against a
// different report, and sealed with the server's key for the project (CursorCodec.seal), so its
// range and position cannot be edited: an altered cursor is refused. Pure.
import { createHash } from 'node:crypto';
import { ParameterError } from '../http/problems.ts';
import type { CursorCodec } from './cursor.ts';
import type { TimeRange } from './time-range.ts';

export interface BreakdownPosition {
  /** The last row's main metric (an integer count). */
  metric: number;
  /** The last row's value (null sorts last). */
  value: string | null;
}

export interface BreakdownCursor {
  range: TimeRange;
  after: BreakdownPosition;
}

interface Wire {
  f: string;
  r: [string, string, string, string];
  m: number;
  v: string | null;
}

/** A fingerprint of the parameters a cursor belongs to (every one except cursor and limit). */
export function cursorFingerprint(params: Record<string, unknown>): string {
  const kept = Object.keys(params)
    .filter((k) => k !== 'cursor' && k !== 'limit' && params[k] !== undefined)
    .sort()
    .map((k) => [k, params[k]]);
  return createHash('sha256').update(JSON.stringify(kept)).digest('base64url').slice(0, 16);
}

/** Where a breakdown cursor is valid: the project's breakdowns (the fingerprint names the rest). */
export const breakdownScope = (projectId: string) => `breakdown:${projectId}`;

export function encodeBreakdownCursor(cursor: BreakdownCursor, fingerprint: string, codec: CursorCodec, scope: string): string {
  const { range, after } = cursor;
  const wire: Wire = { f: fingerprint, r: [range.from.toISOString(), range.to.toISOString(), range.fromSql, range.toSql], m: after.metric, v: after.value };
  return codec.seal(scope, JSON.stringify(wire));
}

// The instants a cursor may carry: RFC 3339 with an offset, as TimeRange holds them.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})$/i;
const isIso = (s: unknown): s is string => typeof s === 'string' && INSTANT.test(s) && !Number.isNaN(Date.parse(s));

/** The cursor of `text`; a ParameterError naming `cursor` when it is not one this report issued. */
export function decodeBreakdownCursor(text: string, fingerprint: string, codec: CursorCodec, scope: string): BreakdownCursor {
  const payload = codec.unseal(scope, text);
  if (payload === undefined) throw new ParameterError('cursor', 'not a cursor of this report (it was altered, or comes from another project): pass next_cursor unchanged');
  let wire: Partial<Wire>;
  try {
    wire = JSON.parse(payload) as Partial<Wire>;
  } catch {
    throw new ParameterError('cursor', 'not a cursor of this API (pass next_cursor unchanged)');
  }
  const r = wire?.r;
  if (
    typeof wire !== 'object' ||
    wire === null ||
    !Array.isArray(r) ||
    r.length !== 4 ||
    !r.every(isIso) ||
    !Number.isSafeInteger(wire.m) ||
    !(typeof wire.v === 'string' || wire.v === null)
  ) {
    throw new ParameterError('cursor', 'not a cursor of this API (pass next_cursor unchanged)');
  }
  if (wire.f !== fingerprint) throw new ParameterError('cursor', 'belongs to a report with other parameters; send the same parameters as for the first page');
  return { range: { from: new Date(r[0]), to: new Date(r[1]), fromSql: r[2], toSql: r[3] }, after: { metric: wire.m as number, value: wire.v } };
}
