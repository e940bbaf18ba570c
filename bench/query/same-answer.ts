// Exactness of the query benchmark: a route's answer and the raw-events baseline's, both reduced to
// the same plain shape, must be equal. Counts equal exactly; means and rates (float8 sums in
// another order) within a relative 1e-9.

const RELATIVE = 1e-9;

/** The first difference between two plain JSON values, as "path: a ≠ b"; undefined when equal. */
export function firstDifference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isInteger(a) && Number.isInteger(b)) return a === b ? undefined : `${path}: ${a} ≠ ${b}`;
    return Math.abs(a - b) <= RELATIVE * Math.max(Math.abs(a), Math.abs(b)) ? undefined : `${path}: ${a} ≠ ${b}`;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: ${a.length} items ≠ ${b.length} items`;
    for (const [i, x] of a.entries()) {
      const d = firstDifference(x, b[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return a === b ? undefined : `${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`;
}
