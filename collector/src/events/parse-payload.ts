// Splits a parsed request body into valid events and per-field errors. A body is one event
// object or an array of up to LIMITS.batchSize of them; invalid items never stop valid siblings.
import { LIMITS, validateIncomingEvent, type FieldError, type IncomingEvent } from '#contract';

export interface IndexedError extends FieldError {
  /** Position in a batch; absent for a single-event body. */
  index?: number;
}

export type PayloadResult =
  | { kind: 'single'; event: IncomingEvent }
  | { kind: 'batch'; events: { index: number; event: IncomingEvent }[]; errors: IndexedError[]; size: number }
  | { kind: 'invalid'; errors: IndexedError[] };

export function parsePayload(body: unknown): PayloadResult {
  if (Array.isArray(body)) return parseBatch(body);
  if (body === null || typeof body !== 'object') {
    return { kind: 'invalid', errors: [{ field: '/', message: 'body must be a JSON object (one event) or an array of events' }] };
  }
  const result = validateIncomingEvent(body);
  return result.ok ? { kind: 'single', event: result.value } : { kind: 'invalid', errors: result.errors };
}

function parseBatch(body: unknown[]): PayloadResult {
  if (body.length === 0) return { kind: 'invalid', errors: [{ field: '/', message: 'batch must contain at least 1 event' }] };
  if (body.length > LIMITS.batchSize) {
    return { kind: 'invalid', errors: [{ field: '/', message: `batch must contain at most ${LIMITS.batchSize} events (got ${body.length})` }] };
  }
  const events: { index: number; event: IncomingEvent }[] = [];
  const errors: IndexedError[] = [];
  body.forEach((item, index) => {
    const result = validateIncomingEvent(item, `/${index}`);
    if (result.ok) events.push({ index, event: result.value });
    else for (const e of result.errors) errors.push({ index, ...e });
  });
  if (events.length === 0) return { kind: 'invalid', errors };
  return { kind: 'batch', events, errors, size: body.length };
}
