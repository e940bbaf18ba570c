// The live metrics of one project, from the events the api saw on Kafka plus, when the first
// client subscribes, those stored in the last 5 minutes (one query), each event once by event_id.
// The definitions are /realtime's (docs/metrics.md § realtime): bots left out; current visitors
// are distinct visitors with an event whose `timestamp` lies in [now − 5 min, now]; top pages rank
// the pages of that window by distinct visitors (then by path), 10 at most. events_last_minute
// counts the events with a timestamp in (now − 60 s, now]; events_per_second is that / 60. Pure.
import { CURRENT_VISITORS_WINDOW_MS } from '#contract';

const LIVE_TOP_PAGES = 10;
const MINUTE_MS = 60_000;

export interface WindowEvent {
  eventId: string;
  visitorId: string;
  page: string;
  /** The event's timestamp, epoch ms. */
  at: number;
}

export interface LiveMetrics {
  at: string;
  current_visitors_since: string;
  current_visitors: number;
  events_last_minute: number;
  events_per_second: number;
  top_pages: { page: string; visitors: number }[];
}

export class MetricsWindow {
  readonly #events = new Map<string, WindowEvent>();

  /** Adds a non-bot event (a second copy of an event_id changes nothing). */
  add(event: WindowEvent): void {
    if (!this.#events.has(event.eventId)) this.#events.set(event.eventId, event);
  }

  get size(): number {
    return this.#events.size;
  }

  /** The metrics at `now`; forgets events older than the window. */
  compute(now: Date): LiveMetrics {
    const t = now.getTime();
    const since = t - CURRENT_VISITORS_WINDOW_MS;
    const visitors = new Set<string>();
    const pageVisitors = new Map<string, Set<string>>();
    let lastMinute = 0;
    for (const [id, e] of this.#events) {
      if (e.at < since) {
        this.#events.delete(id);
        continue;
      }
      // A timestamp after now (clock skew, within the collector's tolerance) counts once it is reached.
      if (e.at > t) continue;
      visitors.add(e.visitorId);
      let set = pageVisitors.get(e.page);
      if (set === undefined) pageVisitors.set(e.page, (set = new Set()));
      set.add(e.visitorId);
      if (e.at > t - MINUTE_MS) lastMinute++;
    }
    const top = [...pageVisitors]
      .map(([page, set]) => ({ page, visitors: set.size }))
      .sort((a, b) => b.visitors - a.visitors || (a.page < b.page ? -1 : a.page > b.page ? 1 : 0))
      .slice(0, LIVE_TOP_PAGES);
    return {
      at: now.toISOString(),
      current_visitors_since: new Date(since).toISOString(),
      current_visitors: visitors.size,
      events_last_minute: lastMinute,
      events_per_second: lastMinute / 60,
      top_pages: top,
    };
  }
}
