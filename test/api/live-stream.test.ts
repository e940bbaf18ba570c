// The live streams end to end with real processes: collector -> Kafka -> api (its own consumer
// group) -> server-sent events / WebSocket, and the pipeline's commit -> NOTIFY -> `stored`.
// Checks: an accepted event arrives with the collector's enriched fields and only on its own
// project's stream; filters; Last-Event-ID resumption from the buffer; `stored` after the loader
// committed (the query API then lists the event); stream tokens (another project's token, a key
// in the URL); the same messages over WebSocket; live metrics agree with /realtime.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import WebSocket from 'ws';
import { DEFAULT_PROJECT_ID } from '#contract';
import { runCli, type CliCommand } from '../../tenancy/cli-commands.ts';
import { pipelineBed, type PipelineBed } from '../pipeline/helpers.ts';
import { service, waitFor, type Service } from '../support/service-kit.ts';
import { openSse, type SseMessage, type SseStream } from '../support/sse-client.ts';

const PEPPER = 'live-test-pepper-0123456';
const UA = (n: number) => `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.${n}.0 Safari/537.36`;

let bed: PipelineBed;
let collector: Service<'collector'>;
let api: Service<'api'>;
let liveKey = '';
let otherProject = '';
let otherIngestKey = '';
let otherLiveKey = '';
const streams: SseStream[] = [];

const cli = async (command: CliCommand, args: string[]): Promise<Record<string, unknown>> => {
  const out = await runCli(command, args, { db: bed.db.pool, pepper: PEPPER });
  if (!out.ok) throw new Error(`${command} ${args.join(' ')}: ${out.error}`);
  return out.value.json as Record<string, unknown>;
};

before(async () => {
  bed = await pipelineBed('live', { partitions: 3 });
  liveKey = String((await cli('keys', ['create', '--project', DEFAULT_PROJECT_ID, '--scopes', 'live,read']))['key']);
  otherProject = String((await cli('projects', ['create', 'other', '--org', 'other-org']))['project']);
  otherIngestKey = String((await cli('keys', ['create', '--project', otherProject, '--scopes', 'ingest']))['key']);
  otherLiveKey = String((await cli('keys', ['create', '--project', otherProject, '--scopes', 'live']))['key']);
  collector = await service('collector', { env: { kafkaTopic: bed.topic, databaseUrl: bed.db.url, apiKeyPepper: PEPPER } });
  api = await service('api', { env: { kafkaTopic: bed.topic, databaseUrl: bed.db.url, apiKeyPepper: PEPPER, liveHeartbeatMs: 300, liveMetricsIntervalMs: 500 } });
  await Promise.all([bed.startPipeline(), collector.start(), api.start()]);
});

after(async () => {
  for (const s of streams) s.close();
  await Promise.all([api?.stop(), collector?.stop()]);
  await bed?.close();
});

const base = () => `http://127.0.0.1:${api.ports.http}/api/v1/projects`;

async function token(project: string, key: string): Promise<string> {
  const res = await fetch(`${base()}/${project}/live/token`, { method: 'POST', headers: { 'x-api-key': key } });
  assert.equal(res.status, 200, await res.clone().text());
  const body = (await res.json()) as { token: string; expires_at: string; expires_in: number };
  assert.ok(Date.parse(body.expires_at) > Date.now());
  return body.token;
}

async function open(path: string, query: Record<string, string>, headers: Record<string, string> = {}): Promise<SseStream> {
  const s = await openSse(`${base()}${path}?${new URLSearchParams(query)}`, headers);
  streams.push(s);
  return s;
}

async function post(event: Record<string, unknown>, ua = UA(1)): Promise<{ id: string; acked: number }> {
  const id = randomUUID();
  const res = await fetch(`http://127.0.0.1:${collector.ports.http}/analytics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': ua },
    body: JSON.stringify({ event_id: id, page_url: 'https://example.test/live', ...event }),
  });
  const acked = performance.now();
  assert.equal(res.status, 200, await res.text());
  return { id, acked };
}

const isEvent = (id: string) => (m: SseMessage) => m.type === 'event' && m.data.event_id === id;

/** Until the api's consumer group has joined, records are not seen: post probes until one arrives. */
async function warmUp(stream: SseStream): Promise<void> {
  await waitFor(
    'the live feed to see a probe',
    async () => {
      const { id } = await post({ event_type: 'probe' });
      return stream.next(isEvent(id), 1500).then(() => true, () => false);
    },
    { until: (seen) => seen, timeoutMs: 60_000, intervalMs: 10 },
  );
}

test('an accepted event reaches its own project stream with its enriched fields, then `stored`; the query API then lists it', async (t) => {
  const stream = await open(`/${DEFAULT_PROJECT_ID}/live/events`, { token: await token(DEFAULT_PROJECT_ID, liveKey) });
  assert.equal(stream.status, 200);
  const ready = await stream.next((m) => m.type === 'ready');
  assert.equal(ready.data.project, DEFAULT_PROJECT_ID);
  assert.equal(ready.data.resumed, null);
  const foreign = await open(`/${otherProject}/live/events`, {}, { 'x-api-key': otherLiveKey });
  await foreign.next((m) => m.type === 'ready');
  await warmUp(stream);

  const { id, acked } = await post({ event_type: 'page_view', session_id: 'live-1', page_url: 'https://example.test/live/a?utm_source=news', page_title: 'A' });
  const seen = await stream.next(isEvent(id), 5000);
  t.diagnostic(`collector 2xx -> server-sent event: ${(seen.at - acked).toFixed(1)} ms`);
  assert.match(seen.id!, /^\d+-\d+$/);
  // The collector's enriched record: project, visitor, path, UTM.
  assert.equal(seen.data.project_id, DEFAULT_PROJECT_ID);
  assert.equal(seen.data.page_path, '/live/a');
  assert.equal(seen.data.utm_source, 'news');
  assert.equal(seen.data.page_title, 'A');
  assert.match(seen.data.visitor_id, /^h:[0-9a-f]{32}$/);

  // Another project's event goes to that project's stream only.
  const other = randomUUID();
  const res = await fetch(`http://127.0.0.1:${collector.ports.http}/api/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': otherIngestKey },
    body: JSON.stringify({ event_id: other, event_type: 'page_view', page_url: 'https://other.test/secret', user_id: 'u1' }),
  });
  assert.equal(res.status, 200, await res.text());
  await foreign.next(isEvent(other), 5000);
  const marker = await post({ event_type: 'marker' });
  await stream.next(isEvent(marker.id), 5000);
  assert.ok(!stream.messages.some(isEvent(other)), 'a subscriber sees another project event');
  assert.ok(!foreign.messages.some(isEvent(id)));

  // `stored`: the partition is in the database through the event's offset.
  const [partition, offset] = seen.id!.split('-').map(Number) as [number, number];
  const stored = await stream.next((m) => m.type === 'stored' && m.data.partition === partition && m.data.through_offset >= offset, 15_000);
  t.diagnostic(`collector 2xx -> stored: ${(stored.at - acked).toFixed(1)} ms`);
  const list = await fetch(`${base()}/${DEFAULT_PROJECT_ID}/events?session_id=live-1&from=${new Date(Date.now() - 3_600_000).toISOString()}`, { headers: { 'x-api-key': liveKey } });
  const body = (await list.json()) as { data: { event_id: string }[] };
  assert.equal(list.status, 200, JSON.stringify(body));
  assert.deepEqual(body.data.map((e) => e.event_id), [id], 'the query API includes what the stream said is stored');
});

test('filters: event_type, page and session_id; bots only with include_bots', async () => {
  const auth = { 'x-api-key': liveKey };
  const byType = await open(`/${DEFAULT_PROJECT_ID}/live/events`, { event_type: 'button_click', session_id: 'f-2' }, auth);
  const byPage = await open(`/${DEFAULT_PROJECT_ID}/live/events`, { page: '/filter/x' }, auth);
  const withBots = await open(`/${DEFAULT_PROJECT_ID}/live/events`, { include_bots: 'true', session_id: 'f-bot' }, auth);
  const all = await open(`/${DEFAULT_PROJECT_ID}/live/events`, {}, auth);
  for (const s of [byType, byPage, withBots, all]) await s.next((m) => m.type === 'ready');
  await warmUp(all);
  const a = await post({ event_type: 'page_view', session_id: 'f-2', page_url: 'https://example.test/filter/x' });
  const b = await post({ event_type: 'button_click', session_id: 'f-1', button_id: 'b' });
  const c = await post({ event_type: 'button_click', session_id: 'f-2', button_id: 'b' });
  const bot = await post({ event_type: 'page_view', session_id: 'f-bot' }, 'Googlebot/2.1 (+http://www.google.com/bot.html)');
  const last = await post({ event_type: 'marker', session_id: 'f-end' });
  await all.next(isEvent(last.id), 5000);
  const ids = (s: SseStream) => s.messages.filter((m) => m.type === 'event' && m.data.event_type !== 'probe').map((m) => m.data.event_id);
  // Delivery to one subscriber follows Kafka partitions; compare as sets.
  assert.deepEqual(new Set(ids(all)), new Set([a.id, b.id, c.id, last.id]), 'bots are left out by default');
  await byType.next(isEvent(c.id), 5000);
  await byPage.next(isEvent(a.id), 5000);
  await withBots.next(isEvent(bot.id), 5000);
  assert.deepEqual(ids(byType), [c.id]);
  assert.deepEqual(ids(byPage), [a.id]);
  assert.deepEqual(ids(withBots), [bot.id]);
});

test('Last-Event-ID resumes from the buffer: the events after it, once each, then new ones; an unknown id says resumed false', async () => {
  const auth = { 'x-api-key': liveKey };
  const first = await open(`/${DEFAULT_PROJECT_ID}/live/events`, { session_id: 'resume' }, auth);
  await first.next((m) => m.type === 'ready');
  const all = await open(`/${DEFAULT_PROJECT_ID}/live/events`, {}, auth);
  await warmUp(all);
  const a = await post({ event_type: 'page_view', session_id: 'resume' });
  const seenA = await first.next(isEvent(a.id), 5000);
  first.close();
  // Same session, so the same Kafka partition, in this order.
  const b = await post({ event_type: 'page_view', session_id: 'resume' });
  const c = await post({ event_type: 'button_click', session_id: 'resume' });
  await all.next(isEvent(c.id), 5000);
  const again = await open(`/${DEFAULT_PROJECT_ID}/live/events`, { session_id: 'resume' }, { ...auth, 'last-event-id': seenA.id! });
  const ready = await again.next((m) => m.type === 'ready');
  assert.equal(ready.data.resumed, true);
  assert.equal(ready.data.replayed, 2);
  await again.next(isEvent(c.id), 5000);
  const d = await post({ event_type: 'page_view', session_id: 'resume' });
  await again.next(isEvent(d.id), 5000);
  assert.deepEqual(
    again.messages.filter((m) => m.type === 'event').map((m) => m.data.event_id),
    [b.id, c.id, d.id],
  );
  const unknown = await open(`/${DEFAULT_PROJECT_ID}/live/events`, { last_event_id: '0-999999999999' }, auth);
  assert.equal((await unknown.next((m) => m.type === 'ready')).data.resumed, false);
});

test("tokens open only their project; a key in the URL is refused; a tampered token is 401; heartbeats keep an idle stream alive", async () => {
  const otherToken = await token(otherProject, otherLiveKey);
  const wrong = await open(`/${DEFAULT_PROJECT_ID}/live/events`, { token: otherToken });
  assert.equal(wrong.status, 404);
  const inUrl = await open(`/${DEFAULT_PROJECT_ID}/live/events`, { api_key: liveKey });
  assert.equal(inUrl.status, 400);
  assert.equal((inUrl.error as { errors: { field: string }[] }).errors[0]!.field, 'api_key');
  const mine = await token(DEFAULT_PROJECT_ID, liveKey);
  const tampered = await open(`/${DEFAULT_PROJECT_ID}/live/events`, { token: `${mine.slice(0, -2)}xx` });
  assert.equal(tampered.status, 401);
  // A token is no access token: it opens no report.
  const report = await fetch(`${base()}/${DEFAULT_PROJECT_ID}/stats`, { headers: { authorization: `Bearer ${mine}` } });
  assert.equal(report.status, 401);
  const idle = await open(`/${otherProject}/live/events`, { token: otherToken });
  assert.equal(idle.status, 200);
  await idle.next((m) => m.type === 'heartbeat', 3000);
});

test('an event resent with the same event_id (a client retrying after a lost answer) is shown once, as the loader stores it once', async () => {
  const auth = { 'x-api-key': liveKey };
  const stream = await open(`/${DEFAULT_PROJECT_ID}/live/events`, { session_id: 'resend-1' }, auth);
  await stream.next((m) => m.type === 'ready');
  const all = await open(`/${DEFAULT_PROJECT_ID}/live/events`, {}, auth);
  await warmUp(all);
  const id = randomUUID();
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`http://127.0.0.1:${collector.ports.http}/analytics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': UA(1) },
      body: JSON.stringify({ event_id: id, event_type: 'button_click', button_id: 'buy', session_id: 'resend-1', page_url: 'https://example.test/live/resend' }),
    });
    assert.equal(res.status, 200, await res.text());
  }
  const marker = await post({ event_type: 'marker', session_id: 'resend-1' });
  await stream.next(isEvent(marker.id), 5000);
  assert.equal(stream.messages.filter(isEvent(id)).length, 1, 'the resent event once on the stream');
  // Resuming from before it replays it once too.
  const resumed = await open(`/${DEFAULT_PROJECT_ID}/live/events`, { session_id: 'resend-1' }, { ...auth, 'last-event-id': stream.messages.find((m) => m.type === 'event')!.id! });
  await resumed.next(isEvent(marker.id), 5000);
  assert.equal(resumed.messages.filter(isEvent(id)).length, 0, 'the first event is the resume point, so nothing of it is replayed');
  // Same session, same visitor key, same partition: once the marker is stored, so are the three sends.
  const [partition, offset] = stream.messages.find(isEvent(marker.id))!.id!.split('-').map(Number) as [number, number];
  await stream.next((m) => m.type === 'stored' && m.data.partition === partition && m.data.through_offset >= offset, 15_000);
  const { rows } = await bed.db.pool.query('SELECT count(*)::int AS n FROM analytics_events WHERE event_id = $1', [id]);
  assert.equal(rows[0].n, 1);
});

test("a revoked key's tokens open no stream, and its open streams (by token or by header) end", async () => {
  const created = await cli('keys', ['create', '--project', DEFAULT_PROJECT_ID, '--scopes', 'live']);
  const key = String(created['key']);
  // The api's directory learns of a new key within seconds.
  await waitFor('the api to know the new key', async () => (await fetch(`${base()}/${DEFAULT_PROJECT_ID}/live/token`, { method: 'POST', headers: { 'x-api-key': key } })).status, { until: (s) => s === 200, timeoutMs: 10_000, intervalMs: 100 });
  const byToken = await open(`/${DEFAULT_PROJECT_ID}/live/events`, { token: await token(DEFAULT_PROJECT_ID, key) });
  const byHeader = await open(`/${DEFAULT_PROJECT_ID}/live/metrics`, {}, { 'x-api-key': key });
  const spare = await token(DEFAULT_PROJECT_ID, key);
  const other = await open(`/${DEFAULT_PROJECT_ID}/live/events`, {}, { 'x-api-key': liveKey });
  await Promise.all([byToken.next((m) => m.type === 'ready'), byHeader.next((m) => m.type === 'ready'), other.next((m) => m.type === 'ready')]);
  await cli('keys', ['revoke', String(created['id'])]);
  const within = (p: Promise<boolean>, ms: number) => Promise.race([p, new Promise<'open'>((r) => setTimeout(() => r('open'), ms))]);
  // The directory hears of it within 5 s; the streams end within a second of that.
  assert.equal(await within(byToken.ended, 8000), true, 'the token stream ended');
  assert.equal(await within(byHeader.ended, 2000), true, 'the key stream ended');
  const refused = await open(`/${DEFAULT_PROJECT_ID}/live/events`, { token: spare });
  assert.equal(refused.status, 401);
  assert.match(JSON.stringify(refused.error), /revoked/);
  // Another key's stream is untouched.
  assert.equal(await within(other.ended, 1500), 'open');
});

test('WebSocket: the same messages as JSON frames', async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${api.ports.http}/api/v1/projects/${DEFAULT_PROJECT_ID}/live/events?token=${encodeURIComponent(await token(DEFAULT_PROJECT_ID, liveKey))}&session_id=ws-1`);
  const frames: { type: string; id?: string; data: { event_id?: string } }[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  try {
    await waitFor('ready', () => frames.some((f) => f.type === 'ready'), { until: Boolean, timeoutMs: 5000, intervalMs: 10 });
    const all = await open(`/${DEFAULT_PROJECT_ID}/live/events`, {}, { 'x-api-key': liveKey });
    await warmUp(all);
    const a = await post({ event_type: 'page_view', session_id: 'ws-1' });
    const frame = await waitFor('event frame', () => frames.find((f) => f.type === 'event' && f.data.event_id === a.id), { until: (f) => f !== undefined, timeoutMs: 5000, intervalMs: 10 });
    assert.match(frame!.id!, /^\d+-\d+$/);
  } finally {
    ws.close();
  }
});

test('live metrics: current visitors and top pages as /realtime counts them once stored; events_last_minute counts the events seen', async () => {
  const project = otherProject;
  const metrics = await open(`/${project}/live/metrics`, {}, { 'x-api-key': otherLiveKey });
  assert.equal(metrics.status, 200);
  const firstMetrics = await metrics.next((m) => m.type === 'metrics', 5000);
  const before = firstMetrics.data.current_visitors as number;
  const send = (user: string, path: string) =>
    fetch(`http://127.0.0.1:${collector.ports.http}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': otherIngestKey },
      body: JSON.stringify({ event_id: randomUUID(), event_type: 'page_view', page_url: `https://other.test${path}`, user_id: user }),
    }).then((r) => assert.equal(r.status, 200));
  await send('m-1', '/m/top');
  await send('m-2', '/m/top');
  await send('m-2', '/m/second');
  const after = await metrics.next((m) => m.type === 'metrics' && m.data.current_visitors >= before + 2, 10_000);
  assert.equal(after.data.top_pages[0].page, '/m/top');
  assert.ok(after.data.events_last_minute >= 3);
  assert.equal(after.data.events_per_second, after.data.events_last_minute / 60);
  // Once stored, /realtime (a read key is needed) counts the same visitors and top pages.
  const readKey = String((await cli('keys', ['create', '--project', project, '--scopes', 'read']))['key']);
  // The third event may be stored after the first two visitors are: wait until /realtime agrees with
  // the latest metrics on the visitors and the pages (it never does if either counts wrongly).
  type Realtime = { current_visitors: number; top_pages: { page: string; visitors: number }[] };
  const agreed = await waitFor(
    'realtime and the live metrics to count the same stored events',
    async () => {
      const res = await fetch(`${base()}/${project}/realtime`, { headers: { 'x-api-key': readKey } });
      const realtime = (await res.json()) as Realtime;
      const latest = await metrics.next((m) => m.type === 'metrics', 3000, metrics.messages.length);
      return { realtime, latest: latest.data as unknown as Realtime };
    },
    { until: ({ realtime, latest }) => realtime.current_visitors === latest.current_visitors && isDeepStrictEqual(realtime.top_pages, latest.top_pages), timeoutMs: 15_000 },
  );
  assert.equal(agreed.realtime.current_visitors, after.data.current_visitors);
  assert.equal(agreed.realtime.top_pages[0]?.page, '/m/top');
  assert.ok(agreed.realtime.top_pages.some((p) => p.page === '/m/second'), JSON.stringify(agreed.realtime.top_pages));
});
