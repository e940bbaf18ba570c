// Realistic events for the benchmarks: sessions that start with a page view, click around and
// leave, with real user agents, referrers and the tracker's metadata. Seeded, so every run
// produces the same shapes and sizes (ids and times differ).
import { createHash, randomUUID } from 'node:crypto';
import type { CollectedEvent, IncomingEvent } from '#contract';
import { deriveEnrichment } from '#enrichment';

const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
];
const SECTIONS = ['products', 'blog', 'docs', 'pricing', 'account', 'cart', 'search'];
const REFERRERS = ['', 'https://www.google.com/', 'https://duckduckgo.com/', 'https://news.ycombinator.com/', 'https://t.co/x1y2z3'];
const BUTTONS = ['add-to-cart', 'checkout', 'signup', 'newsletter-subscribe', 'play-video', 'load-more', 'filter-apply'];
const VIEWPORTS: readonly (readonly [number, number])[] = [
  [1920, 1080],
  [1440, 900],
  [390, 844],
  [412, 915],
  [1366, 768],
];

/** mulberry32: a tiny seeded PRNG, so shapes are reproducible run to run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

/**
 * The i-th event of a stream of sessions: about 12 events a session, page views followed by
 * clicks, navigations and a final page_unload. What the tracker posts (no server fields).
 */
export function incomingEvent(rnd: () => number, i: number, siteSessions = 5000): IncomingEvent {
  const session = Math.floor(i / 12);
  const step = i % 12;
  const section = pick(rnd, SECTIONS);
  const page = `https://shop.example.com/${section}/${Math.floor(rnd() * 300)}${rnd() < 0.2 ? `?utm_source=newsletter&utm_campaign=c${Math.floor(rnd() * 20)}` : ''}`;
  const [w, h] = pick(rnd, VIEWPORTS);
  const base = {
    page_url: page,
    page_title: `${section[0]!.toUpperCase()}${section.slice(1)} ${Math.floor(rnd() * 300)} | Example Shop`,
    session_id: `s-${(session % siteSessions).toString(36)}-${(session * 2654435761).toString(36).slice(-8)}`,
    user_agent: AGENTS[session % AGENTS.length]!,
    site_id: 'shop-example',
  };
  if (step === 0 || rnd() < 0.3) {
    return {
      ...base,
      event_type: 'page_view',
      metadata: { referrer: pick(rnd, REFERRERS), viewport: { w, h }, screen: `${w}x${h}`, language: 'en-US', spa: rnd() < 0.5 },
    };
  }
  if (step === 11) {
    return { ...base, event_type: 'page_unload', metadata: { engaged_ms: Math.floor(rnd() * 120_000), scroll_depth: Math.floor(rnd() * 100) } };
  }
  if (rnd() < 0.6) {
    return { ...base, event_type: 'button_click', button_id: pick(rnd, BUTTONS), metadata: { tag: 'button', text: 'Add to cart', x: Math.floor(rnd() * w), y: Math.floor(rnd() * h) } };
  }
  return { ...base, event_type: 'navigation_click', metadata: { href: `https://shop.example.com/${pick(rnd, SECTIONS)}/${Math.floor(rnd() * 300)}`, text: 'Next' } };
}

/**
 * The i-th of `total` events as the collector writes them to Kafka: event_id, timestamp and
 * received_at filled, times in arrival order over the last `spanMs` ending now, and the fields the
 * collector derives (so the loader stores them as it does a real record's, deriving nothing),
 * with a hashed visitor id per session (the collector's `h:` form; one visitor per session here).
 */
export function collectedEvent(rnd: () => number, i: number, total: number, endMs: number, spanMs = 3_600_000): CollectedEvent {
  const received = new Date(endMs - spanMs + Math.floor((i / total) * spanMs)).toISOString();
  const event = incomingEvent(rnd, i);
  const visitor = `h:${createHash('sha256').update(event.session_id ?? '').digest('hex').slice(0, 32)}`;
  return { ...event, ...deriveEnrichment(event), visitor_id: visitor, event_id: randomUUID(), timestamp: received, received_at: received };
}
