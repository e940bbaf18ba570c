// fast-check generators of hostile POST /analytics requests. Every request is invalid by
// construction (a valid event with exactly one thing broken, or a broken body/header), and says
// which status and which field the collector must name in its answer.
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { LIMITS } from '#contract';

export interface HostileRequest {
  kind: string;
  /** undefined: no Content-Type header at all. */
  contentType: string | undefined;
  payload: string | Buffer;
  status: 400 | 403 | 413 | 415;
  /** JSON Pointers one of which the answer's errors[] must name (prefix match); empty for 403/413/415. */
  fields: string[];
  /** What the named field's message (or the answer's message, for 403/413/415) must say. */
  message?: RegExp;
  /** Further request headers (Origin, Referer). */
  headers?: Record<string, string>;
}

type Event = Record<string, unknown>;
type Broken = { event: Event; fields: string[]; kind: string; message?: RegExp };

const STRING_FIELDS = { event_type: LIMITS.eventType, page_url: LIMITS.pageUrl, page_title: LIMITS.pageTitle, button_id: LIMITS.buttonId, session_id: LIMITS.sessionId, user_agent: LIMITS.userAgent, site_id: LIMITS.siteId } as const;
const FIELDS = [...Object.keys(STRING_FIELDS), 'event_id', 'timestamp', 'metadata'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'text/plain;charset=UTF-8'];

const pointer = (key: string) => `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
// Own data properties, so "__proto__" is serialized as a key instead of setting a prototype.
const withKey = (o: Event, key: string, value: unknown): Event => Object.defineProperty({ ...o }, key, { value, enumerable: true, configurable: true, writable: true });

const validEvent: fc.Arbitrary<Event> = fc.record(
  {
    event_id: fc.uuid(),
    event_type: fc.constantFrom('page_view', 'button_click', 'navigation_click', 'page_unload', 'signup.done:v2'),
    page_url: fc.nat(10_000).map((n) => `https://site.example/p/${n}?q=${n % 7}`),
    page_title: fc.string({ unit: 'grapheme-ascii', maxLength: 50 }),
    button_id: fc.constantFrom('buy', 'nav-home', 'x'),
    session_id: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 1, maxLength: 32 }),
    timestamp: fc.integer({ min: -3_600_000, max: 60_000 }).map((d) => new Date(Date.now() + d).toISOString()),
    metadata: fc.dictionary(fc.constantFrom('a', 'b', 'ref'), fc.oneof(fc.integer(), fc.string({ unit: 'grapheme-ascii', maxLength: 20 })), { maxKeys: 3 }),
  },
  { requiredKeys: ['event_type', 'page_url'] },
);

const notString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.nat(), { maxKeys: 2 }));
const notObject = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.string(), fc.array(fc.nat(), { maxLength: 3 }));
const badChar = fc.constantFrom('\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF');
const keyFault = (ch: string) => (ch === '\u0000' ? /^a key contains a NUL character/ : /^a key contains a lone UTF-16 surrogate/);
const insertAt = (s: string, ch: string, at: number) => s.slice(0, at % (s.length + 1)) + ch + s.slice(at % (s.length + 1));
const nested = (levels: number, arrays: boolean): unknown => {
  let node: unknown = 1;
  for (let i = 0; i < levels; i++) node = arrays ? [node] : { n: node };
  return node;
};

// One field made wrong; `fields` is what the answer must name.
const breakers: fc.Arbitrary<(e: Event) => Broken>[] = [
  fc.tuple(fc.constantFrom(...FIELDS), notString, notObject).map(([field, v, o]) => (e: Event) => ({ kind: 'wrong_type', event: { ...e, [field]: field === 'metadata' ? o : v }, fields: [`/${field}`] })),
  fc.subarray(['event_type', 'page_url'], { minLength: 1 }).map((gone) => (e: Event) => {
    const event = { ...e };
    for (const g of gone) delete event[g];
    return { kind: 'missing_field', event, fields: gone.map((g) => `/${g}`) };
  }),
  fc.tuple(fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !FIELDS.includes(k)), fc.jsonValue({ maxDepth: 2 })).map(([key, v]) => (e: Event) => ({ kind: 'extra_field', event: withKey(e, key, v), fields: [pointer(key), `/${key}`] })),
  fc.tuple(fc.constantFrom(...(Object.keys(STRING_FIELDS) as (keyof typeof STRING_FIELDS)[])), fc.integer({ min: 1, max: 40 })).map(([field, times]) => (e: Event) => ({ kind: 'huge_string', event: { ...e, [field]: 'x'.repeat(STRING_FIELDS[field] * times + 1) }, fields: [`/${field}`], message: field === 'event_type' || field === 'page_url' ? undefined : /too long/ })),
  // Characters, not UTF-16 units: one emoji more than the limit is too long, and says so.
  fc.tuple(fc.constantFrom('page_title', 'button_id', 'session_id', 'user_agent', 'site_id') , fc.constantFrom('😀', '𝄞', '👩‍👩‍👧')).map(([field, ch]) => (e: Event) => {
    const max = STRING_FIELDS[field];
    const text = [...ch.repeat(max + 1)].slice(0, max + 1).join('');
    return { kind: 'too_long_in_characters', event: { ...e, [field]: text }, fields: [`/${field}`], message: new RegExp(`too long: at most ${max} characters \\(got ${max + 1}\\)`) };
  }),
  fc.integer({ min: 20_000, max: 120_000 }).map((n) => (e: Event) => ({ kind: 'huge_array', event: { ...e, metadata: { list: new Array<number>(n).fill(7) } }, fields: ['/metadata'] })),
  fc.integer({ min: LIMITS.metadataBytes, max: 300_000 }).map((n) => (e: Event) => ({ kind: 'huge_metadata', event: { ...e, metadata: { s: 'm'.repeat(n) } }, fields: ['/metadata'] })),
  fc.integer({ min: LIMITS.metadataKeys + 1, max: 2000 }).map((n) => (e: Event) => ({ kind: 'too_many_keys', event: { ...e, metadata: Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])) }, fields: ['/metadata'] })),
  fc.tuple(fc.integer({ min: LIMITS.metadataDepth, max: 300 }), fc.boolean()).map(([levels, arrays]) => (e: Event) => ({ kind: 'deep_nesting', event: { ...e, metadata: { d: nested(levels, arrays) } }, fields: ['/metadata'] })),
  fc.tuple(fc.constantFrom('page_title', 'button_id', 'session_id', 'user_agent', 'site_id', 'event_type', 'page_url'), badChar, fc.nat()).map(([field, ch, at]) => (e: Event) => ({ kind: 'nul_or_surrogate', event: { ...e, [field]: insertAt(String(e[field] ?? 'value'), ch, at) }, fields: [`/${field}`] })),
  fc.tuple(badChar, fc.nat(), fc.boolean()).map(([ch, at, inKey]) => (e: Event) => {
    const key = insertAt('key', ch, at);
    // A bad key is named by its own pointer with its own fault, like a bad value.
    return inKey
      ? { kind: 'nul_or_surrogate_metadata', event: { ...e, metadata: { [key]: 1 } }, fields: [`/metadata${pointer(key)}`], message: keyFault(ch) }
      : { kind: 'nul_or_surrogate_metadata', event: { ...e, metadata: { k: insertAt('value', ch, at) } }, fields: ['/metadata/k'], message: ch === '\u0000' ? /^contains a NUL character/ : /^contains a lone UTF-16 surrogate/ };
  }),
  // The nil and max UUIDs are placeholders: as event_id they would merge unrelated clients' events.
  fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF').map((id) => (e: Event) => ({ kind: 'placeholder_event_id', event: { ...e, event_id: id }, fields: ['/event_id'], message: /(nil|max) UUID: it is not unique/ })),
  // The same hostile values inside arrays: validation that skipped array elements would pass them.
  fc.tuple(
    fc.oneof(
      badChar.map((ch) => ({ value: `v${ch}` as unknown, message: /^contains (a NUL character|a lone UTF-16 surrogate)/ })),
      fc.constantFrom('__proto__', 'constructor', 'prototype').map((k) => ({ value: withKey({}, k, 1) as unknown, message: /not allowed/ })),
      badChar.map((ch) => ({ value: { [`k${ch}`]: 1 } as unknown, message: keyFault(ch) })),
    ),
    fc.array(fc.oneof(fc.integer(), fc.string({ unit: 'grapheme-ascii', maxLength: 5 })), { maxLength: 3 }),
    fc.nat(3),
    fc.boolean(),
  ).map(([{ value, message }, siblings, at, wrap]) => (e: Event) => {
    const list: unknown[] = [...siblings];
    list.splice(at % (list.length + 1), 0, wrap ? [value] : value);
    return { kind: 'hostile_in_metadata_array', event: { ...e, metadata: { list } }, fields: ['/metadata/list'], message };
  }),
  fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.integer({ min: 0, max: 3 }), fc.jsonValue({ maxDepth: 1 })).map(([key, depth, v]) => (e: Event) => {
    if (depth === 0) return { kind: 'prototype_key', event: withKey(e, key, v), fields: [pointer(key)] };
    let node: Event = withKey({}, key, v);
    for (let i = 1; i < depth; i++) node = { n: node };
    return { kind: 'prototype_key', event: { ...e, metadata: node }, fields: ['/metadata'] };
  }),
  fc.oneof(
    fc.constantFrom('javascript:alert(1)', 'ftp://x.example/', '//x.example/p', '/relative', 'http://', 'https://', 'http:// a.example', 'https://[::1', 'mailto:a@b.c', 'data:text/html,<b>x</b>', 'file:///etc/passwd', ''),
    fc.string().filter((s) => !/^https?:\/\//i.test(s)),
  ).map((url) => (e: Event) => ({ kind: 'invalid_url', event: { ...e, page_url: url }, fields: ['/page_url'], message: /absolute http\(s\) URL/ })),
  // A valid URL that is too long is refused as too long, not as "not a URL".
  fc.nat(2000).map((n) => (e: Event) => ({ kind: 'url_too_long', event: { ...e, page_url: `https://a.example/${'p'.repeat(LIMITS.pageUrl + n)}` }, fields: ['/page_url'], message: /too long/ })),
  fc.oneof(
    fc.uuid().map((u) => u.replace(/-/g, '')),
    fc.uuid().map((u) => `{${u}}`),
    fc.uuid().map((u) => `${u}0`),
    fc.constantFrom('', 'not-a-uuid', 'gggggggg-gggg-gggg-gggg-gggggggggggg', "' OR 1=1 --"),
    fc.string().filter((s) => !UUID.test(s)),
  ).map((id) => (e: Event) => ({ kind: 'invalid_uuid', event: { ...e, event_id: id }, fields: ['/event_id'] })),
  fc.oneof(fc.constantFrom('yesterday', '2026-13-01T00:00:00Z', '2026-01-01T00:00:00', '2026-02-30T25:61:00Z', '1700000000', ''), fc.string({ maxLength: 30 }).filter((s) => Number.isNaN(Date.parse(s)))).map((ts) => (e: Event) => ({ kind: 'invalid_timestamp', event: { ...e, timestamp: ts }, fields: ['/timestamp'] })),
  // Strict RFC 3339: the calendar, the clock, an offset, at most microseconds.
  fc.oneof(
    fc.constantFrom('2026-11-31T10:00:00Z', '2025-02-29T10:00:00Z', '1900-02-29T00:00:00Z', '2026-04-31T23:00:00+02:00', '2026-06-31T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T10:60:00Z', '2016-12-31T23:59:60Z', '2026-01-01T10:00:00+24:00', '2026-01-01T10:00:00.1234567Z', '2026-01-01 10:00:00Z'),
    fc.date({ min: new Date('2000-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }).map((d) => d.toISOString().replace('Z', '')),
  ).map((ts) => (e: Event) => ({ kind: 'impossible_timestamp', event: { ...e, timestamp: ts }, fields: ['/timestamp'], message: /RFC 3339/ })),
  fc.oneof(fc.constantFrom('', 'drop table', '<script>', 'a b', 'é'), fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/^[A-Za-z0-9_.:-]+$/.test(s))).map((t) => (e: Event) => ({ kind: 'invalid_event_type', event: { ...e, event_type: t }, fields: ['/event_type'] })),
  fc.constantFrom('session_id', 'site_id').map((field) => (e: Event) => ({ kind: 'empty_string', event: { ...e, [field]: '' }, fields: [`/${field}`] })),
];

const brokenEvent: fc.Arbitrary<Broken> = fc.tuple(validEvent, fc.oneof(...breakers)).map(([e, breakIt]) => breakIt(e));

const asJson = (kind: string, payload: unknown, fields: string[], contentType: string, message?: RegExp): HostileRequest => ({ kind, contentType, payload: JSON.stringify(payload), status: 400, fields, message });

// Numbers no double holds exactly: beyond 2^53, overflowing, underflowing, too many digits.
const inexactNumber = fc.oneof(
  fc.bigInt({ min: 2n ** 53n + 1n, max: 2n ** 70n }).filter((n) => BigInt(Number(n)) !== n).map(String),
  fc.constantFrom('1e400', '-1e309', '1e-400', '0.10000000000000000000001', '123456789012345678901234567890', '9007199254740993'),
);

const bodyCases: fc.Arbitrary<HostileRequest>[] = [
  fc.tuple(brokenEvent, fc.constantFrom(...JSON_TYPES)).map(([b, ct]) => asJson(b.kind, b.event, b.fields, ct, b.message)),
  // A batch in which every item is broken (one valid item would be accepted, by design).
  fc.tuple(fc.array(brokenEvent, { minLength: 1, maxLength: 5 }), fc.constantFrom(...JSON_TYPES)).map(([items, ct]) =>
    asJson('batch_all_invalid', items.map((b) => b.event), items.flatMap((b, i) => b.fields.map((f) => `/${i}${f === '/' ? '' : f}`)), ct)),
  fc.tuple(fc.integer({ min: LIMITS.batchSize + 1, max: LIMITS.batchSize + 300 }), validEvent).map(([n, e]) => asJson('batch_too_large', new Array<Event>(n).fill(e), ['/'], 'application/json')),
  fc.constant(asJson('batch_empty', [], ['/'], 'application/json')),
  fc.tuple(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string(), fc.boolean(), fc.constant(null)), fc.constantFrom(...JSON_TYPES)).map(([v, ct]) => asJson('not_an_object', v, ['/'], ct)),
  fc.tuple(fc.array(fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.nat())), { minLength: 1, maxLength: 5 })).map(([items]) => asJson('batch_of_non_objects', items, ['/0'], 'application/json')),
  // Truncated JSON: every proper prefix of an object's text is invalid JSON.
  fc.tuple(validEvent, fc.nat(), fc.constantFrom(...JSON_TYPES)).map(([e, at, ct]) => {
    const text = JSON.stringify(e);
    return { kind: 'truncated_json', contentType: ct, payload: text.slice(0, at % text.length), status: 400 as const, fields: ['/'] };
  }),
  fc.tuple(validEvent, fc.constantFrom(',', '}', ']', ' 1', 'x', '{', "'", 'NaN', '//c'), fc.boolean(), fc.constantFrom(...JSON_TYPES)).map(([e, junk, before, ct]) => {
    const text = JSON.stringify(e);
    return { kind: 'malformed_json', contentType: ct, payload: before ? `${junk}${text}` : `${text}${junk}`, status: 400 as const, fields: ['/'] };
  }),
  fc.tuple(validEvent, fc.constantFrom(...JSON_TYPES)).map(([e, ct]) => ({ kind: 'single_quoted_json', contentType: ct, payload: JSON.stringify(e).replace(/"/g, "'"), status: 400 as const, fields: ['/'] })),
  // Nested far deeper than JSON.stringify can recurse: the text is built, not serialized.
  fc.tuple(validEvent, fc.integer({ min: 5_000, max: 150_000 }), fc.boolean()).map(([e, levels, arrays]) => ({
    kind: 'deep_nesting_extreme',
    contentType: 'application/json',
    payload: JSON.stringify({ ...e, metadata: { d: 0 } }).replace('{"d":0}', `{"d":${(arrays ? '[' : '{"n":').repeat(levels)}1${(arrays ? ']' : '}').repeat(levels)}}`),
    status: 400 as const,
    fields: ['/metadata'],
  })),
  fc.string().filter((s) => !isJson(s)).map((s) => ({ kind: 'not_json', contentType: 'application/json', payload: s, status: 400 as const, fields: ['/'] })),
  // Text JSON.parse would keep altered: an inexact number (at the top of metadata or in an array)
  // or a key given twice.
  fc.tuple(validEvent, inexactNumber, fc.boolean(), fc.constantFrom(...JSON_TYPES)).map(([e, n, inArray, ct]) => ({
    kind: 'inexact_number',
    contentType: ct,
    payload: JSON.stringify({ ...e, metadata: { d: 0 } }).replace('{"d":0}', inArray ? `{"d":[1,{"x":${n}}]}` : `{"d":${n}}`),
    status: 400 as const,
    fields: [inArray ? '/metadata/d/1/x' : '/metadata/d'],
    message: /cannot be stored exactly/,
  })),
  fc.tuple(validEvent, fc.constantFrom('event_type', 'page_url', 'metadata'), fc.boolean()).map(([e, field, inMetadata]) => {
    const text = JSON.stringify({ ...e, metadata: { d: 0 } });
    return {
      kind: 'duplicate_key',
      contentType: 'application/json',
      payload: inMetadata ? text.replace('{"d":0}', '{"d":[{"k":1,"k":2}]}') : text.replace(/}$/, `,${JSON.stringify(field)}:${JSON.stringify(e[field] ?? { d: 1 })}}`),
      status: 400 as const,
      fields: [inMetadata ? '/metadata/d/0/k' : `/${field}`],
      message: /given twice/,
    };
  }),
  // Bytes that are not UTF-8 inside a string: refused by field, never stored as U+FFFD.
  fc.tuple(validEvent, fc.constantFrom([0xe9], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xff], [0xc0, 0xaf]), fc.constantFrom('application/json', 'text/plain;charset=UTF-8')).map(([e, bytes, ct]) => {
    const [head, tail] = JSON.stringify({ ...e, page_title: 'a<>b' }).split('<>') as [string, string];
    return { kind: 'invalid_utf8', contentType: ct, payload: Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]), status: 400 as const, fields: ['/page_title'], message: /not valid UTF-8/ };
  }),
  fc.tuple(validEvent, fc.constantFrom('x-made-up', 'iso-2022-kr', 'hz-gb-2312', 'utf-7', '', 'binary')).map(([e, charset]) => ({
    kind: 'unsupported_charset',
    contentType: `application/json; charset=${charset}`,
    payload: JSON.stringify(e),
    status: 415 as const,
    fields: [],
    message: /charset/,
  })),
  // A browser on another site: refused whatever the body, before it is read.
  fc.tuple(validEvent, fc.oneof(
    fc.constantFrom('https://other.example', 'null', 'http://localhost.evil.example', 'http://127.0.0.1.nip.io:8080').map((origin) => ({ origin })),
    fc.constantFrom('https://other.example/page', 'not a url').map((referer) => ({ referer })),
  )).map(([e, headers]) => ({ kind: 'origin_not_allowed', contentType: 'text/plain', payload: JSON.stringify(e), status: 403 as const, fields: [], headers, message: /may not send events/ })),
  fc.tuple(validEvent, fc.oneof(
    fc.constantFrom('text/html', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', 'application/jsonx', 'text/json5', 'image/png', ';;;', '', 'json'),
    fc.stringMatching(/^[a-z][a-z0-9.+-]{0,15}\/[a-z][a-z0-9.+-]{0,15}$/).filter((t) => t !== 'application/json' && t !== 'text/plain'),
    fc.constant(undefined),
  )).map(([e, ct]) => ({ kind: ct === undefined ? 'missing_content_type' : 'wrong_content_type', contentType: ct, payload: JSON.stringify(e), status: 415 as const, fields: [] })),
  // PostgreSQL's jsonb has no negative zero: -0 would be stored as 0.
  fc.tuple(validEvent, fc.constantFrom('-0', '-0.0', '-0e0', '-0.000E+5', '-0e-7'), fc.boolean(), fc.constantFrom(...JSON_TYPES)).map(([e, n, inArray, ct]) => ({
    kind: 'negative_zero',
    contentType: ct,
    payload: JSON.stringify({ ...e, metadata: { d: 0 } }).replace('{"d":0}', inArray ? `{"d":[1,{"x":${n}}]}` : `{"d":${n}}`),
    status: 400 as const,
    fields: [inArray ? '/metadata/d/1/x' : '/metadata/d'],
    message: /no negative zero/,
  })),
  // Compressed bodies are named, not decoded as if they were text.
  fc.tuple(validEvent, fc.constantFrom('gzip', 'deflate', 'br', 'compress', 'x-gzip', 'zstd', 'GZIP', 'gzip, identity')).map(([e, coding]) => {
    const json = JSON.stringify(e);
    const first = coding.split(',')[0]!.toLowerCase();
    const payload = first === 'gzip' ? gzipSync(json) : first === 'deflate' ? deflateSync(json) : first === 'br' ? brotliCompressSync(json) : Buffer.from(json);
    return { kind: 'content_encoding', contentType: 'application/json', payload, headers: { 'content-encoding': coding }, status: 415 as const, fields: [], message: new RegExp(`Content-Encoding "${first}" is not supported`) };
  }),
  // Content types readers could read two ways: a charset twice, spaces around "=", an open quote.
  fc.tuple(validEvent, fc.constantFrom('application/json; charset=iso-8859-1; charset=utf-8', 'text/plain; charset=utf-8; Charset=utf-8', 'application/json; charset =utf-8', 'application/json; charset= utf-8', 'application/json; charset="utf-8', 'application/json; charset')).map(([e, ct]) => ({
    kind: 'ambiguous_content_type',
    contentType: ct,
    payload: JSON.stringify(e),
    status: 415 as const,
    fields: [],
    message: /charset parameter/,
  })),
  // Charsets of the Encoding Standard whose decoding the collector has not verified.
  fc.tuple(validEvent, fc.constantFrom('iso-8859-2', 'windows-1251', 'koi8-r', 'shift_jis', 'gbk', 'euc-kr', 'big5', 'macintosh')).map(([e, charset]) => ({
    kind: 'unverified_charset',
    contentType: `application/json; charset=${charset}`,
    payload: JSON.stringify(e),
    status: 415 as const,
    fields: [],
    message: new RegExp(`charset "${charset}" is not supported \\(.*not verified`),
  })),
  fc.tuple(validEvent, fc.integer({ min: 1, max: 256 * 1024 }), fc.constantFrom(...JSON_TYPES)).map(([e, extra, ct]) => ({
    kind: 'oversized_body',
    contentType: ct,
    payload: JSON.stringify({ ...e, metadata: { s: OVERSIZE.slice(0, 1024 * 1024 + extra) } }),
    status: 413 as const,
    fields: [],
  })),
];

const OVERSIZE = 'o'.repeat(1024 * 1024 + 256 * 1024);

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

// Broken events dominate: they exercise the contract field by field. Oversized bodies are rare
// because each costs a megabyte.
const WEIGHTS = [40, 8, 1, 1, 3, 2, 6, 4, 2, 2, 3, 3, 2, 2, 2, 2, 5, 2, 2, 2, 2, 1];
export const hostileRequest: fc.Arbitrary<HostileRequest> = fc.oneof(...bodyCases.map((arbitrary, i) => ({ arbitrary, weight: WEIGHTS[i] ?? 1 })));

/** Every kind the generators make; the fuzz requires each to have run and been answered as specified. */
export const KINDS = [
  'wrong_type', 'missing_field', 'extra_field', 'huge_string', 'too_long_in_characters', 'huge_array', 'huge_metadata', 'too_many_keys',
  'deep_nesting', 'nul_or_surrogate', 'nul_or_surrogate_metadata', 'hostile_in_metadata_array', 'prototype_key', 'invalid_url', 'url_too_long',
  'invalid_uuid', 'impossible_timestamp', 'invalid_timestamp', 'invalid_event_type', 'empty_string',
  'batch_all_invalid', 'batch_too_large', 'batch_empty', 'not_an_object', 'batch_of_non_objects', 'truncated_json', 'malformed_json',
  'single_quoted_json', 'deep_nesting_extreme', 'not_json', 'inexact_number', 'duplicate_key', 'invalid_utf8', 'unsupported_charset',
  'origin_not_allowed', 'wrong_content_type', 'missing_content_type', 'oversized_body',
  'placeholder_event_id', 'negative_zero', 'content_encoding', 'ambiguous_content_type', 'unverified_charset',
].sort();
