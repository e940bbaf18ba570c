import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalZone, parseTimeZone } from './time-zone.ts';

const value = (r: { ok: true; value: string } | { ok: false; error: string }) => (r.ok ? r.value : `error: ${r.error}`);

test('the standard spelling of a zone in any letter case, never an older alias it resolves to', () => {
  assert.equal(canonicalZone('Asia/Kathmandu'), 'Asia/Kathmandu');
  assert.equal(canonicalZone('Asia/Katmandu'), 'Asia/Katmandu');
  assert.equal(canonicalZone('Asia/Kolkata'), 'Asia/Kolkata');
  assert.equal(canonicalZone('europe/berlin'), 'Europe/Berlin');
  assert.equal(canonicalZone('utc'), 'UTC');
  assert.equal(canonicalZone('Mars/Olympus'), undefined);
  // In another letter case, current names Node 20's Intl lists only by their older alias.
  for (const [sent, answered] of [
    ['asia/kathmandu', 'Asia/Kathmandu'],
    ['ASIA/KATHMANDU', 'Asia/Kathmandu'],
    ['asia/kolkata', 'Asia/Kolkata'],
    ['europe/kyiv', 'Europe/Kyiv'],
    ['america/argentina/buenos_aires', 'America/Argentina/Buenos_Aires'],
    ['ASIA/KATMANDU', 'Asia/Katmandu'],
    ['america/port-au-prince', 'America/Port-au-Prince'],
    ['etc/gmt+5', 'Etc/GMT+5'],
  ]) {
    assert.equal(canonicalZone(sent!), answered, sent);
  }
});

test('a zone is taken only in its standard spelling; another letter case is refused with the spelling to send', () => {
  for (const z of ['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Asia/Kathmandu', 'Asia/Katmandu', 'Etc/GMT+5', 'US/Eastern', 'Etc/UTC']) assert.equal(value(parseTimeZone(z)), z);
  for (const [sent, spelling] of [
    ['europe/berlin', 'Europe/Berlin'],
    ['EUROPE/BERLIN', 'Europe/Berlin'],
    ['utc', 'UTC'],
    ['asia/kathmandu', 'Asia/Kathmandu'],
    ['etc/gmt+5', 'Etc/GMT+5'],
  ]) {
    assert.equal(value(parseTimeZone(sent!)), `error: time zone "${sent!}" is not spelled as IANA spells it: did you mean ${spelling!}?`, sent);
  }
  // Unknown, an abbreviation or an offset (not the name of a place's rules), or a link in another case.
  for (const z of ['Mars/Base', 'EST', 'CET', 'GMT', '+05:00', 'UTC+5', 'us/eastern', 'Europe/Berlin; DROP TABLE projects', '']) {
    assert.equal(value(parseTimeZone(z)), `error: unknown time zone ${JSON.stringify(z)}: use an IANA name such as Europe/Berlin or UTC`, z);
  }
});
