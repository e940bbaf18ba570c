import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../lib/config.ts';
import { loadPipelineConfig } from './config.ts';

test('pipeline config: documented defaults', () => {
  const c = loadPipelineConfig({});
  assert.deepEqual(
    [c.kafkaBrokers, c.kafkaTopic, c.kafkaDlqTopic, c.kafkaGroupId, c.databaseUrl, c.pipelineOpsPort],
    ['127.0.0.1:9092', 'analytics-events', 'analytics-events-dlq', 'analytics-pipeline', 'postgres://analytics:analytics@127.0.0.1:5432/analytics', 4195],
  );
  assert.deepEqual([c.pipelineBatchMaxMessages, c.pipelineBatchMaxMs, c.pipelineSummaryRefreshMs, c.pipelineRetentionDays, c.pipelineDirectCopy], [5000, 200, 5000, 90, true]);
});

test('pipeline config: env variables override and are converted', () => {
  const c = loadPipelineConfig({ KAFKA_BROKERS: 'a:1,b:2', PIPELINE_OPS_PORT: '0', PIPELINE_BATCH_MAX_MESSAGES: '10', PIPELINE_DIRECT_COPY: 'false', LOG_LEVEL: 'debug' });
  assert.deepEqual([c.kafkaBrokers, c.pipelineOpsPort, c.pipelineBatchMaxMessages, c.pipelineDirectCopy, c.logLevel], ['a:1,b:2', 0, 10, false, 'debug']);
});

test('pipeline config: bad values name their variable', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PIPELINE_OPS_PORT: 'x' }, /PIPELINE_OPS_PORT/],
    [{ PIPELINE_BATCH_MAX_MESSAGES: '0' }, /PIPELINE_BATCH_MAX_MESSAGES/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
  ];
  for (const [env, message] of cases) assert.throws(() => loadPipelineConfig(env), (e: unknown) => e instanceof ConfigError && message.test(e.message));
});
