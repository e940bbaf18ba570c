// What a chaos run must prove, read from the database after the pipeline has caught up:
// every acknowledged event stored, exactly the events sent and each once, and the summary view
// in agreement with the table.
import type pg from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '#contract';

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
  rejectedRows: number;
  summaryTotal: number;
  /** Rows in analytics_summary and in a fresh GROUP BY of the table that do not match. */
  summaryMismatches: number;
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

const SUMMARY_MISMATCHES = `
  WITH fresh AS (
    SELECT date_trunc('minute', "timestamp") AS bucket, event_type, page_url, count(*)::bigint AS event_count
      FROM analytics_events GROUP BY 1, 2, 3),
  view AS (SELECT bucket, event_type, page_url, event_count FROM analytics_summary)
  SELECT (SELECT count(*) FROM (SELECT * FROM fresh EXCEPT SELECT * FROM view) a)
       + (SELECT count(*) FROM (SELECT * FROM view EXCEPT SELECT * FROM fresh) b) AS n`;

async function refreshSummary(pool: pg.Pool): Promise<void> {
  const { rowCount } = await pool.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'");
  if (rowCount === 1) await pool.query("CALL refresh_continuous_aggregate('analytics_summary', NULL, NULL)");
  else await pool.query('REFRESH MATERIALIZED VIEW analytics_summary');
}

export async function verify(pool: pg.Pool, sent: readonly string[], acked: ReadonlySet<string>): Promise<Verdict> {
  const ids = (await pool.query<{ id: string }>('SELECT event_id::text AS id FROM analytics_events')).rows.map((r) => r.id);
  const compared = compareIds(sent, acked, ids);
  await refreshSummary(pool);
  const one = async (sql: string) => Number((await pool.query<{ n: string }>(sql)).rows[0]!.n);
  return {
    sent: sent.length,
    acked: acked.size,
    rows: ids.length,
    ...compared,
    rejectedRows: await one('SELECT count(*) AS n FROM analytics_events_rejected'),
    summaryTotal: await one('SELECT coalesce(sum(event_count), 0) AS n FROM analytics_summary'),
    summaryMismatches: await one(SUMMARY_MISMATCHES),
  };
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
