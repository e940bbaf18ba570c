import { test } from 'node:test';
import assert from 'node:assert/strict';
import { originPolicy } from './cors-origins.ts';
import { DEFAULT_CORS_ORIGINS } from '../config.ts';

test('origin policy', () => {
  const defaults = originPolicy(DEFAULT_CORS_ORIGINS, true);
  const strict = originPolicy('https://shop.example.com/', false);
  const any = originPolicy('*', false);
  const cases: [string, (o: string | undefined) => boolean, string | undefined, boolean][] = [
    ['demo site', defaults, 'http://localhost:8080', true],
    ['demo site by IP', defaults, 'http://127.0.0.1:8080', true],
    ['any localhost port', defaults, 'http://localhost:5173', true],
    ['IPv6 loopback', defaults, 'http://[::1]:3000', true],
    ['no Origin header (curl)', defaults, undefined, true],
    ['foreign site', defaults, 'https://evil.example', false],
    ['localhost look-alike', defaults, 'http://localhost.evil.example', false],
    ['configured origin, trailing slash ignored', strict, 'https://shop.example.com', true],
    ['case-insensitive', strict, 'HTTPS://SHOP.EXAMPLE.COM', true],
    ['localhost off', strict, 'http://localhost:8080', false],
    ['wildcard', any, 'https://anything.example', true],
  ];
  for (const [name, policy, origin, expected] of cases) assert.equal(policy(origin), expected, name);
});
