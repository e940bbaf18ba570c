// The database's column limits are the contract's: an event the collector accepts must fit its
// row, and a column wider than the contract would hide a contract change not carried to the
// schema. Read from information_schema of a freshly migrated database, not from the SQL files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TSchema } from '@sinclair/typebox';
import { CollectedEvent, DEFAULT_PROJECT_ID, DEVICE_TYPES, LIMITS } from '#contract';
import { createTestDatabase, type TestDatabase } from '../test/support/database.ts';
import { ENRICHMENT_TEXT_LIMITS } from '../test/support/enrichment-limits.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase('analytics_test_limits');
});
after(async () => {
  await db.drop();
});

const fields = CollectedEvent.properties as Record<string, TSchema>;

/** The longest value a field of a fixed set of words can take, e.g. timestamp_adjustment. */
function longestLiteral(schema: TSchema | undefined): number | undefined {
  const options = (schema?.anyOf ?? []) as TSchema[];
  if (options.length === 0 || !options.every((o) => typeof o.const === 'string')) return undefined;
  return Math.max(...options.map((o) => (o.const as string).length));
}

test('analytics_events: every length-limited field has a column of exactly that length, and no column is limited otherwise', async () => {
  const { rows } = await db.pool.query<{ column_name: string; data_type: string; character_maximum_length: number | null }>(
    `SELECT column_name, data_type, character_maximum_length FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = 'analytics_events'`,
  );
  const columns = new Map(rows.map((r) => [r.column_name, r]));
  const limited = Object.entries(fields).filter(([, s]) => typeof s.maxLength === 'number');
  assert.ok(limited.length >= 7, 'the contract limits the string fields');

  const fromContract = Object.fromEntries(limited.map(([name, s]) => [name, s.maxLength as number]));
  const fromDatabase = Object.fromEntries(
    limited.map(([name]) => {
      const column = columns.get(name);
      return [name, column?.data_type === 'character varying' ? column.character_maximum_length : (column?.data_type ?? 'missing')];
    }),
  );
  assert.deepEqual(fromDatabase, fromContract);

  // A column limited where the contract sets no length must hold a closed set of words that fit.
  for (const r of rows) {
    if (r.character_maximum_length === null || r.column_name in fromContract) continue;
    const longest = longestLiteral(fields[r.column_name]);
    assert.ok(longest !== undefined, `${r.column_name} is varchar(${r.character_maximum_length}) but the contract sets no limit on it`);
    assert.ok(longest <= r.character_maximum_length, `${r.column_name}: the contract's longest value (${longest}) does not fit varchar(${r.character_maximum_length})`);
  }
});

// Migration 012: the enrichment columns of analytics_events, and the rollups that copy them.
const DEVICE_TYPE_LENGTH = Math.max(...DEVICE_TYPES.map((d) => d.length));
const ROLLUP_LIMITS: Record<string, Record<string, number>> = {
  analytics_events: { referrer: LIMITS.referrer, ...ENRICHMENT_TEXT_LIMITS },
  visits: {
    visitor_id: LIMITS.visitorId,
    user_id: LIMITS.userId,
    entry_path: LIMITS.pagePath,
    exit_path: LIMITS.pagePath,
    referrer_domain: LIMITS.referrerDomain,
    utm_source: LIMITS.utm,
    utm_medium: LIMITS.utm,
    utm_campaign: LIMITS.utm,
    utm_term: LIMITS.utm,
    utm_content: LIMITS.utm,
    browser: LIMITS.browser,
    os: LIMITS.os,
  },
  visitor_first_seen: { visitor_id: LIMITS.visitorId },
  event_counts_15m: { event_type: LIMITS.eventType, page_path: LIMITS.pagePath },
};

test('enrichment and rollup columns (migration 012) hold exactly what LIMITS allows; numbers and flags fit their types', async () => {
  const { rows } = await db.pool.query<{ table_name: string; column_name: string; data_type: string; character_maximum_length: number | null; is_nullable: string; column_default: string | null }>(
    `SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = ANY($1)`,
    [Object.keys(ROLLUP_LIMITS)],
  );
  const column = (table: string, name: string) => rows.find((r) => r.table_name === table && r.column_name === name);
  for (const [table, limits] of Object.entries(ROLLUP_LIMITS)) {
    const fromDatabase = Object.fromEntries(Object.keys(limits).map((name) => [name, column(table, name)?.character_maximum_length ?? column(table, name)?.data_type ?? 'missing']));
    assert.deepEqual(fromDatabase, limits, table);
  }
  // device_type is one of a closed set of words, in the events and in the visits.
  for (const table of ['analytics_events', 'visits']) {
    const length = column(table, 'device_type')?.character_maximum_length;
    assert.ok(length !== null && length !== undefined && length >= DEVICE_TYPE_LENGTH, `${table}.device_type is varchar(${length}), the longest device type has ${DEVICE_TYPE_LENGTH}`);
  }
  // Integers: the contract's largest screen width and engaged time fit a PostgreSQL integer.
  const INT4_MAX = 2_147_483_647;
  assert.equal(column('analytics_events', 'screen_width')?.data_type, 'integer');
  assert.ok(LIMITS.screenWidth <= INT4_MAX && fields.screen_width?.maximum === LIMITS.screenWidth);
  assert.equal(column('analytics_events', 'engaged_ms')?.data_type, 'integer');
  assert.equal(fields.engaged_ms?.maximum, INT4_MAX);
  // is_bot: a row stored before enrichment, or from a record without it, is not a bot.
  const isBot = column('analytics_events', 'is_bot');
  assert.deepEqual([isBot?.data_type, isBot?.is_nullable, isBot?.column_default], ['boolean', 'NO', 'false']);
});

test('a row at every enrichment limit, with the widest characters, is stored', async () => {
  const emoji = (n: number) => '😀'.repeat(n);
  const values = {
    referrer: emoji(LIMITS.referrer),
    visitor_id: emoji(LIMITS.visitorId),
    page_path: emoji(LIMITS.pagePath),
    referrer_domain: 'a'.repeat(LIMITS.referrerDomain),
    utm_source: emoji(LIMITS.utm),
    utm_medium: emoji(LIMITS.utm),
    utm_campaign: emoji(LIMITS.utm),
    utm_term: emoji(LIMITS.utm),
    utm_content: emoji(LIMITS.utm),
    browser: emoji(LIMITS.browser),
    os: emoji(LIMITS.os),
    device_type: DEVICE_TYPES.reduce((a, b) => (b.length > a.length ? b : a)),
    screen_width: LIMITS.screenWidth,
    engaged_ms: 2_147_483_647,
    is_bot: true,
  };
  const names = Object.keys(values);
  await db.pool.query(
    `INSERT INTO analytics_events (project_id, event_id, "timestamp", event_type, page_url, received_at, ${names.join(', ')})
     VALUES ($1, gen_random_uuid(), now(), 'page_view', 'https://x.example/', now(), ${names.map((_, i) => `$${i + 2}`).join(', ')})`,
    [DEFAULT_PROJECT_ID, ...Object.values(values)],
  );
  const { rows } = await db.pool.query(`SELECT ${names.join(', ')} FROM analytics_events WHERE page_path = $1`, [values.page_path]);
  assert.deepEqual(rows, [values]);
});
