// Per-message outcomes are values: a step either yields the next value or says why the message
// belongs in the dead-letter topic. Reasons are snake_case so they double as metric labels.
import { ok, type Result } from '../../../lib/result.ts';

export { ok };
export type RejectReason =
  | 'empty_value'
  | 'invalid_utf8'
  | 'invalid_json'
  | 'not_an_object'
  | 'inexact_value'
  | 'missing_event_type'
  | 'invalid_event_id'
  | 'invalid_timestamp'
  | 'timestamp_out_of_range'
  | 'invalid_timestamp_adjustment'
  | 'metadata_too_large'
  | 'metadata_too_deep'
  | 'invalid_project_id'
  // Refused by PostgreSQL itself (SQLSTATE class 22/23); set by the loader, not by a step.
  | 'database_rejected'
  // A step threw (a defect, never expected): the record is kept in the dead-letter topic with the
  // error instead of stopping its partition.
  | 'processing_failed';

export type Outcome<T, R extends RejectReason = RejectReason> = Result<T, { reason: R; detail: string }>;

export const dlq = <T = never, R extends RejectReason = RejectReason>(reason: R, detail: string): Outcome<T, R> => ({ ok: false, reason, detail });
