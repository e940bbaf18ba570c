import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parseName, parseOrigin, parseRateLimit, parseRetentionDays, parseScopes } from './validate.ts';

const value = <T>(r: { ok: true; value: T } | { ok: false; error: string }) => (r.ok ? r.value : `error: ${r.error}`);

test('scopes: known ones, each once, as given; an unknown or repeated one is named', () => {
  assert.deepEqual(value(parseScopes('ingest,read')), ['ingest', 'read']);
  assert.equal(value(parseScopes('ingest,ingest')), 'error: scope "ingest" is given twice: give each scope once');
  assert.equal(value(parseScopes(['read', 'live', 'read'])), 'error: scope "read" is given twice: give each scope once');
  assert.deepEqual(value(parseScopes(['live', 'admin'])), ['live', 'admin']);
  assert.match(String(value(parseScopes('ingest,write'))), /^error: unknown scope "write"/);
  assert.match(String(value(parseScopes(''))), /^error: no scope given/);
});

test('origins: scheme, host and port only, normalized', () => {
  assert.equal(value(parseOrigin('https://Shop.Example')), 'https://shop.example');
  assert.equal(value(parseOrigin('http://localhost:8080/')), 'http://localhost:8080');
  for (const [bad, why] of [
    ['shop.example', /not a URL/],
    ['ftp://shop.example', /only http and https/],
    ['https://shop.example/path', /scheme, host and port only/],
    ['https://admin:admin@shop.example', /scheme, host and port only/],
    ['https://shop.example/?q=1', /scheme, host and port only/],
  ] as const) {
    assert.match(String(value(parseOrigin(bad))), why, bad);
  }
});

test('names, retention, rate limits and durations', () => {
  assert.equal(value(parseName('project', 'shop-2.eu_west')), 'shop-2.eu_west');
  for (const bad of ['', '-shop', 'a b', 'x'.repeat(101), 'été']) assert.match(String(value(parseName('project', bad))), /^error: invalid project name/);
  assert.equal(value(parseRetentionDays('365')), 365);
  for (const bad of ['0', '36501', '1.5', 'ten']) assert.match(String(value(parseRetentionDays(bad))), /^error: invalid retention/);
  assert.equal(value(parseRateLimit('120')), 120);
  for (const bad of ['0', '-1', '1e3']) assert.match(String(value(parseRateLimit(bad))), /^error: invalid rate limit/);
  assert.equal(value(parseDuration('30d')), 30 * 86_400_000);
  assert.equal(value(parseDuration('12h')), 12 * 3_600_000);
  assert.equal(value(parseDuration('90m')), 90 * 60_000);
  for (const bad of ['30', '0d', '1w', 'd']) assert.match(String(value(parseDuration(bad))), /^error: invalid duration/);
});
