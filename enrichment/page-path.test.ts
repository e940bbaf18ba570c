import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pagePath, parsePageUrl } from './page-path.ts';

const path = (pageUrl: string) => {
  const url = parsePageUrl(pageUrl);
  return url === undefined ? undefined : pagePath(url);
};

test('page_path: the path of page_url, normalized as docs/metrics.md says', () => {
  const cases: [string, string, string | undefined][] = [
    ['no path is the root', 'https://shop.example', '/'],
    ['the root stays', 'https://shop.example/', '/'],
    ['one trailing slash dropped', 'https://shop.example/pricing/', '/pricing'],
    ['repeated slashes collapsed, then the trailing one dropped', 'https://shop.example//docs///api//', '/docs/api'],
    ['dot segments resolved', 'https://shop.example/a/./b/../c', '/a/c'],
    ['encoded dot segments resolved', 'https://shop.example/a/%2e%2E/x', '/x'],
    ['.. above the root stays at the root', 'https://shop.example/../../x', '/x'],
    ['query and fragment are not the path', 'https://shop.example/Pricing?plan=pro#faq', '/Pricing'],
    ['letter case kept', 'https://shop.example/About/Team', '/About/Team'],
    ['UTF-8 escapes decoded', 'https://shop.example/caf%C3%A9', '/café'],
    ['lower-case hex decoded alike', 'https://shop.example/caf%c3%a9', '/café'],
    ['a raw non-ASCII path is the same page', 'https://shop.example/café', '/café'],
    ['three- and four-byte characters', 'https://shop.example/%E2%82%AC/%F0%9F%98%80', '/€/😀'],
    ['an escaped space decoded', 'https://shop.example/a%20b', '/a b'],
    ['bytes that are not UTF-8 stay escaped, upper-cased', 'https://shop.example/%ff%C3', '/%FF%C3'],
    ['a truncated sequence stays escaped, the next character decoded', 'https://shop.example/%C3%28', '/%C3('],
    ['an encoded surrogate (not UTF-8) stays escaped', 'https://shop.example/%ED%A0%80', '/%ED%A0%80'],
    ['an overlong encoding stays escaped', 'https://shop.example/%C0%AF', '/%C0%AF'],
    ['beyond U+10FFFF stays escaped', 'https://shop.example/%F4%90%80%80', '/%F4%90%80%80'],
    ['an escaped slash keeps the segment whole', 'https://shop.example/a%2fb', '/a%2Fb'],
    ['an escaped percent stays, so the path reads back unchanged', 'https://shop.example/100%25', '/100%25'],
    ['escaped ? and # stay', 'https://shop.example/a%3Fb%23c', '/a%3Fb%23c'],
    ['NUL stays escaped (PostgreSQL cannot store it)', 'https://shop.example/a%00b', '/a%00b'],
    ['C1 controls stay escaped', 'https://shop.example/a%C2%85b', '/a%C2%85b'],
    ['a raw control character is escaped by the parser and stays so', 'https://shop.example/\u0001x', '/%01x'],
    ['tab and newline are removed by the URL parser', 'https://shop.example/a\tb\nc', '/abc'],
    ['a lone % is not an escape', 'https://shop.example/%zz%', '/%zz%'],
    ['backslashes are slashes in http URLs', 'https://shop.example\\a\\\\b', '/a/b'],
    ['port and IPv6 host do not matter', 'http://[::1]:8080/x/', '/x'],
    ['path parameters kept', 'https://shop.example/a;v=1', '/a;v=1'],
    ['a path-only page_url (other producers)', '/docs//intro/', '/docs/intro'],
    ['a protocol-relative value: its path', '//cdn.example/x', '/x'],
    ['not a URL', 'not a url', undefined],
    ['empty', '', undefined],
    ['not http(s)', 'ftp://files.example/a', undefined],
    ['javascript: is no page', 'javascript:alert(1)', undefined],
    ['an invalid host', 'http://exa mple.com/a', undefined],
  ];
  for (const [name, input, expected] of cases) assert.equal(path(input), expected, name);
});

test('page_path fits the column: cut on whole characters, never inside an escape', () => {
  // 499 characters of path then an emoji: cut after 500 code points, the pair kept whole.
  const long = path(`https://shop.example/${'a'.repeat(498)}😀😀`);
  assert.equal(long, `/${'a'.repeat(498)}😀`);
  // Raw control characters are escaped (1 character becomes 3), so the path outgrows the URL; the
  // cut at 500 would end on `%`, which is dropped rather than left as half an escape.
  const escaped = path(`https://shop.example/ab${'\u0001x'.repeat(200)}`)!;
  assert.equal(escaped, `/ab${'%01x'.repeat(124)}`);
});
