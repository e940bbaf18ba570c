// Step 1: Kafka record bytes -> a JSON object, or a reason to dead-letter it.
import { findInexact } from '#contract';
import { dlq, ok, type Outcome } from './outcome.ts';

// Fatal: bytes that are not UTF-8 are refused, not silently turned into U+FFFD and stored.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function parseMessage(value: Buffer | null): Outcome<Record<string, unknown>> {
  if (value === null || value.length === 0) return dlq('empty_value', 'record has no value');
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return dlq('invalid_utf8', 'record value is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return dlq('invalid_json', (error as Error).message);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return dlq('not_an_object', `JSON value is ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : typeof parsed}`);
  }
  // A number no double holds or a key given twice would be stored altered: refused with its
  // place, as the collector refuses it. (The collector's own records never hold either.)
  const inexact = findInexact(text, parsed);
  if (inexact !== undefined) return dlq('inexact_value', `${inexact.field} ${inexact.message}`);
  return ok(parsed as Record<string, unknown>);
}
