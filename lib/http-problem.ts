// The error answer every service sends ({ success: false, error, message, errors: [{ field,
// message }] }), for the answers given outside a route's handler (framework and parser errors),
// and a bounded way to quote what the client sent.

export interface HttpProblem {
  status: number;
  /** Machine-readable snake_case code. */
  error: string;
  message: string;
  /** The part of the request at fault: a parameter, a header name, `url`, `method`, `body`. */
  field?: string;
}

export interface ProblemBody {
  success: false;
  error: string;
  message: string;
  errors?: { field: string; message: string }[];
}

export function problemBody(p: HttpProblem): ProblemBody {
  const body: ProblemBody = { success: false, error: p.error, message: p.message };
  return p.field === undefined ? body : { ...body, errors: [{ field: p.field, message: p.message }] };
}

const QUOTE_MAX = 80;
const PRINTABLE = /^[\x20-\x7e]*$/;

/**
 * `value` JSON-quoted when it is short printable ASCII, else undefined: an answer never repeats
 * huge or unprintable input (a 10 kB path, control bytes) back to the client.
 */
export function quoteIfShort(value: string, max = QUOTE_MAX): string | undefined {
  return value.length <= max && PRINTABLE.test(value) ? JSON.stringify(value) : undefined;
}
