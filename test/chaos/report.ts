// A chaos report as text: counts, faults with recovery times, catch-up. Pure, so it is easy to
// paste into test/chaos/RESULTS.md.
import type { ChaosReport } from './chaos.ts';

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function formatReport(r: ChaosReport, problems: string[]): string {
  const v = r.verdict;
  const lines = [
    `chaos run: ${problems.length === 0 ? 'PASS' : 'FAIL'}`,
    `events sent ${v.sent}, acknowledged ${v.acked}, rows ${v.rows}, distinct ${v.distinctStored}`,
    `times sent: ${Object.entries(r.kinds).map(([k, n]) => `${k} ${n}`).join(', ')} (foreign: ${r.foreignRecords} records written straight to Kafka, each event at least twice)`,
    `records on the topic ${r.topicRecords}: ${r.topicRecords - v.sent} copies beyond one per event, each to be dropped by the pipeline`,
    `lost ${v.lost}, duplicated ${v.duplicated}, missing ${v.missing}, foreign ${v.foreign}, dead-lettered ${v.rejectedRows}, time columns not as sent ${v.wrongTimes}, (type, page) counts off the ledger ${v.tableVsLedger}`,
    `analytics_summary (not refreshed by the harness; agreed after ${s(v.summaryWaitMs)}): total ${v.summaryTotal}, rows differing from a GROUP BY of the table ${v.summaryMismatches}, (type, page) totals off the ledger ${v.summaryVsLedger}`,
    `rollups (visits, visitor_first_seen, event_counts_15m and the report rollups) vs a recomputation from the table (${v.visits} visits): ${v.rollupDifferences} rows differ at the end, after each fault ${r.faults.map((f) => f.rollupDifferences ?? 'unchecked').join(', ')}`,
    `requests ${r.load.requests} (batches of ${r.options.batchSize}, ${r.options.concurrency} concurrent), retries ${r.load.retries}, batches sent again after their 2xx ${r.load.resends} (${r.load.resendsAcked} answered 2xx), gave up ${r.load.gaveUp}, answers ${JSON.stringify(r.load.statuses)}`,
    `restarts: pipeline ${r.restarts.pipeline}, collector ${r.restarts.collector}`,
    'faults:',
    ...r.faults.map((f) => {
      const rec = Object.entries(f.recovery).map(([k, ms]) => `${k} ${s(ms)}`).join(', ');
      return `  - ${f.name} at event ${f.atEvent}${f.downMs ? `, down ${s(f.downMs)}` : ''}; recovered: ${rec}${f.notes.length ? ` (${f.notes.join('; ')})` : ''}`;
    }),
    `timings: stack setup ${s(r.timings.setupMs)}, load ${s(r.timings.loadMs)} (${Math.round(v.sent / (r.timings.loadMs / 1000))} events/s incl. outages), catch-up after the last ack ${s(r.timings.catchUpMs)}, total ${s(r.timings.totalMs)}`,
  ];
  if (problems.length > 0) lines.push('problems:', ...problems.map((p) => `  - ${p}`), `logs kept in ${r.runDir}`);
  return lines.join('\n');
}
