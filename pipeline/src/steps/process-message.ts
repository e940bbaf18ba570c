// The steps composed: record bytes -> row or dead-letter reason. Collector records pass the shared
// contract and go straight through; other records are normalized with defaults.
import { validateCollectedEvent } from '#contract';
import { normalizeEvent, rowFromContract, type EventRow, type RecordContext } from './normalize-event.ts';
import { parseMessage } from './parse-message.ts';
import { ok, type Outcome } from './outcome.ts';
import { readProjectId } from './project-id.ts';

export interface Processed {
  outcome: Outcome<EventRow>;
  /** True when the record did not satisfy the contract and defaults or repairs were applied. */
  normalized: boolean;
  /** The record's project, also for a rejected record; null when unknown (not a JSON object, or project_id not a UUID). */
  projectId: string | null;
}

export function processMessage(value: Buffer | null, ctx: RecordContext): Processed {
  const parsed = parseMessage(value);
  if (!parsed.ok) return { outcome: parsed, normalized: false, projectId: null };
  const project = readProjectId(parsed.value);
  const projectId = project.ok ? project.value : null;
  const valid = validateCollectedEvent(parsed.value);
  if (valid.ok) return { outcome: ok(rowFromContract(valid.value)), normalized: false, projectId };
  return { outcome: normalizeEvent(parsed.value, ctx), normalized: true, projectId };
}
