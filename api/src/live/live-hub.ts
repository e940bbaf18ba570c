// The api process's live state: every Kafka record it reads comes in through publish(), goes into
// its project's ring buffer (what `Last-Event-ID` resumes from) and out to that project's
// subscribers whose filters it matches, never to another project's; a resent event (an event_id
// among the project's latest 10,000) is not sent twice. stored() hears the loader's
// commits (lib/stored-notice.ts) and tells the subscribers that were sent those events. Timers
// send heartbeats to idle clients and live metrics every 2 s. Pure apart from the timers and the
// `seedMetrics` port (the stored events of the last 5 minutes, read when a project's first metrics
// client arrives).
import { CURRENT_VISITORS_WINDOW_MS } from '#contract';
import type { Logger } from '../../../lib/logger.ts';
import type { StoredNotice } from '../../../lib/stored-notice.ts';
import { matches, type LiveEvent, type LiveFilter } from './live-event.ts';
import { heartbeatMessage, type Framing } from './live-messages.ts';
import { MetricsWindow, type WindowEvent } from './live-metrics.ts';
import { RingBuffer } from './ring-buffer.ts';
import { Subscriber, type LiveTransport } from './subscriber.ts';

export interface LiveHubOptions {
  /** The topic whose records are published (stored notices of other topics are ignored). */
  topic: string;
  /** Events kept per project for `Last-Event-ID`. */
  ringSize: number;
  /**
   * Event ids remembered per project: a record whose event_id is among them (a client's resend
   * after a timeout, which the loader stores once) is not sent again. Default 10,000.
   */
  dedupIds?: number;
  /** Messages a subscriber may have waiting before further ones are counted as dropped. */
  queueSize: number;
  heartbeatMs: number;
  metricsIntervalMs: number;
  /** Stored non-bot events of the project with a timestamp at or after `since`. */
  seedMetrics: (projectId: string, since: Date) => Promise<WindowEvent[]>;
  now: () => Date;
  logger: Logger;
}

export interface Subscription {
  subscriber: Subscriber;
  /** null without Last-Event-ID; false when that id is no longer (or never was) in the buffer. */
  resumed: boolean | null;
  replayed: number;
}

interface ProjectMetrics {
  window: MetricsWindow;
  subscribers: Set<Subscriber>;
  seeded: boolean;
}

const windowEvent = (e: LiveEvent): WindowEvent => ({ eventId: e.eventId, visitorId: e.visitorId, page: e.page, at: e.at });

export class LiveHub {
  readonly #rings = new Map<string, RingBuffer<LiveEvent>>();
  /** Per project, the latest event ids in arrival order (a Set iterates in insertion order). */
  readonly #seenIds = new Map<string, Set<string>>();
  readonly #subscribers = new Map<string, Set<Subscriber>>();
  readonly #metrics = new Map<string, ProjectMetrics>();
  /** Per partition, the highest offset the loader reported stored. */
  readonly #storedThrough = new Map<number, number>();
  readonly #timers: NodeJS.Timeout[];
  #published = 0;

  constructor(readonly options: LiveHubOptions) {
    this.#timers = [
      setInterval(() => this.#heartbeat(), options.heartbeatMs).unref(),
      setInterval(() => this.#sendMetrics(), options.metricsIntervalMs).unref(),
    ];
  }

  /** Records read so far (readiness and tests). */
  get published(): number {
    return this.#published;
  }

  /** Fans a batch of records out (one partition's batch, in offset order). */
  publish(events: readonly LiveEvent[]): void {
    const touched = new Set<Subscriber>();
    for (const event of events) {
      this.#published++;
      if (this.#seen(event)) continue;
      let ring = this.#rings.get(event.projectId);
      if (ring === undefined) this.#rings.set(event.projectId, (ring = new RingBuffer(this.options.ringSize)));
      ring.push(event);
      if (!event.isBot) this.#metrics.get(event.projectId)?.window.add(windowEvent(event));
      for (const subscriber of this.#subscribers.get(event.projectId) ?? []) {
        if (!matches(subscriber.filter!, event)) continue;
        subscriber.offerEvent(event);
        touched.add(subscriber);
      }
    }
    const partitions = new Set(events.map((e) => e.partition));
    for (const subscriber of touched) {
      // The api may read a record after the loader stored it: tell at once.
      for (const p of partitions) {
        const through = this.#storedThrough.get(p);
        if (through !== undefined) subscriber.stored(p, through);
      }
      subscriber.flush();
    }
  }

  /** True when the project's event id was published before (within the remembered ids); remembers it. */
  #seen(event: LiveEvent): boolean {
    let ids = this.#seenIds.get(event.projectId);
    if (ids === undefined) this.#seenIds.set(event.projectId, (ids = new Set()));
    if (ids.has(event.eventId)) return true;
    ids.add(event.eventId);
    if (ids.size > (this.options.dedupIds ?? 10_000)) ids.delete(ids.values().next().value!);
    return false;
  }

  stored(notice: StoredNotice): void {
    if (notice.topic !== this.options.topic) return;
    const offset = Number(notice.offset);
    if (offset <= (this.#storedThrough.get(notice.partition) ?? -1)) return;
    this.#storedThrough.set(notice.partition, offset);
    for (const set of this.#subscribers.values()) {
      for (const subscriber of set) {
        subscriber.stored(notice.partition, offset);
        subscriber.flush();
      }
    }
  }

  /**
   * A new events client: `ready`, then (with `lastEventId`) the buffered events after it that match
   * its filter, then everything new.
   */
  subscribe(projectId: string, filter: LiveFilter, transport: LiveTransport, framing: Framing, lastEventId?: string): Subscription {
    const subscriber = new Subscriber(projectId, filter, transport, framing, this.options.queueSize);
    const ring = this.#rings.get(projectId);
    const after = lastEventId === undefined ? undefined : ring?.after(lastEventId);
    const replay = (after ?? []).filter((e) => matches(filter, e));
    const resumed = lastEventId === undefined ? null : after !== undefined;
    subscriber.offer({
      type: 'ready',
      data: JSON.stringify({
        project: projectId,
        filters: { event_type: filter.eventType ?? null, page: filter.page ?? null, session_id: filter.sessionId ?? null, include_bots: filter.includeBots },
        resumed,
        replayed: replay.length,
        heartbeat_ms: this.options.heartbeatMs,
      }),
    });
    for (const event of replay) subscriber.offerEvent(event);
    for (const [p, through] of this.#storedThrough) subscriber.stored(p, through);
    let set = this.#subscribers.get(projectId);
    if (set === undefined) this.#subscribers.set(projectId, (set = new Set()));
    set.add(subscriber);
    subscriber.flush();
    return { subscriber, resumed, replayed: replay.length };
  }

  /** A new metrics client: a `metrics` message at once (once the project's window is seeded), then every interval. */
  async subscribeMetrics(projectId: string, transport: LiveTransport, framing: Framing): Promise<Subscriber> {
    const subscriber = new Subscriber(projectId, undefined, transport, framing, Math.min(this.options.queueSize, 16));
    subscriber.offer({ type: 'ready', data: JSON.stringify({ project: projectId, interval_ms: this.options.metricsIntervalMs, heartbeat_ms: this.options.heartbeatMs }) });
    subscriber.flush();
    let state = this.#metrics.get(projectId);
    if (state === undefined) {
      state = { window: new MetricsWindow(), subscribers: new Set(), seeded: false };
      this.#metrics.set(projectId, state);
      // Live events from now on are added by publish(); the ring covers the ones read just before.
      for (const e of this.#rings.get(projectId)?.all() ?? []) if (!e.isBot) state.window.add(windowEvent(e));
      const seeding = state;
      const now = this.options.now();
      try {
        for (const e of await this.options.seedMetrics(projectId, new Date(now.getTime() - CURRENT_VISITORS_WINDOW_MS))) seeding.window.add(e);
      } catch (error) {
        this.options.logger.warn({ err: error, project: projectId }, 'live metrics: stored events not read; counting live events only');
      }
      seeding.seeded = true;
    } else {
      while (!state.seeded) await new Promise((r) => setTimeout(r, 20));
    }
    // The client may have left while the window was seeded.
    if (subscriber.closed) return subscriber;
    state.subscribers.add(subscriber);
    {
      subscriber.offer({ type: 'metrics', data: JSON.stringify(state.window.compute(this.options.now())) });
      subscriber.flush();
    }
    return subscriber;
  }

  unsubscribe(subscriber: Subscriber): void {
    const events = this.#subscribers.get(subscriber.projectId);
    if (events?.delete(subscriber) && events.size === 0) this.#subscribers.delete(subscriber.projectId);
    const metrics = this.#metrics.get(subscriber.projectId);
    if (metrics?.subscribers.delete(subscriber) && metrics.subscribers.size === 0 && metrics.seeded) this.#metrics.delete(subscriber.projectId);
  }

  /** Subscribers now (tests, bench). */
  get subscriberCount(): number {
    let n = 0;
    for (const set of this.#subscribers.values()) n += set.size;
    for (const m of this.#metrics.values()) n += m.subscribers.size;
    return n;
  }

  #heartbeat(): void {
    const message = heartbeatMessage(this.options.now());
    for (const set of this.#subscribers.values()) for (const s of set) s.heartbeat(message);
    for (const m of this.#metrics.values()) for (const s of m.subscribers) s.heartbeat(message);
  }

  #sendMetrics(): void {
    const now = this.options.now();
    for (const state of this.#metrics.values()) {
      if (!state.seeded || state.subscribers.size === 0) continue;
      const data = JSON.stringify(state.window.compute(now));
      for (const s of state.subscribers) {
        s.offer({ type: 'metrics', data });
        s.flush();
      }
    }
  }

  /** Ends every stream and the timers (server shutdown). */
  close(): void {
    for (const t of this.#timers) clearInterval(t);
    for (const set of this.#subscribers.values()) for (const s of set) s.close();
    for (const m of this.#metrics.values()) for (const s of m.subscribers) s.close();
    this.#subscribers.clear();
    this.#metrics.clear();
  }
}
