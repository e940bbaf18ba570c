// The chaos run at reduced size (test/chaos/ is the harness; `npm run chaos` is the full run):
// 5,000 unique events through a private collector, Kafka, pipeline and PostgreSQL while the
// pipeline is SIGKILLed three times, PostgreSQL and Kafka are restarted and the collector gets
// SIGTERM. Events are sent as real clients send them: 4 in 10 without a time or with one the
// collector clamps, 1 batch in 10 sent again after its 2xx, and 50 events from a second producer
// written straight to Kafka without time fields, each twice or three times. Every acknowledged
// event must be stored exactly once with its time columns as sent, the summary the pipeline
// maintains (never refreshed here) must agree with the client's ledger, and every service must
// recover by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failures, runChaos } from '../chaos/chaos.ts';
import { formatReport } from '../chaos/report.ts';

test('chaos, reduced: 5,000 events through 6 faults, 0 lost, 0 duplicated, summary in agreement', async (t) => {
  const lines: string[] = [];
  // Paced so the run spans the faults instead of finishing before the first one lands.
  const report = await runChaos({ events: 5000, batchSize: 20, concurrency: 8, ratePerSecond: 250, foreignEvents: 50, log: (line) => lines.push(line) }).catch((error: Error) => {
    throw new Error(`${error.message}\n${lines.join('\n')}`);
  });
  const problems = failures(report);
  for (const line of formatReport(report, problems).split('\n')) t.diagnostic(line);
  assert.deepEqual(problems, []);
  assert.equal(report.verdict.lost, 0);
  assert.equal(report.verdict.rows, 5050);
  assert.equal(report.verdict.duplicated, 0);
  assert.deepEqual(report.kinds, { fresh: 3000, none: 1000, future: 500, past: 500, foreign: 50 });
  assert.equal(report.foreignRecords, 125);
  assert.equal(report.load.resends, 25);
  // The copies really reached Kafka: 25 resent batches of 20 and 75 second and third foreign copies.
  assert.ok(report.topicRecords - report.verdict.sent >= 25 * 20 + 75, `${report.topicRecords} records on the topic`);
  assert.deepEqual(report.faults.map((f) => f.name), ['pipeline SIGKILL #1', 'PostgreSQL restart', 'pipeline SIGKILL #2', 'Kafka broker restart', 'collector SIGTERM + restart', 'pipeline SIGKILL #3']);
  assert.deepEqual(report.restarts, { pipeline: 3, collector: 1 });
});
