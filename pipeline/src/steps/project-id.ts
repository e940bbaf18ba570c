// Step 2a: the project a record belongs to. The collector sets `project_id` from the site key or
// API key; records without one (other producers, records written before projects existed) belong
// to the default project. A value that is not a UUID is a producer bug: guessing a project for it
// could file one tenant's event under another, so it is dead-lettered.
import { DEFAULT_PROJECT_ID, isUuid } from '#contract';
import { dlq, ok, type Outcome } from './outcome.ts';

/** The record's project id, lower-cased; absent or null -> DEFAULT_PROJECT_ID. */
export function readProjectId(record: Record<string, unknown>): Outcome<string, 'invalid_project_id'> {
  const raw = record.project_id;
  if (raw === undefined || raw === null) return ok(DEFAULT_PROJECT_ID);
  if (typeof raw === 'string' && isUuid(raw)) return ok(raw.toLowerCase());
  return dlq('invalid_project_id', 'project_id is not a UUID');
}
