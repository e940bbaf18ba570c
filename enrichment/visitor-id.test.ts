import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { needsSalt, normalizeIp, visitorHash, visitorId, type VisitorInput } from './visitor-id.ts';

const SALT = Buffer.alloc(32, 7);
const OTHER_SALT = Buffer.alloc(32, 8);
const PROJECT = '11111111-1111-4111-8111-111111111111';
const EVENT = '22222222-2222-4222-8222-222222222222';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0';
const base: VisitorInput = { projectId: PROJECT, mode: 'daily', eventId: EVENT };
const hashOf = (ip: string, ua = UA, salt = SALT, project = PROJECT) => `h:${visitorHash(salt, project, ip, ua)}`;

test('the rules of docs/metrics.md apply in order', () => {
  const cases: { name: string; input: Partial<VisitorInput>; expected: string }[] = [
    { name: 'user_id wins over everything', input: { userId: 'u-42', anonymousId: 'anon', ip: '1.2.3.4', userAgent: UA, sessionId: 's', mode: 'anonymous_id' }, expected: 'u:u-42' },
    { name: 'anonymous_id mode takes the anonymous id before the hash', input: { mode: 'anonymous_id', anonymousId: 'anon', ip: '1.2.3.4', userAgent: UA }, expected: 'a:anon' },
    { name: 'anonymous_id mode without an anonymous id hashes', input: { mode: 'anonymous_id', ip: '1.2.3.4', userAgent: UA }, expected: hashOf('1.2.3.4') },
    { name: 'daily mode hashes even when an anonymous id is sent', input: { anonymousId: 'anon', ip: '1.2.3.4', userAgent: UA, sessionId: 's' }, expected: hashOf('1.2.3.4') },
    { name: 'monthly mode hashes the same way (the salt differs)', input: { mode: 'monthly', ip: '1.2.3.4', userAgent: UA }, expected: hashOf('1.2.3.4') },
    { name: 'no IP: the anonymous id', input: { anonymousId: 'anon', userAgent: UA, sessionId: 's' }, expected: 'a:anon' },
    { name: 'no IP, no anonymous id: the session', input: { userAgent: UA, sessionId: 's-1' }, expected: 's:s-1' },
    { name: 'nothing else: the event itself', input: { userAgent: UA }, expected: `e:${EVENT}` },
  ];
  for (const c of cases) assert.equal(visitorId({ ...base, ...c.input }, SALT), c.expected, c.name);
});

test('the hash is 32 hex digits of HMAC-SHA256 keyed with the salt', () => {
  const id = visitorId({ ...base, ip: '203.0.113.9', userAgent: UA }, SALT)!;
  assert.match(id, /^h:[0-9a-f]{32}$/);
  // Independently: length-prefixed project, IP and UA under the salt.
  const frame = (s: string) => {
    const b = Buffer.from(s);
    const n = Buffer.alloc(4);
    n.writeUInt32BE(b.length);
    return Buffer.concat([n, b]);
  };
  const expected = createHmac('sha256', SALT).update(Buffer.concat([frame(PROJECT), frame('203.0.113.9'), frame(UA)])).digest('hex').slice(0, 32);
  assert.equal(id, `h:${expected}`);
});

test('each input of the hash changes it; the same inputs give the same id', () => {
  const one = visitorId({ ...base, ip: '1.2.3.4', userAgent: UA }, SALT);
  assert.equal(visitorId({ ...base, ip: '1.2.3.4', userAgent: UA, sessionId: 'another tab' }, SALT), one, 'the session is not part of the hash');
  const different: [string, string | undefined][] = [
    ['another salt (the next day)', visitorId({ ...base, ip: '1.2.3.4', userAgent: UA }, OTHER_SALT)],
    ['another project', visitorId({ ...base, projectId: '33333333-3333-4333-8333-333333333333', ip: '1.2.3.4', userAgent: UA }, SALT)],
    ['another IP', visitorId({ ...base, ip: '1.2.3.5', userAgent: UA }, SALT)],
    ['another user agent', visitorId({ ...base, ip: '1.2.3.4', userAgent: `${UA} Edge` }, SALT)],
    ['no user agent', visitorId({ ...base, ip: '1.2.3.4' }, SALT)],
  ];
  for (const [name, id] of different) assert.notEqual(id, one, name);
});

test('fields are separated unambiguously: moving characters between IP and user agent changes the hash', () => {
  // Without length prefixes "1.2.3.4" + "5 UA" and "1.2.3.45" + " UA" would be the same bytes.
  assert.notEqual(visitorHash(SALT, PROJECT, '1.2.3.4', '5 UA'), visitorHash(SALT, PROJECT, '1.2.3.45', ' UA'));
  assert.notEqual(visitorHash(SALT, 'ab', 'c', ''), visitorHash(SALT, 'a', 'bc', ''));
});

test('a missing user agent is hashed as the empty one, and needs the salt like any hash', () => {
  const input = { ...base, ip: '2001:db8::1' };
  assert.equal(needsSalt(input), true);
  assert.equal(visitorId(input), undefined, 'no made-up id without a salt');
  assert.equal(visitorId(input, SALT), hashOf('2001:db8::1', ''));
});

test('needsSalt is true exactly when the hash rule applies', () => {
  const cases: [Partial<VisitorInput>, boolean][] = [
    [{ ip: '1.2.3.4' }, true],
    [{ ip: '1.2.3.4', userId: 'u' }, false],
    [{ ip: '1.2.3.4', anonymousId: 'a', mode: 'anonymous_id' }, false],
    [{ ip: '1.2.3.4', anonymousId: 'a', mode: 'monthly' }, true],
    [{ anonymousId: 'a' }, false],
    [{ sessionId: 's' }, false],
  ];
  for (const [input, expected] of cases) assert.equal(needsSalt({ ...base, ...input }), expected, JSON.stringify(input));
  // Without a salt every other rule still answers.
  assert.equal(visitorId({ ...base, sessionId: 's' }), 's:s');
});

test('one address is one text: IPv4-mapped IPv6 is IPv4, IPv6 is canonical', () => {
  const cases: [string, string][] = [
    ['1.2.3.4', '1.2.3.4'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:1.2.3.4', '1.2.3.4'],
    ['::ffff:0102:0304', '1.2.3.4'],
    ['0:0:0:0:0:ffff:c000:0280', '192.0.2.128'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8::0:1', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::1', '::1'],
    ['::', '::'],
    [' 10.0.0.1 ', '10.0.0.1'],
    ['not an address', 'not an address'],
  ];
  for (const [given, expected] of cases) assert.equal(normalizeIp(given), expected, given);
  // So a dual-stack socket's view and the plain address are one visitor.
  assert.equal(visitorId({ ...base, ip: '::ffff:198.51.100.7', userAgent: UA }, SALT), visitorId({ ...base, ip: '198.51.100.7', userAgent: UA }, SALT));
  assert.equal(visitorId({ ...base, ip: '2001:DB8::A', userAgent: UA }, SALT), visitorId({ ...base, ip: '2001:db8:0::a', userAgent: UA }, SALT));
});
