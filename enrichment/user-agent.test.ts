import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIMITS } from '#contract';
import { userAgentFacts, type UserAgentFacts } from './user-agent.ts';
import { isBotUserAgent } from './bot.ts';
import { USER_AGENTS } from '../test/support/user-agents.ts';


test('browser, os and platform from the user agent (bowser)', () => {
  const cases: [string, string | undefined, UserAgentFacts][] = [
    ['Chrome on Windows', USER_AGENTS.chromeWindows, { browser: 'Chrome', os: 'Windows', platform: 'desktop', isBot: false }],
    ['Safari on iPhone', USER_AGENTS.iphone, { browser: 'Safari', os: 'iOS', platform: 'mobile', isBot: false }],
    ['Safari on iPad', USER_AGENTS.ipad, { browser: 'Safari', os: 'iOS', platform: 'tablet', isBot: false }],
    ['Chrome on Android', USER_AGENTS.android, { browser: 'Chrome', os: 'Android', platform: 'mobile', isBot: false }],
    ['Safari on macOS', USER_AGENTS.safariMac, { browser: 'Safari', os: 'macOS', platform: 'desktop', isBot: false }],
    ['Firefox on Linux', USER_AGENTS.firefoxLinux, { browser: 'Firefox', os: 'Linux', platform: 'desktop', isBot: false }],
    ['Edge', USER_AGENTS.edge, { browser: 'Microsoft Edge', os: 'Windows', platform: 'desktop', isBot: false }],
    ['a TV', USER_AGENTS.samsungTv, { browser: 'Samsung Internet for Android', os: 'Tizen', platform: 'tv', isBot: false }],
    ['HeadlessChrome: a browser, and a bot', USER_AGENTS.headlessChrome, { browser: 'Chrome', os: 'Linux', platform: 'desktop', isBot: true }],
    // bowser's platform "bot" is no device type.
    ['Googlebot', USER_AGENTS.googlebot, { browser: 'Googlebot', isBot: true }],
    ['the runbook\'s server-side user agent', 'Mozilla/5.0 (X11; Linux x86_64)', { browser: 'Mozilla', os: 'Linux', platform: 'desktop', isBot: false }],
    ['curl: no browser, a bot', 'curl/7.0', { isBot: true }],
    ['no user agent (a backend event): nothing, not a bot', undefined, { isBot: false }],
    ['empty', '', { isBot: false }],
    ['blank', '   ', { isBot: false }],
    // Unknown browsers are named after the first token, which is client text.
    ['an unknown agent: its first token', 'Some Agent/1.0 (x)', { browser: 'Some Agent', isBot: true }],
    ['control characters are not part of a name', 'Ag\u0001ent\u0085/2.0 (x)', { browser: 'Agent', isBot: false }],
  ];
  for (const [name, ua, expected] of cases) assert.deepEqual({ ...userAgentFacts(ua) }, expected, name);
});

test('names fit their columns: cut on whole characters', () => {
  const facts = userAgentFacts(`${'😀'.repeat(60)}/1.0 (x)`);
  assert.equal(facts.browser, '😀'.repeat(LIMITS.browser));
  const spaced = userAgentFacts(`${'b'.repeat(49)}  x/1.0 (y)`);
  assert.equal(spaced.browser, 'b'.repeat(49), 'a cut ending in a space is trimmed');
});

test('cached per user agent: the same frozen facts, and a lone surrogate or odd text never throws', () => {
  assert.equal(userAgentFacts(USER_AGENTS.android), userAgentFacts(USER_AGENTS.android));
  assert.ok(Object.isFrozen(userAgentFacts(USER_AGENTS.android)));
  for (const odd of ['\uD800/1 (', '('.repeat(500), '/'.repeat(500), `${'a/'.repeat(250)}`, ' (\t(', 'Mozilla/5.0 ('.repeat(38)]) {
    const facts = userAgentFacts(odd);
    for (const value of [facts.browser, facts.os]) {
      if (value === undefined) continue;
      assert.ok([...value].length <= LIMITS.browser && !/[\uD800-\uDFFF]/.test(value), JSON.stringify(odd));
    }
  }
});

test('is_bot: isbot plus the headless markers; no user agent is no bot', () => {
  const chrome = USER_AGENTS.chromeWindows;
  const cases: [string, string | undefined, boolean][] = [
    ['a browser', chrome, false],
    ['no user agent', undefined, false],
    ['empty', '', false],
    ['HeadlessChrome', USER_AGENTS.headlessChrome, true],
    ['Googlebot', USER_AGENTS.googlebot, true],
    ['PetalBot', 'Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)', true],
    ['curl', 'curl/8.5.0', true],
    ['node-fetch', 'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)', true],
    ['PhantomJS', `${chrome} PhantomJS/2.1.1`, true],
    ['Puppeteer', `${chrome} Puppeteer`, true],
    ['Playwright', `${chrome} Playwright/1.40`, true],
    ['Selenium', `${chrome} Selenium`, true],
    ['Lighthouse', `${chrome} Chrome-Lighthouse`, true],
    ['Electron', `${chrome} Electron/28.0.0`, true],
    ['a marker in another case', `${chrome} headlesschrome`, true],
    ['a marker inside a longer word is not one', `${chrome} Electronics/1.0`, false],
  ];
  for (const [name, ua, expected] of cases) assert.equal(isBotUserAgent(ua), expected, name);
});
