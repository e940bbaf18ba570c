// The chaos run at reduced size (test/chaos/ is the harness; `npm run chaos` is the full run):
// 5,000 unique events through a private collector, Kafka, pipeline and PostgreSQL while the
// pipeline is SIGKILLed three times, PostgreSQL and Kafka are restarted and the collector gets
// SIGTERM. Every acknowledged event must be stored exactly once, the summary must agree, and
// every service must recover by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failures, runChaos } from '../chaos/chaos.ts';
import { formatReport } from '../chaos/report.ts';

test('chaos, reduced: 5,000 events through 6 faults, 0 lost, 0 duplicated, summary in agreement', async (t) => {
  const lines: string[] = [];
  // Paced so the run spans the faults instead of finishing before the first one lands.
  const report = await runChaos({ events: 5000, batchSize: 20, concurrency: 8, ratePerSecond: 250, log: (line) => lines.push(line) }).catch((error: Error) => {
    throw new Error(`${error.message}\n${lines.join('\n')}`);
  });
  const problems = failures(report);
  for (const line of formatReport(report, problems).split('\n')) t.diagnostic(line);
  assert.deepEqual(problems, []);
  assert.equal(report.verdict.rows, 5000);
  assert.equal(report.verdict.lost, 0);
  assert.equal(report.verdict.duplicated, 0);
  assert.deepEqual(report.faults.map((f) => f.name), ['pipeline SIGKILL #1', 'PostgreSQL restart', 'pipeline SIGKILL #2', 'Kafka broker restart', 'collector SIGTERM + restart', 'pipeline SIGKILL #3']);
  assert.deepEqual(report.restarts, { pipeline: 3, collector: 1 });
});
