// The one result type of the code base: expected failures are values, not exceptions. A success
// carries its value; a failure carries whatever its caller needs to act on (a snake_case reason
// that doubles as a metric label, field errors, a message), spread beside `ok: false`.
export type Result<T, F extends object = { error: string }> = { ok: true; value: T } | ({ ok: false } & F);

/** The failure half of a result type, e.g. for a function that only ever fails. */
export type Failure<R> = Extract<R, { ok: false }>;

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <F extends object>(failure: F): { ok: false } & F => ({ ok: false, ...failure });
