// Body charsets the collector and the query API decode, each one checked against the WHATWG Encoding Standard's
// index (charsets.test.ts): UTF-8, UTF-16LE/BE and windows-1252 (which the
// standard makes of every "latin1", "iso-8859-1" and "us-ascii" label). Other labels are refused
// with 415 rather than decoded by a table nobody checked.

/**
 * WHATWG index-windows-1252 for bytes 0x80-0x9F; 0xA0-0xFF are U+00A0-U+00FF. Node 20's
 * TextDecoder decodes this range as Latin-1 (C1 controls), so these 32 are mapped here.
 */
const WINDOWS_1252_HIGH =
  '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F' +
  '\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';

function decodeWindows1252(body: Buffer): string {
  // latin1 maps byte b to U+00bb; only 0x80-0x9F differ from windows-1252.
  return body.toString('latin1').replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

export type Charset = { name: 'utf-8' } | { name: 'windows-1252' | 'utf-16le' | 'utf-16be'; decode: (body: Buffer) => string };

const cache = new Map<string, Charset | string>();

/**
 * The charset a label names, as the Encoding Standard resolves labels (case and surrounding
 * whitespace ignored, "latin1" is windows-1252, ...), or the reason it is refused.
 */
export function charsetFor(label: string): Charset | string {
  let found = cache.get(label);
  if (found !== undefined) return found;
  let encoding: string;
  try {
    encoding = new TextDecoder(label).encoding;
  } catch {
    encoding = '';
  }
  if (encoding === 'utf-8') found = { name: 'utf-8' };
  else if (encoding === 'windows-1252') found = { name: 'windows-1252', decode: decodeWindows1252 };
  else if (encoding === 'utf-16le' || encoding === 'utf-16be') {
    const decoder = new TextDecoder(encoding, { fatal: true });
    found = { name: encoding, decode: (body) => decoder.decode(body) };
  } else {
    const why = encoding === '' ? 'an unknown charset' : encoding === 'replacement' ? 'one the Encoding Standard refuses to decode' : `${encoding}, whose decoding is not verified here`;
    found = `charset ${JSON.stringify(label)} is not supported (${why}); send UTF-8, UTF-16 or windows-1252 (ISO-8859-1)`;
  }
  if (cache.size < 64) cache.set(label, found);
  return found;
}

// An unquoted parameter value: an RFC 9110 token.
const UNQUOTED_VALUE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The charset label of a Content-Type header (RFC 9110 section 8.3: `type/subtype *(OWS ";" OWS
 * name=value)`, the value a token or a quoted string, names case-insensitive), lower-cased;
 * undefined when none is given. A charset given twice, or written so that readers could disagree
 * on it (spaces around "=", an unterminated quote), is an error message instead: the body would
 * be read one way here and another way elsewhere.
 */
export function charsetParameter(contentType: string): { label?: string } | { error: string } {
  const semicolon = contentType.indexOf(';');
  if (semicolon < 0) return {};
  let label: string | undefined;
  const rest = contentType.slice(semicolon + 1);
  let i = 0;
  while (i < rest.length) {
    // One parameter: up to the next ";" outside a quoted string.
    let end = i;
    let quoted = false;
    for (; end < rest.length; end++) {
      const c = rest[end];
      if (quoted && c === '\\') end++;
      else if (c === '"') quoted = !quoted;
      else if (c === ';' && !quoted) break;
    }
    const raw = rest.slice(i, end);
    i = end + 1;
    const param = raw.trim();
    if (param === '') continue;
    const eq = param.indexOf('=');
    const name = (eq < 0 ? param : param.slice(0, eq)).toLowerCase();
    if (name.trim() !== 'charset') continue;
    if (quoted) return { error: `the charset parameter of content type ${JSON.stringify(contentType)} has an unterminated quoted string` };
    if (eq < 0 || name !== 'charset') return { error: `the charset parameter of content type ${JSON.stringify(contentType)} is malformed (expected charset=<label>, no spaces around "=")` };
    const value = param.slice(eq + 1);
    let parsed: string;
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) parsed = value.slice(1, -1).replace(/\\(.)/g, '$1');
    else if (UNQUOTED_VALUE.test(value)) parsed = value;
    else return { error: `the charset parameter of content type ${JSON.stringify(contentType)} is malformed (expected charset=<label>, no spaces around "=")` };
    if (label !== undefined) return { error: `content type ${JSON.stringify(contentType)} gives the charset parameter twice; send one` };
    label = parsed.trim().toLowerCase();
  }
  return label === undefined ? {} : { label };
}
