// Step 4: a row -> one line of COPY text format. Backslash, tab, newline and carriage return are
// escaped, so no value (including a lone `\.`) can end the data or shift a column.
import type { EventRow } from './normalize-event.ts';

export const COPY_COLUMNS = [
  'project_id',
  'event_id',
  'timestamp',
  'event_type',
  'page_url',
  'page_title',
  'button_id',
  'session_id',
  'user_agent',
  'site_id',
  'metadata',
  'received_at',
  'client_timestamp',
  'timestamp_adjustment',
  'user_id',
  'anonymous_id',
  'referrer',
  'screen_width',
  'visitor_id',
  'visit_id',
  'page_path',
  'referrer_domain',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'browser',
  'os',
  'device_type',
  'is_bot',
  'engaged_ms',
] as const satisfies readonly (keyof EventRow)[];

const SPECIAL = /[\\\t\n\r]/g;
// Most values hold none of them: a test is cheaper than a replace that finds nothing.
const HAS_SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export function copyField(value: string | number | boolean | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  // Numbers are integers the contract bounded: their decimal form needs no escaping.
  if (typeof value === 'number') return String(value);
  return HAS_SPECIAL.test(value) ? value.replace(SPECIAL, (ch) => ESCAPES[ch]!) : value;
}

/** The row as one COPY line, built in one pass over the columns. */
export function toCopyRow(row: EventRow): string {
  let line = copyField(row[COPY_COLUMNS[0]]);
  for (let i = 1; i < COPY_COLUMNS.length; i++) line += '\t' + copyField(row[COPY_COLUMNS[i]!]);
  return line + '\n';
}
