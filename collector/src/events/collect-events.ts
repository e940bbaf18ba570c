// The collector's one use case: validate a posted body, enrich the valid events and publish
// them, answering with a value the HTTP layer turns into a status code.
import type { CollectedEvent } from '#contract';
import type { EventPublisher, UnpublishedReason } from './publisher.ts';
import { enrichEvent } from './enrich-event.ts';
import { parsePayload, type IndexedError } from './parse-payload.ts';

type CollectOutcome =
  | { status: 'accepted'; kind: 'single'; eventId: string }
  | { status: 'accepted'; kind: 'batch'; eventIds: string[]; errors: IndexedError[]; size: number }
  | { status: 'invalid'; errors: IndexedError[]; rejected: number }
  | { status: 'unavailable'; reason: UnpublishedReason; events: number };

export interface CollectDeps {
  publisher: Pick<EventPublisher, 'publish'>;
  maxFutureSkewMs: number;
  maxPastAgeMs: number;
  now: () => Date;
  newId: () => string;
}

export type CollectFn = (body: unknown, userAgentHeader: string | undefined) => Promise<CollectOutcome>;

export function createCollect(deps: CollectDeps): CollectFn {
  return async (body, userAgentHeader) => {
    const parsed = parsePayload(body);
    if (parsed.kind === 'invalid') {
      return { status: 'invalid', errors: parsed.errors, rejected: Array.isArray(body) ? Math.max(body.length, 1) : 1 };
    }
    const receivedAt = deps.now();
    const ctx = { receivedAt, receivedAtIso: receivedAt.toISOString(), userAgentHeader, newId: deps.newId, maxFutureSkewMs: deps.maxFutureSkewMs, maxPastAgeMs: deps.maxPastAgeMs };
    const events: CollectedEvent[] =
      parsed.kind === 'single' ? [enrichEvent(parsed.event, ctx)] : parsed.events.map(({ event }) => enrichEvent(event, ctx));
    const published = await deps.publisher.publish(events);
    if (!published.ok) return { status: 'unavailable', reason: published.reason, events: events.length };
    if (parsed.kind === 'single') return { status: 'accepted', kind: 'single', eventId: events[0]!.event_id };
    return { status: 'accepted', kind: 'batch', eventIds: events.map((e) => e.event_id), errors: parsed.errors, size: parsed.size };
  };
}
