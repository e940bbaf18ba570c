// The one result type of the code base: expected failures are values, not exceptions. A success
// carries its value; a failure carries whatever its caller needs to act on (a snake_case reason
// that doubles as a metric label, field errors, a message), spread beside `ok: false`.
export type Result<T, F extends object = { error: string }> = { ok: true; value: T } | ({ ok: false } & F);

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
