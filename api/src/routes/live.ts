// The live routes under /api/v1/projects/{project}/live: POST token (a short-lived stream token),
// GET events and GET metrics, each a server-sent event stream or, on a WebSocket upgrade, the same
// messages as JSON text frames. Streams need the live scope: a key or an analyst's access token in
// the headers, or `?token=` from POST …/live/token (browsers cannot send headers); a key in the
// URL (`api_key`) is refused. Messages: docs/live.md.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from '@fastify/websocket';
import type { LiveHub } from '../live/live-hub.ts';
import type { LiveFilter } from '../live/live-event.ts';
import { authenticateLiveToken, issueLiveToken, type Signer } from '../live/live-token.ts';
import type { Subscriber, LiveTransport } from '../live/subscriber.ts';
import { sendProblem } from '../http/problems.ts';
import type { AuthOutcome } from '../../../tenancy/authenticate.ts';
import type { Principal } from '../../../tenancy/model.ts';
import { eventTypeSchema } from '../query/event-type-parameter.ts';

export interface LiveRouteContext {
  live: LiveHub;
  signer: Signer;
  tokenTtlSeconds: number;
  now: () => Date;
  /** The key of that id while it is live (the tenancy directory): a revoked key's tokens and streams end. */
  keyById: (keyId: string) => Principal | undefined;
  /** How often open streams are checked against revoked keys (ms); default 1000. */
  revocationCheckMs?: number;
}

const StreamTokenParam = Type.String({ minLength: 1, maxLength: 4096, description: 'A stream token from POST …/live/token (for clients that cannot send headers: EventSource, browser WebSocket).' });
const EVENT_ID = Type.String({ pattern: '^[0-9]{1,10}-[0-9]{1,19}$', description: 'An event id seen on this stream (`<partition>-<offset>`): the stream resumes after it from the buffer. EventSource sends it as the Last-Event-ID header by itself.' });

const EventsQuery = Type.Object(
  {
    event_type: Type.Optional(eventTypeSchema('Only events of this type.', 'page_view')),
    page: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'Only events on this page_path.', examples: ['/pricing'] })),
    session_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Only events of this session.' })),
    include_bots: Type.Boolean({ default: false, description: 'Also events flagged is_bot (left out by default, as in every report).' }),
    last_event_id: Type.Optional(EVENT_ID),
    token: Type.Optional(StreamTokenParam),
  },
  { additionalProperties: false },
);
const MetricsQuery = Type.Object({ token: Type.Optional(StreamTokenParam) }, { additionalProperties: false });

const STREAM_200 = (description: string) => ({
  200: { description, content: { 'text/event-stream': { schema: Type.String({ description: 'Server-sent events: `event: <type>`, `id: <partition>-<offset>` (events only), `data: <JSON>`.' }) } } },
});

const TokenAnswer = Type.Object({
  token: Type.String({ description: 'Pass as `?token=` to …/live/events and …/live/metrics.' }),
  expires_at: Type.String({ description: 'UTC instant after which a stream can no longer be opened with it (one already open continues).' }),
  expires_in: Type.Integer({ description: 'Seconds from now to expires_at.' }),
});

interface EventsParams {
  event_type?: string;
  page?: string;
  session_id?: string;
  include_bots: boolean;
  last_event_id?: string;
  token?: string;
}

/** How long a WebSocket client may have unsent bytes before it counts as slow. */
const WS_BUFFER_LIMIT = 1024 * 1024;

function sseTransport(request: FastifyRequest, reply: FastifyReply): LiveTransport {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    // Proxies such as nginx must pass each message on at once.
    'x-accel-buffering': 'no',
    'x-request-id': request.id,
  });
  // EventSource reconnects after 1 s (default 3 s) and sends Last-Event-ID then.
  raw.write('retry: 1000\n\n');
  return { write: (text) => raw.write(text), close: () => raw.end() };
}

function wsTransport(socket: WebSocket, resume: () => void): LiveTransport {
  let waiting: NodeJS.Timeout | undefined;
  return {
    write(text) {
      if (socket.readyState !== socket.OPEN) return true;
      socket.send(text);
      if (socket.bufferedAmount < WS_BUFFER_LIMIT) return true;
      // ws has no drain event of its own: look again shortly.
      waiting ??= setInterval(() => {
        if (socket.readyState !== socket.OPEN || socket.bufferedAmount < WS_BUFFER_LIMIT) {
          clearInterval(waiting);
          waiting = undefined;
          resume();
        }
      }, 20);
      return false;
    },
    close() {
      clearInterval(waiting);
      socket.close(1001, 'server closing');
    },
  };
}

const filterOf = (q: EventsParams): LiveFilter => ({ eventType: q.event_type, page: q.page, sessionId: q.session_id, includeBots: q.include_bots });

function lastEventId(request: FastifyRequest): string | undefined {
  const header = request.headers['last-event-id'];
  const value = typeof header === 'string' && header !== '' ? header : (request.query as EventsParams).last_event_id;
  return value !== undefined && /^[0-9]{1,10}-[0-9]{1,19}$/.test(value) ? value : undefined;
}

export async function liveRoutes(app: FastifyInstance, context: LiveRouteContext): Promise<void> {
  const { live } = context;
  // A stream's `?token=` stands for the caller; without one the usual headers apply. A token a
  // key issued is good only while that key is (revocation reaches this process within 5 s).
  const streamAuth = (request: FastifyRequest): AuthOutcome | undefined => {
    const token = (request.query as { token?: string }).token;
    if (token === undefined) return undefined;
    const auth = authenticateLiveToken(context.signer, token);
    if (auth.ok && auth.caller.kind === 'key' && context.keyById(auth.caller.id) === undefined) {
      return { ok: false, status: 401, error: 'invalid_token', message: 'the key that issued this live token is revoked or expired' };
    }
    return auth;
  };

  // Open streams of a key (by header or by its token) end within a second of its revocation.
  const keyed = new Map<Subscriber, string>();
  const watchKey = (subscriber: Subscriber | undefined, request: FastifyRequest) => {
    if (subscriber === undefined || subscriber.closed || request.caller.kind !== 'key') return;
    keyed.set(subscriber, request.caller.id);
  };
  const revocations = setInterval(() => {
    for (const [subscriber, keyId] of keyed) {
      if (subscriber.closed) keyed.delete(subscriber);
      else if (context.keyById(keyId) === undefined) {
        keyed.delete(subscriber);
        subscriber.close();
        live.unsubscribe(subscriber);
      }
    }
  }, context.revocationCheckMs ?? 1000).unref();
  app.addHook('onClose', async () => clearInterval(revocations));
  // Before the credential check (onRequest): a key in the URL is refused for what it is, not as a missing credential.
  app.addHook('onRequest', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    if ('api_key' in query || 'key' in query) {
      const field = 'api_key' in query ? 'api_key' : 'key';
      return sendProblem(reply, 400, 'invalid_parameter', `${field}: a key never goes in a URL (URLs end up in logs and browser history); POST …/live/token with the key in X-API-Key and pass ?token=`, field);
    }
  });

  /** A metrics client, which may leave while its project's window is still being seeded. */
  const followMetrics = async (project: string, transport: LiveTransport, framing: 'sse' | 'ws', onGone: (end: () => void) => void): Promise<{ subscriber?: Subscriber }> => {
    const ref: { subscriber?: Subscriber; gone?: boolean } = {};
    const end = () => {
      ref.gone = true;
      if (ref.subscriber === undefined) return;
      ref.subscriber.close();
      live.unsubscribe(ref.subscriber);
    };
    onGone(end);
    ref.subscriber = await live.subscribeMetrics(project, transport, framing);
    if (ref.gone) end();
    return ref;
  };

  const attach = (subscriber: Subscriber, request: FastifyRequest, reply?: FastifyReply) => {
    const end = () => {
      subscriber.close();
      live.unsubscribe(subscriber);
    };
    request.raw.on('close', end);
    reply?.raw.on('close', end);
    reply?.raw.on('drain', () => subscriber.resume());
  };

  app.post(
    '/live/token',
    {
      schema: {
        tags: ['live'],
        summary: 'A short-lived token for opening live streams',
        description: `For clients that cannot send headers (EventSource, a browser WebSocket): pass it as \`?token=\` to …/live/events and …/live/metrics of this project. It opens nothing else and expires after ${context.tokenTtlSeconds} s (LIVE_TOKEN_TTL_SECONDS); streams already open continue. A key's tokens end with the key: revoked, its tokens are refused (401) and its open streams end. Needs the live scope (a key with it, or a signed-in analyst). Errors: 401 without a valid credential; 403 for a key of this project without the live scope; 404 for a project the caller holds no grant on.`,
        response: { 200: TokenAnswer },
      },
      config: { scope: 'live' },
    },
    async (request) => issueLiveToken(context.signer, request.caller, request.project, context.tokenTtlSeconds, context.now()),
  );

  app.route({
    method: 'GET',
    url: '/live/events',
    schema: {
      tags: ['live'],
      summary: 'Accepted events as they arrive (server-sent events or WebSocket)',
      description: [
        "Each event the collector accepted for this project, read from Kafka within milliseconds of the collector's ack, as `event: event` with `id: <partition>-<offset>` and the enriched event as data.",
        'First `ready` (filters; with Last-Event-ID or last_event_id: whether the buffer still held it, and how many buffered events follow it), then events. A slow client gets `dropped` with how many events it missed at that place instead of an ever-growing queue;',
        '`stored` (partition, through_offset) once the loader committed every event of that partition up to that offset, so the query API includes them; `heartbeat` when idle.',
        'A WebSocket upgrade on the same URL gets the same messages as `{"type","id"?,"data"}` text frames. Credentials: the live scope by header, or `?token=` (POST …/live/token); a key in the URL is refused (400). docs/live.md.',
      ].join(' '),
      querystring: EventsQuery,
      response: STREAM_200('The event stream (text/event-stream); never ends by itself.'),
    },
    config: { scope: 'live', authenticate: streamAuth },
    handler: async (request, reply) => {
      const q = request.query as EventsParams;
      const transport = sseTransport(request, reply);
      const { subscriber } = live.subscribe(request.project.id, filterOf(q), transport, 'sse', lastEventId(request));
      attach(subscriber, request, reply);
      watchKey(subscriber, request);
    },
    wsHandler: (socket, request) => {
      const q = request.query as EventsParams;
      const ref: { subscriber?: Subscriber } = {};
      const transport = wsTransport(socket, () => ref.subscriber?.resume());
      const subscriber = live.subscribe(request.project.id, filterOf(q), transport, 'ws', lastEventId(request)).subscriber;
      ref.subscriber = subscriber;
      socket.on('close', () => {
        subscriber.close();
        live.unsubscribe(subscriber);
      });
      watchKey(subscriber, request);
    },
  });

  app.route({
    method: 'GET',
    url: '/live/metrics',
    schema: {
      tags: ['live'],
      summary: 'Current visitors, events per second and top pages, every 2 s (server-sent events or WebSocket)',
      description: [
        'After `ready`, a `metrics` message at once and then every LIVE_METRICS_INTERVAL_MS (2 s):',
        '{ at, current_visitors_since, current_visitors, events_last_minute, events_per_second, top_pages: [{ page, visitors }] }.',
        'The definitions are those of /realtime (docs/metrics.md § realtime; bots left out), computed from the live stream plus the events stored in the last 5 minutes when the first client of the project arrived, each event once.',
        'The same messages over a WebSocket upgrade. Credentials as for …/live/events.',
      ].join(' '),
      querystring: MetricsQuery,
      response: STREAM_200('The metrics stream (text/event-stream); never ends by itself.'),
    },
    config: { scope: 'live', authenticate: streamAuth },
    handler: async (request, reply) => {
      const ref: { subscriber?: Subscriber } = {};
      const transport = sseTransport(request, reply);
      reply.raw.on('drain', () => ref.subscriber?.resume());
      Object.assign(ref, await followMetrics(request.project.id, transport, 'sse', (end) => request.raw.on('close', end)));
      watchKey(ref.subscriber, request);
    },
    wsHandler: async (socket, request) => {
      const ref: { subscriber?: Subscriber } = {};
      const transport = wsTransport(socket, () => ref.subscriber?.resume());
      Object.assign(ref, await followMetrics(request.project.id, transport, 'ws', (end) => socket.on('close', end)));
      watchKey(ref.subscriber, request);
    },
  });
}
