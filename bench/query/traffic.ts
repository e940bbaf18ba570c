// Seeded synthetic traffic for the query benchmark: visits of a fixed population of visitors over
// a number of days, emitted as stored rows (EventRow, enriched by the pipeline's own enrichRow from
// the URL, referrer and user agent) in time order, as a loader receives them. Pure: no I/O.
//
// Shapes, per visit: 1 + geometric page views (mean about 1.7), each followed by 0-2 clicks and,
// nine times in ten, a page_unload carrying time_on_page; about 3.7 events a visit. Pages are
// Zipf-distributed over ~200 paths, visitors heavy-tailed (a few come back often), starts follow a
// diurnal curve of the project's local time, about 5 % of visitors are bots (crawler and headless
// user agents: page views only), about 3 % are signed in (user_id).
import { randomUUID } from 'node:crypto';
import { prng } from '../lib/events.ts';
import { enrichRow } from '../../pipeline/src/steps/enrich-row.ts';
import { UNENRICHED, type EventRow } from '../../pipeline/src/steps/normalize-event.ts';

interface TrafficProject {
  id: string;
  /** Host of its page URLs. */
  host: string;
  /** Share of all visits (the shares of all projects add up to 1). */
  share: number;
  /** Hours east of UTC, for the diurnal curve only (a fixed offset is close enough for a shape). */
  utcOffsetHours: number;
}

export interface TrafficOptions {
  projects: readonly TrafficProject[];
  /** Events wanted: the visits are sized for it, so the result is within about 1 % (never more). */
  events: number;
  visitors: number;
  /** The traffic covers [end - days, end). */
  end: Date;
  days: number;
  seed: number;
}

/** Bump when the shapes change, so a stored dataset of the old shapes is rebuilt. */
export const TRAFFIC_VERSION = 2;

const HOUR_MS = 3_600_000;
const PAGE_COUNT = 200;

const BROWSER_AGENTS: readonly (readonly [string, number, number])[] = [
  // user agent, weight, screen width
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 34, 1920],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1', 20, 390],
  ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36', 17, 412],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15', 9, 1440],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', 7, 1366],
  ['Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 5, 1920],
  ['Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1', 3, 820],
];
const BOT_AGENTS = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
];
const BOT_SHARE = 0.05;
const SIGNED_IN_SHARE = 0.03;
const REFERRERS: readonly (readonly [string | null, number])[] = [
  [null, 40],
  ['https://www.google.com/', 28],
  ['https://duckduckgo.com/', 5],
  ['https://www.bing.com/', 4],
  ['https://news.ycombinator.com/', 4],
  ['https://t.co/x1y2z3', 5],
  ['https://www.facebook.com/', 6],
  ['https://www.reddit.com/r/webdev/', 3],
  ['https://github.com/', 3],
  ['https://partner.example.net/blog/post', 2],
];
const CAMPAIGNS: readonly (readonly [string, string])[] = [
  ['newsletter', 'email'],
  ['google', 'cpc'],
  ['facebook', 'social'],
  ['twitter', 'social'],
  ['partner', 'referral'],
];
const UTM_SHARE = 0.15;
const BUTTONS = ['add-to-cart', 'checkout', 'signup', 'newsletter-subscribe', 'play-video', 'load-more', 'filter-apply', 'search'];
const SECTIONS = ['products', 'blog', 'docs', 'pricing', 'account', 'cart', 'search', 'help'];

/** Local-hour weights of visit starts: a night trough and an afternoon peak. */
const DIURNAL = Array.from({ length: 24 }, (_, h) => 0.25 + Math.max(0, Math.sin(((h - 6) / 18) * Math.PI)) ** 1.5);

/** Cumulative weights, for picking by binary search. */
function cumulative(weights: readonly number[]): Float64Array {
  const c = new Float64Array(weights.length);
  let sum = 0;
  for (const [i, w] of weights.entries()) c[i] = sum += w;
  for (let i = 0; i < c.length; i++) c[i]! /= sum;
  return c;
}

function pickIndex(c: Float64Array, u: number): number {
  let lo = 0;
  let hi = c.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (c[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Page paths, most visited first (Zipf, s = 1.1). */
const PAGES = Array.from({ length: PAGE_COUNT }, (_, k) => (k === 0 ? '/' : `/${SECTIONS[k % SECTIONS.length]}/${k}`));
const PAGE_CUM = cumulative(PAGES.map((_, k) => 1 / (k + 1) ** 1.1));
const AGENT_CUM = cumulative(BROWSER_AGENTS.map((a) => a[1]));
const REFERRER_CUM = cumulative(REFERRERS.map((r) => r[1]));

/** What every visit of one visitor shares: derived from the visitor's index alone, so stable. */
interface Visitor {
  id: string;
  userId: string | null;
  agent: string;
  screen: number | null;
  bot: boolean;
}

function visitorOf(index: number, seed: number): Visitor {
  const rnd = prng(seed * 1_000_003 + index);
  const bot = rnd() < BOT_SHARE;
  const signedIn = !bot && rnd() < SIGNED_IN_SHARE;
  const hex = Math.floor(rnd() * 2 ** 32).toString(16).padStart(8, '0') + index.toString(16).padStart(8, '0');
  if (bot) return { id: `h:${hex}${'0'.repeat(16)}`, userId: null, agent: BOT_AGENTS[index % BOT_AGENTS.length]!, screen: null, bot };
  const [agent, , screen] = BROWSER_AGENTS[pickIndex(AGENT_CUM, rnd())]!;
  return signedIn ? { id: `u:user-${index}`, userId: `user-${index}`, agent, screen, bot } : { id: `h:${hex}${'0'.repeat(16)}`, userId: null, agent, screen, bot };
}

/** The rows of one visit starting at `startMs`, in time order. */
function visitRows(rnd: () => number, project: TrafficProject, visitor: Visitor, startMs: number): EventRow[] {
  const rows: EventRow[] = [];
  const session = `s-${randomUUID().slice(0, 18)}`;
  const referrer = visitor.bot ? null : REFERRERS[pickIndex(REFERRER_CUM, rnd())]![0];
  const [utmSource, utmMedium] = !visitor.bot && rnd() < UTM_SHARE ? CAMPAIGNS[Math.floor(rnd() * CAMPAIGNS.length)]! : [null, null];
  const campaign = utmSource === null ? '' : `?utm_source=${utmSource}&utm_medium=${utmMedium}&utm_campaign=c${1 + Math.floor(rnd() * 12)}`;
  const pages = visitor.bot ? 1 + Math.floor(rnd() * 8) : 1 + (rnd() < 0.35 ? Math.floor(-Math.log(1 - rnd()) * 1.4) + 1 : 0);
  let t = startMs;
  const row = (over: Partial<EventRow>): EventRow => {
    const at = new Date(t).toISOString();
    return enrichRow({
      project_id: project.id,
      event_id: randomUUID(),
      timestamp: at,
      event_type: 'page_view',
      page_url: '',
      page_title: null,
      button_id: null,
      session_id: session,
      user_agent: visitor.agent,
      site_id: null,
      metadata: '{}',
      received_at: new Date(t + 30 + Math.floor(rnd() * 400)).toISOString(),
      client_timestamp: null,
      timestamp_adjustment: null,
      user_id: visitor.userId,
      anonymous_id: null,
      referrer: null,
      screen_width: visitor.screen,
      ...UNENRICHED,
      visitor_id: visitor.id,
      ...over,
    });
  };
  for (let p = 0; p < pages; p++) {
    const path = PAGES[pickIndex(PAGE_CUM, rnd())]!;
    const url = `https://${project.host}${path}${p === 0 ? campaign : ''}`;
    const title = `${path === '/' ? 'Home' : path.slice(1)} | ${project.host}`;
    rows.push(row({ page_url: url, page_title: title, referrer: p === 0 ? referrer : `https://${project.host}/` }));
    // Dwell time: exponential, mean 50 s (bots 2 s; a quick look, mean 5 s, ends most one-page
    // visits, so about 40 % of visits bounce), capped far below the 30-minute visit gap.
    const quick = visitor.bot || (pages === 1 && rnd() < 0.75);
    const dwell = Math.min(20 * 60_000, Math.floor(-Math.log(1 - rnd()) * (visitor.bot ? 2_000 : quick ? 5_000 : 50_000)) + 500);
    if (!visitor.bot) {
      const u = rnd();
      const clicks = u < 0.75 ? 0 : u < 0.92 ? 1 : 2;
      for (let c = 1; c <= clicks; c++) {
        t = startMs + Math.floor((dwell * c) / (clicks + 1));
        rows.push(row({ event_type: 'button_click', page_url: url, page_title: title, button_id: BUTTONS[Math.floor(rnd() * BUTTONS.length)]! }));
      }
    }
    t = startMs + dwell;
    if (!visitor.bot && rnd() < 0.9) rows.push(row({ event_type: 'page_unload', page_url: url, page_title: title, metadata: JSON.stringify({ time_on_page: dwell }) }));
    t += 1_000;
    startMs = t;
  }
  return rows;
}

/**
 * The traffic as batches of rows in time order (each batch one hour of event times). Deterministic
 * shapes for a seed; event ids are random. Yields about `options.events` rows, never more.
 */
export function* traffic(options: TrafficOptions): Generator<EventRow[]> {
  const rnd = prng(options.seed);
  const startMs = options.end.getTime() - options.days * 24 * HOUR_MS;
  const hours = options.days * 24;
  // Visits needed: the events wanted over the mean events per visit, estimated on a sample.
  const sample = prng(options.seed + 7);
  let sampled = 0;
  for (let i = 0; i < 100_000; i++) sampled += visitRows(sample, options.projects[0]!, visitorOf(i, options.seed), 0).length;
  const visits = Math.ceil((options.events / (sampled / 100_000)) * 0.995);
  const weights = options.projects.map((p) => Array.from({ length: hours }, (_, h) => DIURNAL[(((h + Math.round(p.utcOffsetHours)) % 24) + 24) % 24]!));
  const totals = weights.map((w) => w.reduce((a, b) => a + b, 0));
  let pending: EventRow[] = [];
  let emitted = 0;
  for (let h = 0; h <= hours && emitted < options.events; h++) {
    const hourStart = startMs + h * HOUR_MS;
    if (h < hours) {
      for (const [pi, project] of options.projects.entries()) {
        const expected = (visits * project.share * weights[pi]![h]!) / totals[pi]!;
        const count = Math.floor(expected) + (rnd() < expected % 1 ? 1 : 0);
        for (let v = 0; v < count; v++) {
          // Heavy-tailed return rate: low indices come back often. Projects have their own visitors.
          const index = Math.floor(Math.max(1, options.visitors * project.share) * rnd() ** 1.3) * options.projects.length + pi;
          pending.push(...visitRows(rnd, project, visitorOf(index, options.seed), hourStart + Math.floor(rnd() * HOUR_MS)));
        }
      }
    }
    // Everything before the next hour is final; the rest waits (visits run over the hour).
    const cut = h < hours ? hourStart + HOUR_MS : Number.POSITIVE_INFINITY;
    const ready = pending.filter((r) => Date.parse(r.timestamp) < cut && Date.parse(r.timestamp) < options.end.getTime());
    pending = h < hours ? pending.filter((r) => Date.parse(r.timestamp) >= cut) : [];
    ready.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
    const batch = ready.slice(0, options.events - emitted);
    emitted += batch.length;
    if (batch.length > 0) yield batch;
  }
}
