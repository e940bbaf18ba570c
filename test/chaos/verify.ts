// What a chaos run must prove, read from the database after the pipeline has caught up:
// every acknowledged event stored, exactly the events sent and each once, each event's time
// columns as its sending implies, analytics_summary — as the pipeline maintains it, never
// refreshed here — in agreement with the client's ledger and with the table, and the loader's
// rollups equal to their recomputation from the table.
import type pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '#contract';
import { countKey, differingCounts, type Ledger, type StoredTime } from './ledger.ts';
import { checkRollups } from './rollups.ts';

export interface Verdict {
  sent: number;
  acked: number;
  rows: number;
  distinctStored: number;
  /** Rows beyond one per event_id. */
  duplicated: number;
  /** Acknowledged (2xx) events missing from the table. */
  lost: number;
  /** Sent events missing from the table (acknowledged or not). */
  missing: number;
  /** Rows whose event_id the client never sent. */
  foreign: number;
  /** Rows whose timestamp / client_timestamp / timestamp_adjustment are not what was sent implies. */
  wrongTimes: number;
  /** (event_type, page_url) pairs whose row count in the table differs from the ledger's. */
  tableVsLedger: number;
  rejectedRows: number;
  summaryTotal: number;
  /** Rows of analytics_summary and of a GROUP BY of the table that differ. */
  summaryMismatches: number;
  /** (event_type, page_url) pairs whose analytics_summary total differs from the ledger's count. */
  summaryVsLedger: number;
  /** How long the summary took to agree after catch-up (or the bound, when it never did). */
  summaryWaitMs: number;
  /** Rollup rows (visits, visitor_first_seen, the counters, previous-visit links) differing from their recomputation from the table. */
  rollupDifferences: number;
  rollupSample: string[];
  /** Visits the loader stored (the rollup check compared them all). */
  visits: number;
}

/** Pure comparison of what was sent and acknowledged with the ids found in the table. */
function compareIds(sent: readonly string[], acked: ReadonlySet<string>, storedIds: readonly string[]) {
  const stored = new Set(storedIds);
  const sentSet = new Set(sent);
  let lost = 0;
  for (const id of acked) if (!stored.has(id)) lost++;
  let missing = 0;
  for (const id of sentSet) if (!stored.has(id)) missing++;
  let foreign = 0;
  for (const id of stored) if (!sentSet.has(id)) foreign++;
  return { distinctStored: stored.size, duplicated: storedIds.length - stored.size, lost, missing, foreign };
}

/** The problems a verdict shows; an empty list is a pass. */
export function verdictProblems(v: Verdict): string[] {
  const out: string[] = [];
  if (v.lost !== 0) out.push(`${v.lost} acknowledged events lost`);
  if (v.duplicated !== 0) out.push(`${v.duplicated} duplicate rows`);
  if (v.missing !== 0) out.push(`${v.missing} sent events not stored`);
  if (v.foreign !== 0) out.push(`${v.foreign} rows the client never sent`);
  if (v.rows !== v.sent) out.push(`table holds ${v.rows} rows for ${v.sent} distinct events sent`);
  if (v.wrongTimes !== 0) out.push(`${v.wrongTimes} rows whose time columns differ from what was sent`);
  if (v.tableVsLedger !== 0) out.push(`${v.tableVsLedger} (event_type, page_url) counts in the table differ from the client's ledger`);
  if (v.rejectedRows !== 0) out.push(`${v.rejectedRows} valid events were dead-lettered`);
  if (v.summaryMismatches !== 0 || v.summaryVsLedger !== 0 || v.summaryTotal !== v.sent) {
    out.push(`analytics_summary as the pipeline maintains it disagrees after ${(v.summaryWaitMs / 1000).toFixed(0)} s: ${v.summaryMismatches} rows differ from the table, ${v.summaryVsLedger} (event_type, page_url) totals differ from the ledger, total ${v.summaryTotal} for ${v.sent} events sent`);
  }
  if (v.rollupDifferences !== 0) out.push(`${v.rollupDifferences} rollup rows differ from their recomputation from analytics_events: ${v.rollupSample.join(' | ')}`);
  return out;
}

const SUMMARY_MISMATCHES = `
  WITH fresh AS (
    SELECT date_trunc('minute', "timestamp") AS bucket, event_type, page_url, count(*)::bigint AS event_count
      FROM analytics_events GROUP BY 1, 2, 3),
  view AS (SELECT bucket, event_type, page_url, sum(event_count)::bigint AS event_count FROM analytics_summary GROUP BY 1, 2, 3)
  SELECT (SELECT count(*) FROM (SELECT * FROM fresh EXCEPT SELECT * FROM view) a)
       + (SELECT count(*) FROM (SELECT * FROM view EXCEPT SELECT * FROM fresh) b) AS n`;

async function tally(pool: pg.Pool, sql: string): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ event_type: string; page_url: string; n: string }>(sql);
  return new Map(rows.map((r) => [countKey(r.event_type, r.page_url), Number(r.n)]));
}

async function one(pool: pg.Pool, sql: string): Promise<number> {
  return Number((await pool.query<{ n: string }>(sql)).rows[0]!.n);
}

async function summaryState(pool: pg.Pool, expected: ReadonlyMap<string, number>) {
  const bySummary = await tally(pool, 'SELECT event_type, page_url, sum(event_count) AS n FROM analytics_summary GROUP BY 1, 2');
  return {
    summaryTotal: [...bySummary.values()].reduce((a, b) => a + b, 0),
    summaryVsLedger: differingCounts(expected, bySummary),
    summaryMismatches: await one(pool, SUMMARY_MISMATCHES),
  };
}

export interface VerifyOptions {
  /**
   * How long analytics_summary may take to agree: the pipeline refreshes it on its own timer
   * (PIPELINE_SUMMARY_REFRESH_MS, 5 s; TimescaleDB: real-time aggregation), and it is never
   * refreshed here, so a summary the pipeline stopped maintaining fails the verdict.
   */
  summaryWaitMs: number;
}

/**
 * Reads the table and the summary against the ledger. `acked`: ids the collector (or Kafka, for
 * the second producer) acknowledged. Polls the summary until it agrees or `summaryWaitMs` passed.
 */
export async function verify(pool: pg.Pool, ledger: Ledger, acked: ReadonlySet<string>, options: VerifyOptions): Promise<Verdict> {
  const sent = ledger.ids;
  const { rows } = await pool.query<{ id: string; ts: number; adj: string | null; cts: number | null }>(
    `SELECT event_id::text AS id, (extract(epoch FROM "timestamp") * 1000)::float8 AS ts, timestamp_adjustment AS adj,
            (extract(epoch FROM client_timestamp) * 1000)::float8 AS cts
       FROM analytics_events`,
  );
  const compared = compareIds(sent, acked, rows.map((r) => r.id));
  const times: StoredTime[] = rows.map((r) => ({ id: r.id, timestampMs: r.ts, adjustment: r.adj, clientTimestampMs: r.cts }));
  const expected = ledger.expectedCounts();
  const byTable = await tally(pool, 'SELECT event_type, page_url, count(*) AS n FROM analytics_events GROUP BY 1, 2');

  const waitFrom = Date.now();
  let summary = await summaryState(pool, expected);
  while ((summary.summaryMismatches !== 0 || summary.summaryVsLedger !== 0) && Date.now() - waitFrom < options.summaryWaitMs) {
    await sleep(500);
    summary = await summaryState(pool, expected);
  }
  const summaryWaitMs = Date.now() - waitFrom;
  const rollups = await checkRollups(pool);
  return {
    sent: sent.length,
    acked: acked.size,
    rows: rows.length,
    ...compared,
    wrongTimes: ledger.wrongTimes(times),
    tableVsLedger: differingCounts(expected, byTable),
    rejectedRows: await one(pool, 'SELECT count(*) AS n FROM analytics_events_rejected'),
    ...summary,
    summaryWaitMs,
    rollupDifferences: rollups.differences,
    rollupSample: rollups.sample,
    visits: rollups.visits,
  };
}

/** Records in the events topic (every copy of every event that reached Kafka). */
export async function topicRecords(broker: string, topic: string = TOPICS.events): Promise<number> {
  const kafka = new Kafka({ clientId: 'chaos-topic-size', brokers: [broker], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Records in the events topic not yet committed by the pipeline's group (0 = caught up). */
export async function consumerLag(broker: string, groupId = 'analytics-pipeline', topic: string = TOPICS.events): Promise<number> {
  const kafka = new Kafka({ clientId: 'chaos-lag', brokers: [broker], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const high = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    let lag = 0;
    for (const p of high) {
      const c = committed?.partitions.find((x) => x.partition === p.partition)?.offset ?? '-1';
      lag += Number(p.high) - Math.max(0, Number(c));
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}
