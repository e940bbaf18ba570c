// Every charset label the collector accepts decodes bytes as the WHATWG Encoding Standard says;
// the others are refused by name. The expected code points are the standard's index-windows-1252
// (https://encoding.spec.whatwg.org/index-windows-1252.txt), written here as numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { charsetFor, charsetParameter } from './charsets.ts';
import { decodeBody } from './json-body.ts';

// index-windows-1252 pointers 0-31 (bytes 0x80-0x9F); bytes 0xA0-0xFF are U+00A0-U+00FF.
const INDEX_80_9F = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
  0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
];
const expected = (byte: number) => (byte < 0x80 ? byte : byte < 0xa0 ? INDEX_80_9F[byte - 0x80]! : byte);

// Every label the Encoding Standard gives windows-1252.
const WINDOWS_1252_LABELS = ['ansi_x3.4-1968', 'ascii', 'cp1252', 'cp819', 'csisolatin1', 'ibm819', 'iso-8859-1', 'iso-ir-100', 'iso8859-1', 'iso88591', 'iso_8859-1', 'iso_8859-1:1987', 'l1', 'latin1', 'us-ascii', 'windows-1252', 'x-cp1252'];

test('windows-1252 and all its labels: every byte 0x00-0xFF decodes to the WHATWG index', () => {
  const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  for (const label of [...WINDOWS_1252_LABELS, 'ISO-8859-1', 'Latin1', 'US-ASCII']) {
    // A label with ":" is not an RFC 9110 token: it is sent quoted.
    const text = decodeBody(bytes, `application/json; charset=${label.includes(":") ? `"${label}"` : label}`);
    assert.equal(text.length, 256, label);
    for (let b = 0; b < 256; b++) assert.equal(text.codePointAt(b), expected(b), `${label}: byte 0x${b.toString(16)}`);
  }
});

test('UTF-16LE/BE: surrogate pairs and BOM as the standard decodes them; unpaired surrogates refused', () => {
  const text = 'é€😀\u0000\uFFFD';
  assert.equal(decodeBody(Buffer.from(text, 'utf16le'), 'application/json; charset=utf-16le'), text);
  assert.equal(decodeBody(Buffer.from(text, 'utf16le').swap16(), 'application/json; charset=UTF-16BE'), text);
  assert.equal(decodeBody(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('x', 'utf16le')]), 'application/json; charset=utf-16'), 'x');
  assert.throws(() => decodeBody(Buffer.from([0x3d, 0xd8]), 'application/json; charset=utf-16le'), /not valid utf-16le/);
});

test('labels whose decoding is not verified are refused by name', () => {
  for (const label of ['iso-8859-2', 'windows-1250', 'koi8-r', 'shift_jis', 'gbk', 'x-user-defined', 'iso-2022-kr', 'x-made-up']) {
    const found = charsetFor(label);
    assert.equal(typeof found, 'string', label);
    assert.match(found as string, new RegExp(`charset "${label}" is not supported`));
  }
});

test('Content-Type parameters: case, quotes and spaces as RFC 9110 writes them; ambiguous ones refused', () => {
  const ok: [string, string | undefined][] = [
    ['application/json', undefined],
    ['application/json;charset=UTF-8', 'utf-8'],
    ['application/json ; CHARSET=Windows-1252', 'windows-1252'],
    ['text/plain; charset="iso-8859-1"', 'iso-8859-1'],
    ['text/plain; format=flowed; charset=latin1', 'latin1'],
    ['text/plain; x="a;charset=utf-16le"; charset=utf-8', 'utf-8'],
    ['application/json;', undefined],
  ];
  for (const [ct, label] of ok) assert.deepEqual(charsetParameter(ct), label === undefined ? {} : { label }, ct);
  const refused: [string, RegExp][] = [
    ['application/json; charset=iso-8859-1; charset=utf-8', /charset parameter twice/],
    ['application/json; charset=utf-8; CHARSET="utf-8"', /charset parameter twice/],
    ['application/json; charset = utf-8', /malformed/],
    ['application/json; charset', /malformed/],
    ['application/json; charset=utf 8', /malformed/],
    ['application/json; charset="utf-8', /unterminated/],
  ];
  for (const [ct, message] of refused) {
    const result = charsetParameter(ct);
    assert.ok('error' in result, ct);
    assert.match(result.error, message, ct);
  }
});
