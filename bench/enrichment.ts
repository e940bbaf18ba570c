// Enrichment cost: deriveEnrichment (#enrichment) per event on realistic tracker events, with the
// user agent's parse cached (the common case: a site's visitors share few user agents) and missed
// (every user agent new), next to what the collector already spends on each event in the same run
// (contract validation, and the whole enrichEvent including the derivation). Medians of rounds.
// Usage: node --import tsx bench/enrichment.ts [rounds=7]
import { validateIncomingEvent } from '#contract';
import { deriveEnrichment, type EnrichmentInput } from '#enrichment';
import { enrichEvent } from '../collector/src/events/enrich-event.ts';
import { incomingEvent, prng } from './lib/events.ts';

const rounds = Number(process.argv[2] ?? 7);
const EVENTS = 2_000;
const CALLS = 100_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rnd = prng(14);
const events = Array.from({ length: EVENTS }, (_, i) => {
  const e = incomingEvent(rnd, i);
  // What the tracker now sends besides: the page's referrer and screen width on page views.
  return e.event_type === 'page_view' ? { ...e, referrer: 'https://www.google.com/search?q=shop', screen_width: 1440 } : e;
});
const ctx = { receivedAt: new Date(), newId: () => '6f1c1a52-3b7e-4d6a-9a55-0c1b2d3e4f50', maxFutureSkewMs: 300_000, maxPastAgeMs: 7 * 86_400_000 };

let sink = 0;
function perCallMicros(call: (i: number) => unknown, calls = CALLS): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) if (call(i) !== undefined) sink++;
  return Number(process.hrtime.bigint() - start) / 1000 / calls;
}

const derive = (i: number) => deriveEnrichment(events[i % EVENTS] as EnrichmentInput);
let unique = 0;
// A user agent never seen before on every call: the parse, the bot check and a cache eviction.
const deriveMiss = (i: number) => {
  const e = events[i % EVENTS]!;
  return deriveEnrichment({ ...e, user_agent: `${e.user_agent} r/${unique++}` } as EnrichmentInput);
};
// The slowest user agent found for bowser and isbot: a repeated product token up to the 500-character
// limit, new each call. Bounds what made-up user agents can cost (no call is cached).
const CRAFTED = 'Mozilla/5.0 ('.repeat(38);
const deriveCrafted = () => deriveEnrichment({ event_type: 'page_view', page_url: 'https://shop.example/', user_agent: `${CRAFTED}${unique++}` });
const noUserAgent = (i: number) => deriveEnrichment({ ...events[i % EVENTS]!, user_agent: undefined } as EnrichmentInput);
const validate = (i: number) => validateIncomingEvent(events[i % EVENTS]);
const collect = (i: number) => enrichEvent(events[i % EVENTS]!, ctx);

for (const f of [derive, deriveMiss, noUserAgent, validate, collect]) perCallMicros(f); // warm-up (JIT)
const CRAFTED_CALLS = 2_000;
const results = { hit: [] as number[], miss: [] as number[], crafted: [] as number[], urls: [] as number[], validate: [] as number[], collect: [] as number[] };
for (let r = 0; r < rounds; r++) {
  results.hit.push(perCallMicros(derive));
  results.miss.push(perCallMicros(deriveMiss));
  results.crafted.push(perCallMicros(deriveCrafted, CRAFTED_CALLS));
  results.urls.push(perCallMicros(noUserAgent));
  results.validate.push(perCallMicros(validate));
  results.collect.push(perCallMicros(collect));
}
const us = (xs: number[]) => `${median(xs).toFixed(2)} µs`;
const rows = [
  ['deriveEnrichment, user agent cached', us(results.hit), `${(median(results.hit) / median(results.validate)).toFixed(2)}x validation`],
  ['deriveEnrichment, user agent new (bowser + isbot)', us(results.miss), `${(median(results.miss) / median(results.validate)).toFixed(2)}x validation`],
  ['deriveEnrichment, crafted user agent (500 characters), new', us(results.crafted), `${(median(results.crafted) / median(results.validate)).toFixed(0)}x validation`],
  ['deriveEnrichment without a user agent (URL, query, referrer)', us(results.urls), ''],
  ['baseline: validateIncomingEvent (the contract)', us(results.validate), ''],
  ['enrichEvent (the collector\'s whole record, derivation included)', us(results.collect), ''],
];
process.stdout.write(`enrichment, ${EVENTS.toLocaleString('en')} realistic events (6 user agents), ${CALLS.toLocaleString('en')} calls a round, median of ${rounds} rounds (checksum ${sink})\n\n`);
process.stdout.write(`| measure | per event | vs |\n|---|---:|---|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`);
