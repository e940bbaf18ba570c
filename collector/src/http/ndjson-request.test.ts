import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BodyError } from '../../../lib/http-body/json-body.ts';
import { ndjsonCoding } from './ndjson-request.ts';

test('application/x-ndjson in UTF-8, identity or gzip', () => {
  assert.deepEqual(ndjsonCoding({ 'content-type': 'application/x-ndjson' }), { gzip: false });
  assert.deepEqual(ndjsonCoding({ 'content-type': 'Application/X-NDJSON; Charset="UTF-8"', 'content-encoding': 'identity' }), { gzip: false });
  assert.deepEqual(ndjsonCoding({ 'content-type': 'application/x-ndjson;charset=utf8', 'content-encoding': 'gzip' }), { gzip: true });
});

test('other types, charsets and codings are 415 naming them', () => {
  const refused = (headers: Parameters<typeof ndjsonCoding>[0], code: string, text: RegExp, field: string) =>
    assert.throws(() => ndjsonCoding(headers), (e: unknown) => e instanceof BodyError && e.statusCode === 415 && e.code === code && text.test(e.message) && e.field === field);
  refused({}, 'unsupported_media_type', /content type "" is not supported/, 'Content-Type');
  refused({ 'content-type': 'application/json' }, 'unsupported_media_type', /"application\/json"/, 'Content-Type');
  refused({ 'content-type': 'application/x-ndjson; charset=iso-8859-1' }, 'unsupported_charset', /"iso-8859-1"/, 'Content-Type');
  refused({ 'content-type': 'application/x-ndjson; charset=utf-16le' }, 'unsupported_charset', /"utf-16le"/, 'Content-Type');
  refused({ 'content-type': 'application/x-ndjson; charset=utf-8; charset=latin1' }, 'unsupported_media_type', /charset/, 'Content-Type');
  refused({ 'content-type': 'application/x-ndjson', 'content-encoding': 'br' }, 'unsupported_content_encoding', /"br"/, 'Content-Encoding');
  refused({ 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip, gzip' }, 'unsupported_content_encoding', /"gzip, gzip"/, 'Content-Encoding');
});
