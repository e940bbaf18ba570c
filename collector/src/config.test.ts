import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../lib/config.ts';
import { parseBrokers } from '../../lib/kafka.ts';
import { loadCollectorConfig } from './config.ts';

test('defaults are the documented local ones', () => {
  const c = loadCollectorConfig({});
  assert.equal(c.collectorPort, 3001);
  assert.equal(c.collectorHost, '0.0.0.0');
  assert.equal(c.kafkaBrokers, '127.0.0.1:9092');
  assert.equal(c.kafkaTopic, 'analytics-events');
  assert.equal(c.corsOrigins, 'http://localhost:8080,http://127.0.0.1:8080');
  assert.equal(c.logLevel, 'info');
  assert.equal(c.maxFutureSkewMs, 300_000);
  assert.equal(c.allowDefaultProject, true);
  assert.equal(c.keyRateLimitPerMinute, 6000);
});

test('environment variables override and are converted', () => {
  const c = loadCollectorConfig({
    COLLECTOR_PORT: '4001',
    KAFKA_BROKERS: 'a:1, b:2',
    KAFKA_TOPIC: 't',
    RATE_LIMIT_MAX: '0',
    BATCH_LINGER_MS: '2',
    CORS_ALLOW_LOCALHOST: 'false',
    LOG_LEVEL: 'debug',
    ALLOW_DEFAULT_PROJECT: 'false',
  });
  assert.equal(c.allowDefaultProject, false);
  assert.equal(c.collectorPort, 4001);
  assert.deepEqual(parseBrokers(c.kafkaBrokers), ['a:1', 'b:2']);
  assert.equal(c.kafkaTopic, 't');
  assert.equal(c.rateLimitMax, 0);
  assert.equal(c.batchLingerMs, 2);
  assert.equal(c.corsAllowLocalhost, false);
  assert.equal(c.logLevel, 'debug');
});

test('invalid values fail at boot naming the variable', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ COLLECTOR_PORT: 'http' }, /COLLECTOR_PORT/],
    [{ BODY_LIMIT_BYTES: '10' }, /BODY_LIMIT_BYTES/],
    [{ PRODUCE_TIMEOUT_MS: '-1' }, /PRODUCE_TIMEOUT_MS/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ ALLOW_DEFAULT_PROJECT: 'maybe' }, /ALLOW_DEFAULT_PROJECT/],
    [{ KEY_RATE_LIMIT_PER_MINUTE: '0' }, /KEY_RATE_LIMIT_PER_MINUTE/],
  ];
  for (const [env, name] of cases) assert.throws(() => loadCollectorConfig(env), (e: unknown) => e instanceof ConfigError && name.test(e.message));
});
