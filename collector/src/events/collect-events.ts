// The collector's one use case, shared by every ingest route: validate a posted body, assign each
// valid event to its project, enrich and publish them, answering with a value the HTTP layer turns
// into a status code. Routes differ only in their item validator, batch limit and assignment.
import type { CollectedEvent, IncomingEvent, ServerEvent, VisitorIdMode } from '#contract';
import { needsSalt, visitorId, type VisitorInput } from '#enrichment';
import type { HashMode, VisitorSalts } from '../visitors/salt-periods.ts';
import { VisitorHashCache } from '../visitors/visitor-hash-cache.ts';
import type { EventPublisher, UnpublishedReason, WhenFull } from './publisher.ts';
import { enrichEvent } from './enrich-event.ts';
import { parsePayload, type IndexedError, type PayloadRules } from './parse-payload.ts';

/** Where one valid event goes, or why it is refused (`field` relative to the event, e.g. `/site_id`). */
export type Assignment =
  | {
      ok: true;
      projectId: string;
      /** Oldest client timestamp kept as sent, in ms before receipt; the service default when absent. */
      maxPastAgeMs?: number;
      /** The project's visitor_id_mode; `daily` when absent. */
      visitorIdMode?: VisitorIdMode;
    }
  | { ok: false; status: 400 | 403 | 404; code: string; field: string; message: string };

/** Refusals the whole request shares (all items refused for one reason) answer with that status and code. */
type Refusal = { status: 400 | 403 | 404; code: string };

export type CollectOutcome =
  | { status: 'accepted'; kind: 'single'; eventId: string }
  | { status: 'accepted'; kind: 'batch'; eventIds: string[]; errors: IndexedError[]; size: number }
  | { status: 'invalid'; errors: IndexedError[]; rejected: number; refusal: Refusal }
  | { status: 'unavailable'; reason: UnpublishedReason | 'visitor_salt_unavailable'; events: number };

export interface CollectDeps {
  publisher: Pick<EventPublisher, 'publish'>;
  /** The visitor hash's salt per period (docs/metrics.md § Visitor). */
  salts: VisitorSalts;
  maxFutureSkewMs: number;
  maxPastAgeMs: number;
  now: () => Date;
  newId: () => string;
}

export interface CollectRequest<E extends IncomingEvent> {
  body: unknown;
  /** Item validator and batch limit; the browser contract (`IncomingEvent`, 500 per batch) when absent. */
  rules?: PayloadRules<E>;
  /** The project of each valid event, decided by the route (site key, API key). */
  assign: (event: E) => Assignment;
  /** The request's User-Agent, used when an event has none; routes for servers pass none. */
  userAgentHeader?: string | undefined;
  /** The request's client address (browser route), hashed into the visitor id; server routes pass none and use the body's `ip`. */
  clientIp?: string | undefined;
  /** True on the browser route: an event without any user agent is then a script's (is_bot). */
  fromBrowser?: boolean | undefined;
  /** At the in-flight bound: `refuse` (the default: an HTTP request, 503 overloaded) or `wait` (a stream). */
  whenFull?: WhenFull;
}

export type CollectFn = <E extends IncomingEvent>(request: CollectRequest<E>) => Promise<CollectOutcome>;

const VALIDATION: Refusal = { status: 400, code: 'validation_failed' };

export function createCollect(deps: CollectDeps): CollectFn {
  const hashes = new VisitorHashCache();
  return async <E extends IncomingEvent>(request: CollectRequest<E>): Promise<CollectOutcome> => {
    const { body } = request;
    const parsed = request.rules === undefined ? parsePayload(body) : parsePayload(body, request.rules);
    const rejectedAll = Array.isArray(body) ? Math.max(body.length, 1) : 1;
    if (parsed.kind === 'invalid') return { status: 'invalid', errors: parsed.errors, rejected: rejectedAll, refusal: VALIDATION };

    const items = parsed.kind === 'single' ? [{ index: undefined, event: parsed.event as E }] : (parsed.events as { index: number; event: E }[]);
    const errors: IndexedError[] = parsed.kind === 'batch' ? [...parsed.errors] : [];
    const refusals: Refusal[] = [];
    const receivedAt = deps.now();
    const ctx = { receivedAt, receivedAtIso: receivedAt.toISOString(), userAgentHeader: request.userAgentHeader, fromBrowser: request.fromBrowser, newId: deps.newId, maxFutureSkewMs: deps.maxFutureSkewMs, maxPastAgeMs: deps.maxPastAgeMs };
    const events: CollectedEvent[] = [];
    // One salt per mode and request: every event of a request shares the receipt time.
    const salts = new Map<HashMode, Uint8Array | undefined>();
    for (const { index, event } of items) {
      const assigned = request.assign(event);
      if (!assigned.ok) {
        const field = index === undefined ? assigned.field : `/${index}${assigned.field}`;
        errors.push(index === undefined ? { field, message: assigned.message } : { index, field, message: assigned.message });
        refusals.push({ status: assigned.status, code: assigned.code });
        continue;
      }
      const collected = enrichEvent(event, ctx, assigned);
      const visitor = visitorInput(collected, assigned.visitorIdMode ?? 'daily', (event as ServerEvent).ip ?? request.clientIp);
      if (needsSalt(visitor)) {
        const mode = visitor.mode === 'monthly' ? 'monthly' : 'daily';
        if (!salts.has(mode)) salts.set(mode, await deps.salts.saltFor(mode, receivedAt));
        const salt = salts.get(mode);
        // No salt (database away since before this period): refused for a retry, never stored
        // under a made-up identity that would split one visitor or merge two.
        if (salt === undefined) return { status: 'unavailable', reason: 'visitor_salt_unavailable', events: items.length };
        collected.visitor_id = hashes.idFor(visitor as VisitorInput & { ip: string }, salt);
      } else {
        collected.visitor_id = visitorId(visitor);
      }
      events.push(collected);
    }
    if (events.length === 0) {
      errors.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
      return { status: 'invalid', errors, rejected: rejectedAll, refusal: sharedRefusal(refusals, errors.length) };
    }
    // Returned, not awaited here: this frame (the body, its parsed and enriched events) ends now,
    // and only the ids the answer needs wait for Kafka with the records (bench/HISTORY.md § 23).
    const accepted: Accepted = parsed.kind === 'single' ? { kind: 'single', eventId: events[0]!.event_id } : { kind: 'batch', eventIds: events.map((e) => e.event_id), size: parsed.size };
    return answerOnceAcked(deps.publisher.publish(events, { whenFull: request.whenFull ?? 'refuse' }), accepted, errors);
  };
}

type Accepted = { kind: 'single'; eventId: string } | { kind: 'batch'; eventIds: string[]; size: number };

async function answerOnceAcked(published: ReturnType<EventPublisher['publish']>, accepted: Accepted, errors: IndexedError[]): Promise<CollectOutcome> {
  const outcome = await published;
  if (!outcome.ok) return { status: 'unavailable', reason: outcome.reason, events: accepted.kind === 'single' ? 1 : accepted.eventIds.length };
  if (accepted.kind === 'single') return { status: 'accepted', kind: 'single', eventId: accepted.eventId };
  errors.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  return { status: 'accepted', kind: 'batch', eventIds: accepted.eventIds, errors, size: accepted.size };
}

// The inputs of the visitor id: the stored user agent (the header's when the event had none), and
// an address that is used here and never copied into the record.
function visitorInput(event: CollectedEvent, mode: VisitorIdMode, ip: string | undefined): VisitorInput {
  return {
    projectId: event.project_id!,
    mode,
    userId: event.user_id,
    anonymousId: event.anonymous_id,
    ip,
    userAgent: event.user_agent,
    sessionId: event.session_id,
    eventId: event.event_id,
  };
}

// A request whose every item was refused for the same reason (an origin, a site key) answers with
// that reason; a mix, or any contract error, is a plain validation failure.
function sharedRefusal(refusals: Refusal[], errorCount: number): Refusal {
  const first = refusals[0];
  if (first === undefined || refusals.length !== errorCount) return VALIDATION;
  return refusals.every((r) => r.status === first.status && r.code === first.code) ? first : VALIDATION;
}
