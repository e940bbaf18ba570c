// Splits a parsed request body into valid events and per-field errors. A body is one event
// object or an array of up to `maxBatch` of them; invalid items never stop valid siblings.
import { LIMITS, validateIncomingEvent, type FieldError, type IncomingEvent, type Validation } from '#contract';

export interface IndexedError extends FieldError {
  /** Position in a batch; absent for a single-event body. */
  index?: number;
}

/** How one item is judged: the contract validator of the route (`validateIncomingEvent`, `validateServerEvent`, …). */
export type ItemValidator<E> = (value: unknown, path?: string) => Validation<E>;

export interface PayloadRules<E> {
  validate: ItemValidator<E>;
  /** Most items in one array body. */
  maxBatch: number;
}

export type PayloadResult<E = IncomingEvent> =
  | { kind: 'single'; event: E }
  | { kind: 'batch'; events: { index: number; event: E }[]; errors: IndexedError[]; size: number }
  | { kind: 'invalid'; errors: IndexedError[] };

const BROWSER_RULES: PayloadRules<IncomingEvent> = { validate: validateIncomingEvent, maxBatch: LIMITS.batchSize };

export function parsePayload(body: unknown): PayloadResult;
export function parsePayload<E>(body: unknown, rules: PayloadRules<E>): PayloadResult<E>;
export function parsePayload(body: unknown, rules: PayloadRules<unknown> = BROWSER_RULES): PayloadResult<unknown> {
  if (Array.isArray(body)) return parseBatch(body, rules);
  if (body === null || typeof body !== 'object') {
    return { kind: 'invalid', errors: [{ field: '/', message: 'body must be a JSON object (one event) or an array of events' }] };
  }
  const result = rules.validate(body);
  return result.ok ? { kind: 'single', event: result.value } : { kind: 'invalid', errors: result.errors };
}

function parseBatch(body: unknown[], rules: PayloadRules<unknown>): PayloadResult<unknown> {
  if (body.length === 0) return { kind: 'invalid', errors: [{ field: '/', message: 'batch must contain at least 1 event' }] };
  if (body.length > rules.maxBatch) {
    return { kind: 'invalid', errors: [{ field: '/', message: `batch must contain at most ${rules.maxBatch} events (got ${body.length})` }] };
  }
  const events: { index: number; event: unknown }[] = [];
  const errors: IndexedError[] = [];
  body.forEach((item, index) => {
    const result = rules.validate(item, `/${index}`);
    if (result.ok) events.push({ index, event: result.value });
    else for (const e of result.errors) errors.push({ index, ...e });
  });
  if (events.length === 0) return { kind: 'invalid', errors };
  return { kind: 'batch', events, errors, size: body.length };
}
