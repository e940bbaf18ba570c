// A page of a keyset-paged list: the rows read (one more than the page holds, to know whether
// another page follows) cut to the page, and the cursor of its last row. Pure.
import type { Position } from './cursor.ts';

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** The page of `rows` (read with LIMIT limit + 1); `cursorOf` writes the cursor after a row. */
export function toPage<T>(rows: readonly T[], limit: number, position: (row: T) => Position, cursorOf: (position: Position) => string): Page<T> {
  if (rows.length <= limit) return { data: [...rows], next_cursor: null };
  const data = rows.slice(0, limit);
  return { data, next_cursor: cursorOf(position(data[data.length - 1]!)) };
}
