// Seed-shaped rows for the benchmarks: random v4 ids, times in arrival order, ~20 events a session.
import { randomUUID } from 'node:crypto';
import type { CollectedEvent } from '#contract';

const TYPES = ['page_view', 'button_click', 'navigation_click', 'page_unload'];

export function sampleEvent(i: number, total: number, start = Date.now() - total * 5): CollectedEvent {
  const time = new Date(start + i * 5).toISOString();
  return {
    event_id: randomUUID(),
    event_type: TYPES[i % 4]!,
    page_url: `https://shop.example/products/${i % 250}`,
    page_title: `Product ${i % 250}`,
    button_id: i % 4 === 1 ? `buy-${i % 30}` : undefined,
    session_id: `bench-${Math.floor(i / 20)}`,
    user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    timestamp: time,
    received_at: time,
    metadata: { screen: '1920x1080', referrer: 'https://search.example/?q=shoes', n: i },
  };
}
