// Splits a parsed request body into valid events and per-field errors. A body is one event
// object or an array of up to LIMITS.batchSize of them; invalid items never stop valid siblings.
import { LIMITS, validateIncomingEvent, type FieldError, type IncomingEvent } from '../../../contract/index.ts';

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
  return result.ok ? { kind: 'single', event: result.value } : { kind: 'invalid', errors: explainMissing(body, result.errors) };
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
    else for (const e of explainMissing(body, result.errors)) errors.push({ index, ...e });
  });
  if (events.length === 0) return { kind: 'invalid', errors };
  return { kind: 'batch', events, errors, size: body.length };
}

/**
 * The contract reports a missing field with that field's own rule (e.g. "must be an absolute
 * http(s) URL" for an absent page_url). Say "is required" instead, once per field.
 * Also reports problems of the body's own keys at "/" rather than "".
 */
export function explainMissing(root: unknown, errors: FieldError[]): FieldError[] {
  const out: FieldError[] = [];
  const missing = new Set<string>();
  for (const e of errors) {
    if (isMissing(root, e.field)) {
      if (!missing.has(e.field)) out.push({ field: e.field, message: 'is required' });
      missing.add(e.field);
    } else {
      // The root is "/" in every answer, also for problems the contract reports at "".
      out.push(e.field === '' ? { ...e, field: '/' } : e);
    }
  }
  return out;
}

function isMissing(root: unknown, pointer: string): boolean {
  if (pointer === '' || pointer === '/') return false;
  const keys = pointer.slice(1).split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = root;
  for (const key of keys.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<string, unknown>)[key];
  }
  return node !== null && typeof node === 'object' && !Array.isArray(node) && !Object.hasOwn(node, keys[keys.length - 1]!);
}
