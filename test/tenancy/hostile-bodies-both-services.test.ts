// The same hostile body to the same tenancy route gets the same answer from the collector and
// the query API (status, error code, field, message), and stores nothing. The two read bodies
// with different parsers (the API's refuses unstorable text itself), so this is where a second
// wording would show. A bad key is named by its own pointer on both.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bothServices, send, type BothServices } from './both-services.ts';

let both: BothServices;
before(async () => {
  both = await bothServices();
});
after(() => both?.close());

interface Case {
  name: string;
  method: 'POST' | 'PATCH';
  url: () => string;
  /** The body exactly as sent: JSON text (NUL and lone surrogates as \u escapes) or raw bytes. */
  payload: string | Buffer;
  contentType?: string;
  admin: boolean;
  expected: { status: number; error: string; field: string | undefined; message?: RegExp };
}

const projects = () => '/api/v1/admin/projects';
const keys = () => '/api/v1/admin/keys';
const project = () => `/api/v1/admin/projects/${both.projectId}`;
const login = () => '/api/v1/auth/login';
const refresh = () => '/api/v1/auth/refresh';
const NUL = /contains a NUL character \(U\+0000\)/;
const SURROGATE = /contains a lone UTF-16 surrogate/;
const PROTOTYPE = /is not allowed \(it could reach an object prototype/;
const invalid = (field: string, message?: RegExp) => ({ status: 400, error: 'invalid_field', field, ...(message ? { message } : {}) });

const CASES: Case[] = [
  { name: 'NUL in a value', method: 'POST', url: projects, payload: '{"name":"a\\u0000b"}', admin: true, expected: invalid('/name', NUL) },
  { name: 'NUL in a sign-in value', method: 'POST', url: login, payload: '{"email":"ana\\u0000@example.com","password":"x"}', admin: false, expected: invalid('/email', NUL) },
  { name: 'lone surrogate in a value', method: 'POST', url: keys, payload: '{"scopes":["ingest"],"name":"x\\ud800"}', admin: true, expected: invalid('/name', SURROGATE) },
  { name: 'lone surrogate in a nested value', method: 'POST', url: projects, payload: '{"name":"nested","allowed_origins":["https://ok.example","\\udc00"]}', admin: true, expected: invalid('/allowed_origins/1', SURROGATE) },
  { name: 'lone surrogate in a PATCH value', method: 'PATCH', url: project, payload: '{"visitor_id_mode":"monthly\\ud800"}', admin: true, expected: invalid('/visitor_id_mode', SURROGATE) },
  { name: 'lone surrogate in a key: the key is named', method: 'POST', url: projects, payload: '{"name":"keyed","\\udc00k":1}', admin: true, expected: invalid('/\udc00k', /a key contains a lone UTF-16 surrogate/) },
  { name: 'NUL in a key holding "/" and "~": the key, escaped', method: 'POST', url: refresh, payload: '{"refresh_token":"x","a/b~\\u0000":1}', admin: false, expected: invalid('/a~1b~0\u0000', /a key contains a NUL character/) },
  { name: 'prototype key', method: 'POST', url: login, payload: '{"email":"ana@example.com","password":"x","__proto__":{"admin":true}}', admin: false, expected: invalid('/__proto__', PROTOTYPE) },
  { name: 'prototype key, nested', method: 'POST', url: projects, payload: '{"name":"proto","allowed_origins":[{"constructor":1}]}', admin: true, expected: invalid('/allowed_origins/0/constructor', PROTOTYPE) },
  { name: 'key given twice', method: 'POST', url: projects, payload: '{"name":"one","name":"two"}', admin: true, expected: invalid('/name', /is given twice in one object/) },
  { name: 'wrong type', method: 'POST', url: keys, payload: '{"scopes":["ingest"],"expires_in_days":"7"}', admin: true, expected: invalid('/expires_in_days', /must be integer/) },
  { name: 'wrong type at sign-in', method: 'POST', url: refresh, payload: '{"refresh_token":1}', admin: false, expected: invalid('/refresh_token', /must be string/) },
  { name: 'scope given twice (refused as the CLI refuses --scopes ingest,ingest)', method: 'POST', url: keys, payload: '{"scopes":["ingest","read","ingest"]}', admin: true, expected: invalid('/scopes', /scope "ingest" is given twice: give each scope once/) },
  { name: 'unknown key', method: 'POST', url: projects, payload: '{"name":"colourful","colour":"red"}', admin: true, expected: invalid('/colour', /is not a known field/) },
  { name: 'unknown key holding "/"', method: 'POST', url: keys, payload: '{"scopes":["ingest"],"a/b":1}', admin: true, expected: invalid('/a~1b', /is not a known field/) },
  { name: 'bad JSON', method: 'POST', url: projects, payload: '{"name":', admin: true, expected: { status: 400, error: 'invalid_json', field: '/' } },
  { name: 'bad charset', method: 'POST', url: login, payload: '{"email":"ana@example.com","password":"x"}', contentType: 'application/json; charset=klingon', admin: false, expected: { status: 415, error: 'unsupported_charset', field: '/' } },
  { name: 'bytes not UTF-8', method: 'POST', url: projects, payload: Buffer.from([...Buffer.from('{"name":"caf'), 0xe9, ...Buffer.from('"}')]), admin: true, expected: { status: 400, error: 'invalid_encoding', field: '/name' } },
];

test('every hostile body: the same status, error, field and message from the collector and the query API, and nothing stored', async () => {
  const before = await both.counts();
  for (const c of CASES) {
    const answers = [];
    for (const { name, app } of both.services) {
      const headers: Record<string, string> = { 'content-type': c.contentType ?? 'application/json' };
      if (c.admin) headers['x-api-key'] = both.adminKey;
      const answer = await send(app, { method: c.method, url: c.url(), headers, payload: c.payload });
      const { status, error, field, message } = c.expected;
      assert.deepEqual([answer.status, answer.body.error, answer.body.errors?.[0]?.field], [status, error, field], `${name}, ${c.name}: ${JSON.stringify(answer.body)}`);
      if (error === 'invalid_field') {
        // "<field>: <reason>", in the message and in errors[0].
        assert.ok((answer.body.message as string).startsWith(`${field!}: `), `${name}, ${c.name}: ${answer.body.message as string}`);
        assert.equal(answer.body.errors[0].message, answer.body.message, `${name}, ${c.name}`);
      }
      if (message !== undefined) assert.match(answer.body.message as string, message, `${name}, ${c.name}`);
      answers.push(answer);
    }
    assert.deepEqual(answers[1], answers[0], `${c.name}: the query API answers as the collector does`);
  }
  assert.deepEqual(await both.counts(), before, 'no project, key, user or session stored, no setting changed');
});
