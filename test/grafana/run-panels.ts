// Runs every panel case against a seeded database the way Grafana would: macros expanded for the
// datasource's TimescaleDB switch, the SQL executed as sent, the rows checked.
import assert from 'node:assert/strict';
import type { SqlRunner } from '../../db/sql-runner.ts';
import { expandMacros } from '../../grafana/macros.ts';
import { readRawWith } from '../api/reference.ts';
import { committedQueries, PANEL_CASES, type PanelCase, type Row } from './panel-cases.ts';
import type { Seed } from './seed.ts';

export function caseName(c: PanelCase, seed: Seed): string {
  const bots = c.includeBots === undefined ? '' : c.includeBots ? ', bots included' : ', bots excluded';
  const range = c.range === undefined ? '' : `, range ${c.range(seed).from.toISOString()}..${c.range(seed).to.toISOString()}`;
  return `${c.dashboard} / ${c.title} / ${c.refId} @ ${c.intervalMs / 1000}s${bots}${range}, project ${seed.projectId}`;
}

export function assertEveryQueryHasACase(): void {
  const covered = new Set(PANEL_CASES.map((c) => `${c.dashboard}|${c.title}|${c.refId}`));
  const queries = committedQueries();
  assert.ok(queries.length >= 13, 'dashboards lost panels');
  for (const q of queries) assert.ok(covered.has(`${q.dashboard}|${q.title}|${q.refId}`), `no test for ${q.dashboard} / ${q.title} / ${q.refId}`);
}

export async function runCase(db: SqlRunner, seed: Seed, c: PanelCase, timescaledb: boolean): Promise<{ rawSql: string; sql: string; rows: Row[] }> {
  const query = committedQueries().find((q) => q.dashboard === c.dashboard && q.title === c.title && q.refId === c.refId);
  assert.ok(query, `panel ${caseName(c, seed)} not in the committed dashboards`);
  // The dashboard's $project set to the seed's project and $include_bots as the case asks, as a viewer picks them.
  const variables = { project: { value: seed.projectId }, include_bots: { value: String(c.includeBots ?? false) } };
  const range = c.range?.(seed) ?? { from: seed.from, to: seed.to };
  const expanded = expandMacros(query.rawSql, { from: range.from, to: range.to, intervalMs: c.intervalMs, timescaledb, variables });
  assert.ok(expanded.ok, expanded.ok ? '' : expanded.error);
  assert.doesNotMatch(expanded.value.sql, /\$/, 'every macro and variable expanded');
  assert.match(query.rawSql, /project_id = '\$project'/, 'the panel is filtered by $project');
  const clock = async () => Number((await db.query<{ ms: string }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::text AS ms'))[0]!.ms);
  const nowBefore = await clock();
  const rows = await db.query<Row>(expanded.value.sql);
  const nowAfter = await clock();
  c.check(rows, { seed, raw: await readRawWith(db, seed.projectId), range, nowBefore, nowAfter });
  return { rawSql: query.rawSql, sql: expanded.value.sql, rows };
}
