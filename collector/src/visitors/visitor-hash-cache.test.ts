import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { visitorId, type VisitorInput } from '#enrichment';
import { VisitorHashCache } from './visitor-hash-cache.ts';

const input = (over: Partial<VisitorInput> = {}): VisitorInput & { ip: string } => ({ projectId: 'p1', mode: 'daily', ip: '10.0.0.1', userAgent: 'UA/1', eventId: 'e', ...over }) as VisitorInput & { ip: string };

test('remembered ids are the hash itself, per salt, per project, address and user agent', () => {
  const cache = new VisitorHashCache();
  const [a, b] = [randomBytes(32), randomBytes(32)];
  const variants = [
    input(),
    input({ projectId: 'p2' }),
    input({ ip: '10.0.0.2' }),
    input({ userAgent: 'UA/2' }),
    input({ userAgent: undefined }),
    // Length prefixes: moving characters between fields is another visitor.
    input({ projectId: 'p1', ip: '10.0.0.1', userAgent: '1UA/1' }),
    input({ projectId: 'p11', ip: '0.0.0.1', userAgent: 'UA/1' }),
  ];
  for (let round = 0; round < 2; round++) {
    for (const salt of [a, b]) {
      for (const v of variants) assert.equal(cache.idFor(v, salt), visitorId(v, salt), `round ${round}`);
    }
  }
  assert.notEqual(cache.idFor(input(), a), cache.idFor(input(), b), 'another salt, another id');
  assert.notEqual(cache.idFor(input(), a), cache.idFor(input({ ip: '10.0.0.2' }), a));
});

test('many visitors and salts: still exact after the caches start over', () => {
  const cache = new VisitorHashCache();
  const salts = Array.from({ length: 6 }, () => randomBytes(32));
  for (let i = 0; i < 45_000; i += 1) {
    const salt = salts[i % salts.length]!;
    const v = input({ ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` });
    if (i % 997 === 0) assert.equal(cache.idFor(v, salt), visitorId(v, salt));
    else cache.idFor(v, salt);
  }
});
