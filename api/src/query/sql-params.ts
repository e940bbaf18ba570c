// Bind parameters for SQL built in pieces: `p.add(value)` returns its placeholder ($n), so a
// fragment never splices a caller's value into the text.
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
