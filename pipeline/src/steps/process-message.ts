// The steps composed: record bytes -> row or dead-letter reason. Records marked canonical take the
// fast path (canonical-row.ts) when it can prove them; the rest pass the shared contract and go
// straight through, or are normalized with defaults. Rows without the collector's enrichment
// (other producers', older records) get it derived here.
import { validateCollectedEvent } from '#contract';
import { canonicalRow, markedCanonical, type RecordHeaders } from './canonical-row.ts';
import { enrichRow } from './enrich-row.ts';
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
  /** True when the row came from the fast path for canonical records. */
  canonical?: boolean;
}

export function processMessage(value: Buffer | null, ctx: RecordContext, headers?: RecordHeaders): Processed {
  if (markedCanonical(headers)) {
    const row = canonicalRow(value);
    if (row !== undefined) return { outcome: ok(row), normalized: false, projectId: row.project_id, canonical: true };
  }
  const parsed = parseMessage(value);
  if (!parsed.ok) return { outcome: parsed, normalized: false, projectId: null };
  const project = readProjectId(parsed.value);
  const projectId = project.ok ? project.value : null;
  const valid = validateCollectedEvent(parsed.value);
  if (valid.ok) return { outcome: ok(enrichRow(rowFromContract(valid.value))), normalized: false, projectId };
  const normalized = normalizeEvent(parsed.value, ctx);
  return { outcome: normalized.ok ? ok(enrichRow(normalized.value)) : normalized, normalized: true, projectId };
}
