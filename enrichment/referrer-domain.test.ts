import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referrerDomain } from './referrer-domain.ts';

const page = new URL('https://www.shop.example/pricing');

test('referrer_domain: external referrers only, lower case, without www.', () => {
  const cases: [string, string | undefined, string | undefined][] = [
    ['absent', undefined, undefined],
    ['empty', '', undefined],
    ['an external site', 'https://news.ycombinator.com/item?id=1', 'news.ycombinator.com'],
    ['www. stripped, case lowered', 'https://WWW.Google.COM/search?q=x', 'google.com'],
    ['only a leading www.', 'https://www.www-shop.example/', 'www-shop.example'],
    ['www. inside a name stays', 'https://blog.www.example/', 'blog.www.example'],
    ['the port is not part of the host', 'http://partner.example:8443/a', 'partner.example'],
    ['a trailing dot (absolute name) is the same host', 'https://google.com./', 'google.com'],
    ['the same host is internal', 'https://www.shop.example/', undefined],
    ['the same host without www. is internal', 'https://shop.example/cart', undefined],
    ['same host, other port or scheme: internal', 'http://shop.example:8080/', undefined],
    ['a subdomain of the site is another host', 'https://blog.shop.example/post', 'blog.shop.example'],
    ['IDN host in its punycode (ASCII) form', 'https://bücher.example/', 'xn--bcher-kva.example'],
    ['punycode sent as such: the same', 'https://xn--bcher-kva.example/', 'xn--bcher-kva.example'],
    ['IPv4 host', 'http://203.0.113.9/x', '203.0.113.9'],
    ['IPv4 in hex: the parser normalizes it', 'http://0xCB.0.113.9/', '203.0.113.9'],
    ['IPv6 host, with its brackets, compressed and lower case', 'http://[2001:DB8:0::1]:8080/', '[2001:db8::1]'],
    ['android-app: the package name', 'android-app://com.google.android.gm/', 'com.google.android.gm'],
    ['android-app: the package name as sent', 'android-app://org.Telegram.messenger', 'org.Telegram.messenger'],
    ['android-app without a package', 'android-app://', undefined],
    ['android-app with no package name', 'android-app://com.x%20y/', undefined],
    ['javascript: is no referrer', 'javascript:alert(document.cookie)', undefined],
    ['data: is no referrer', 'data:text/html,<h1>x</h1>', undefined],
    ['about:blank', 'about:blank', undefined],
    ['a browser extension', 'chrome-extension://abcdef/popup.html', undefined],
    ['file:', 'file:///etc/passwd', undefined],
    ['not a URL', 'google', undefined],
    ['a relative path', '/pricing', undefined],
    ['an invalid host', 'https://exa mple.com/', undefined],
    ['an invalid IPv6 literal', 'http://[::g]/', undefined],
    ['an invalid punycode label', 'https://xn--a.example/', undefined],
    ['the single-label host www. is www', 'https://www./', 'www'],
    ['control characters: the parser refuses the host', 'https://a\u0001b.example/', undefined],
    ['tab and newline are removed by the parser', 'https://go\togle.com\n/', 'google.com'],
  ];
  for (const [name, referrer, expected] of cases) assert.equal(referrerDomain(referrer, page), expected, name);
});

test('a host longer than a DNS name (253) is no domain; without a page every host is external', () => {
  const label = 'a'.repeat(60);
  const long = `https://${[label, label, label, label, label].join('.')}.example/`;
  assert.equal(referrerDomain(long, page), undefined);
  const fits = `https://${[label, label, label].join('.')}.example/`;
  assert.equal(referrerDomain(fits, page), `${[label, label, label].join('.')}.example`);
  assert.equal(referrerDomain('https://shop.example/', undefined), 'shop.example');
});
