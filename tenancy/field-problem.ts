// The one wording of a tenancy refusal that names a field, shared by the routes' error handler,
// their body checks and the admin use cases, so every such message reads "<field>: <reason>".
// Pure.

export interface Problem {
  status: number;
  error: string;
  message: string;
  /** JSON Pointer of the field at fault ('/' for the whole body). */
  field?: string;
}

/**
 * The refusal of one field: `field` its JSON Pointer, `reason` what is wrong ("must be string");
 * the message is "<field>: <reason>". Default 400 invalid_field.
 */
export function fieldProblem<S extends 400 | 409 = 400, E extends 'invalid_field' | 'conflict' = 'invalid_field'>(
  field: string,
  reason: string,
  status: S = 400 as S,
  error: E = 'invalid_field' as E,
): { status: S; error: E; field: string; message: string } {
  return { status, error, field, message: `${field}: ${reason}` };
}
