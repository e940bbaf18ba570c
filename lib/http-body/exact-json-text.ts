// JSON text parsed as it is stored: exactly, or refused naming the field. Shared by HTTP bodies
// (json-body.ts: the collector's and the query API's), the collector's NDJSON lines and gRPC's
// metadata_json, so a value is judged the same whichever transport carried it. Pure.
import { findInexact } from '#contract';

export type ExactJson =
  | { ok: true; value: unknown }
  /** `invalid_json`: not JSON at all (field '/'); `validation_failed`: a number a double cannot hold or a key given twice (field: its JSON Pointer). */
  | { ok: false; code: 'invalid_json' | 'validation_failed'; field: string; message: string };

/** Parses `text` with JSON.parse and refuses what it would not keep as written (contract/exact-json.ts). */
export function parseExactJson(text: string): ExactJson {
  let value: unknown;
  try {
    // Plain JSON.parse makes "__proto__" an ordinary own key (never a prototype); the contract's
    // validation then rejects it by field name instead of a bare parser error.
    value = JSON.parse(text) as unknown;
  } catch (error) {
    return { ok: false, code: 'invalid_json', field: '/', message: `not valid JSON: ${(error as Error).message}` };
  }
  const inexact = findInexact(text, value);
  if (inexact !== undefined) return { ok: false, code: 'validation_failed', field: inexact.field, message: inexact.message };
  return { ok: true, value };
}
