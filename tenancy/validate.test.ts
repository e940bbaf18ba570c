import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parseName, parseOrigin, parseRateLimit, parseRetentionDays, parseScopes, parseTimezone } from './validate.ts';

const value = <T>(r: { ok: true; value: T } | { ok: false; error: string }) => (r.ok ? r.value : `error: ${r.error}`);

test('scopes: known ones, deduplicated; an unknown one is named', () => {
  assert.deepEqual(value(parseScopes('ingest,read,ingest')), ['ingest', 'read']);
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

test('time zones: IANA names only', () => {
  for (const z of ['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Asia/Kathmandu']) assert.equal(value(parseTimezone(z)), z);
  for (const z of ['Mars/Base', 'EST', '+05:00', 'UTC+5', 'Europe/Berlin; DROP TABLE projects', '']) {
    assert.match(String(value(parseTimezone(z))), /^error: unknown time zone/, z);
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
