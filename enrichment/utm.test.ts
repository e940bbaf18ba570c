import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIMITS } from '#contract';
import { utmParameters } from './utm.ts';

const utm = (query: string) => utmParameters(new URL(`https://shop.example/p?${query}`).searchParams);

test('utm_*: the query parameters, decoded, trimmed, first non-empty value, ref/source for utm_source', () => {
  const cases: [string, string, Record<string, string>][] = [
    ['none', '', {}],
    ['unrelated parameters', 'page=2&q=shoes', {}],
    [
      'all five',
      'utm_source=newsletter&utm_medium=email&utm_campaign=spring_sale&utm_term=red+shoes&utm_content=header',
      { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'spring_sale', utm_term: 'red shoes', utm_content: 'header' },
    ],
    ['percent-decoded', 'utm_campaign=caf%C3%A9%20%26%20bar', { utm_campaign: 'café & bar' }],
    ['escapes that are not UTF-8 become U+FFFD', 'utm_source=%FF%C3', { utm_source: '\uFFFD\uFFFD' }],
    ['trimmed', 'utm_source=%20%20google%20', { utm_source: 'google' }],
    ['an empty value is absent', 'utm_source=&utm_medium=+', {}],
    ['the first occurrence wins', 'utm_source=a&utm_source=b', { utm_source: 'a' }],
    ['the first non-empty occurrence wins', 'utm_source=&utm_source=b', { utm_source: 'b' }],
    ['names are exact: upper case is another parameter', 'UTM_SOURCE=x&Utm_Medium=y', {}],
    ['ref stands in for utm_source', 'ref=producthunt', { utm_source: 'producthunt' }],
    ['source stands in for utm_source', 'source=twitter', { utm_source: 'twitter' }],
    ['ref before source', 'source=twitter&ref=producthunt', { utm_source: 'producthunt' }],
    ['utm_source wins over ref', 'ref=producthunt&utm_source=google', { utm_source: 'google' }],
    ['an empty utm_source is absent, so ref stands in', 'utm_source=&ref=hn', { utm_source: 'hn' }],
    ['ref does not stand in for other parameters', 'ref=hn&utm_medium=social', { utm_source: 'hn', utm_medium: 'social' }],
    ['NUL and control characters removed (PostgreSQL cannot store NUL)', 'utm_source=a%00b%0Ac%7F%C2%85d', { utm_source: 'abcd' }],
    ['only control characters is empty', 'utm_source=%00%01', {}],
    ['a key without = is empty', 'utm_source', {}],
    ['JavaScript-looking text is just text', 'utm_content=%3Cscript%3Ealert(1)%3C%2Fscript%3E', { utm_content: '<script>alert(1)</script>' }],
  ];
  for (const [name, query, expected] of cases) assert.deepEqual(utm(query), expected, name);
});

test('utm values fit the column: cut on whole characters', () => {
  assert.equal(utm(`utm_term=${'a'.repeat(199)}${encodeURIComponent('😀😀')}`).utm_term, `${'a'.repeat(199)}😀`);
  assert.equal([...utm(`utm_term=${encodeURIComponent('é'.repeat(300))}`).utm_term!].length, LIMITS.utm);
  // A cut that ends in spaces is trimmed again.
  assert.equal(utm(`utm_term=${'a'.repeat(199)}+++b`).utm_term, 'a'.repeat(199));
});

test('a huge, odd query string: bounded work, no throw', () => {
  const odd = `${'&'.repeat(2000)}${'%'.repeat(500)}=x&${'utm_source=%E0%A4&'.repeat(300)}utm_medium=${'%'.repeat(3000)}`;
  assert.deepEqual(utm(odd), { utm_source: '\uFFFD', utm_medium: '%'.repeat(LIMITS.utm) });
});
