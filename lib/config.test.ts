import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { ConfigError, envName, loadConfig } from './config.ts';

const Schema = Type.Object({
  port: Type.Integer({ minimum: 1, maximum: 65535, default: 3001 }),
  kafkaBrokers: Type.String({ default: '127.0.0.1:9092' }),
  logLevel: Type.Union([Type.Literal('info'), Type.Literal('debug')], { default: 'info' }),
});

test('env names are UPPER_SNAKE_CASE of the keys', () => {
  assert.equal(envName('kafkaBrokers'), 'KAFKA_BROKERS');
  assert.equal(envName('port'), 'PORT');
});

test('defaults apply when the environment is silent', () => {
  assert.deepEqual(loadConfig(Schema, {}), { port: 3001, kafkaBrokers: '127.0.0.1:9092', logLevel: 'info' });
});

test('values are read and converted from the environment', () => {
  const config = loadConfig(Schema, { PORT: '4000', KAFKA_BROKERS: 'k:1', LOG_LEVEL: 'debug' });
  assert.deepEqual(config, { port: 4000, kafkaBrokers: 'k:1', logLevel: 'debug' });
});

test('invalid values fail at boot naming the variable', () => {
  assert.throws(() => loadConfig(Schema, { PORT: 'abc' }), (e: unknown) => e instanceof ConfigError && /PORT/.test(e.message));
  assert.throws(() => loadConfig(Schema, { PORT: '70000' }), /PORT/);
  assert.throws(() => loadConfig(Schema, { LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
});
