// The steps composed: record bytes -> row or dead-letter reason. Collector records pass the shared
// contract and go straight through; other records are normalized with defaults.
import { validateCollectedEvent } from '#contract';
import { normalizeEvent, rowFromContract, type EventRow, type RecordContext } from './normalize-event.ts';
import { parseMessage } from './parse-message.ts';
import { ok, type Outcome } from './outcome.ts';

export interface Processed {
  outcome: Outcome<EventRow>;
  /** True when the record did not satisfy the contract and defaults or repairs were applied. */
  normalized: boolean;
}

export function processMessage(value: Buffer | null, ctx: RecordContext): Processed {
  const parsed = parseMessage(value);
  if (!parsed.ok) return { outcome: parsed, normalized: false };
  const valid = validateCollectedEvent(parsed.value);
  if (valid.ok) return { outcome: ok(rowFromContract(valid.value)), normalized: false };
  return { outcome: normalizeEvent(parsed.value, ctx), normalized: true };
}
