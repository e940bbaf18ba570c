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

test('a number setting that would not be kept exactly is refused, naming the variable', () => {
  // Each of these was taken before, cut down to what parsed: 1.5 -> 1, 1e3 -> 1, 3.1e3 -> 3.
  for (const text of ['1.5', '1e3', '3.1e3', ' 4000', '4000 ', '0x10', '+4000', '-0.5', '4_000', '99999999999999999999']) {
    assert.throws(
      () => loadConfig(Schema, { PORT: text }),
      (e: unknown) => e instanceof ConfigError && e.message.includes(`PORT: Expected an integer in plain digits, got ${JSON.stringify(text)}`),
      text,
    );
  }
  const Ratio = Type.Object({ share: Type.Number({ default: 0.5 }) });
  assert.deepEqual(loadConfig(Ratio, { SHARE: '0.25' }), { share: 0.25 });
  assert.deepEqual(loadConfig(Ratio, { SHARE: '-3' }), { share: -3 });
  for (const text of ['1e-3', '.5', '0x1', 'NaN', 'Infinity']) assert.throws(() => loadConfig(Ratio, { SHARE: text }), /SHARE: Expected a number in plain decimal digits/, text);
  // Plain digits still convert, with leading zeros and negatives left to the schema's bounds.
  assert.equal(loadConfig(Schema, { PORT: '04000' }).port, 4000);
  assert.throws(() => loadConfig(Schema, { PORT: '-1' }), /PORT: Expected integer to be greater or equal to 1/);
  // One line per variable: '-0.5' became 0, below the minimum, but is reported once, as sent.
  assert.throws(
    () => loadConfig(Schema, { PORT: '-0.5', LOG_LEVEL: 'loud' }),
    (e: unknown) => e instanceof ConfigError && e.message === 'invalid configuration:\n  PORT: Expected an integer in plain digits, got "-0.5"\n  LOG_LEVEL: ' + e.message.split('LOG_LEVEL: ')[1],
  );
});
