// gRPC ingestion end to end: the collector's gRPC listener (real Kafka, real tenancy directory)
// and the pipeline as its own process writing to PostgreSQL. 100,000 events over one stream are
// exactly 100,000 rows; a stream cancelled by its client keeps its acknowledged part, and sending
// the whole file again (same event_ids) leaves exactly the file's rows; malformed messages are
// refused by message number while the others are stored exactly as sent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import type { Client } from '@grpc/grpc-js';
import { waitFor } from '../support/service-kit.ts';
import { pipelineBed, type PipelineBed } from '../pipeline/helpers.ts';
import { eventMessage, grpcBed, keyMetadata, openStream, streamEvents, type EventMessage, type GrpcBed } from './grpc-helpers.ts';
import { seedTenants, type Tenants } from './tenants.ts';

let tenants: Tenants;
let pipeline: PipelineBed;
let bed: GrpcBed;
let client: Client;

before(async () => {
  tenants = await seedTenants();
  pipeline = await pipelineBed('grpc-pipeline');
  await pipeline.startPipeline();
  bed = await grpcBed({ kafkaTopic: pipeline.topic }, tenants.directory);
  client = bed.client();
});

after(async () => {
  await bed.close();
  await pipeline.close();
  await tenants.close();
});

/** Rows of analytics_events matching `where` ($1… from params). */
const rows = async (where: string, params: unknown[]) => (await pipeline.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM analytics_events WHERE ${where}`, params)).rows[0]!.n;

test('100,000 events over one stream → OK, accepted 100000, exactly 100,000 rows in the project', async () => {
  const total = 100_000;
  const project = tenants.shop.project.id;
  function* file(): Generator<EventMessage> {
    for (let i = 0; i < total; i++) yield eventMessage(i, { page_url: `https://shop.example/bulk/${i}`, session_id: 'grpc-bulk' });
  }
  const answer = await streamEvents(client, keyMetadata(tenants.shop.ingestKey), file());
  assert.equal(status[answer.code], 'OK', answer.details);
  assert.deepEqual(answer.summary, { accepted: total, rejected: 0, errors: [], last_acked_line: total });
  const where = "project_id = $1 AND session_id = 'grpc-bulk'";
  await waitFor(`${total} rows`, () => rows(where, [project]), { until: (n) => n >= total, timeoutMs: 180_000, intervalMs: 500 });
  assert.equal(await rows(where, [project]), total);
  assert.equal(await rows(`${where} AND page_url = 'https://shop.example/bulk/99999'`, [project]), 1);
});

test('a stream cancelled by its client keeps its acknowledged part; the whole file sent again leaves exactly the file', async () => {
  const project = tenants.blog.project.id;
  const file = Array.from({ length: 5_000 }, (_, i) => eventMessage(i, { page_url: `https://blog.example/cut/${i}`, session_id: 'grpc-cut' }));
  const { call, answer } = openStream(client, keyMetadata(tenants.blog.ingestKey));
  let written = 0;
  for (const m of file.slice(0, 2_500)) {
    written += 1;
    if (!call.write(m)) await new Promise((r) => call.once('drain', r));
  }
  // Sequencing only: part of what was written reaches Kafka before the client goes away.
  await waitFor('part of the stream stored', () => rows("project_id = $1 AND session_id = 'grpc-cut'", [project]), { until: (n) => n >= 500, intervalMs: 50 });
  call.cancel();
  assert.equal(status[(await answer).code], 'CANCELLED');

  const stored = async () => (await pipeline.db.pool.query<{ event_id: string }>("SELECT event_id FROM analytics_events WHERE project_id = $1 AND session_id = 'grpc-cut'", [project])).rows.map((r) => r.event_id);
  // What the collector had acknowledged stays (it settles once the last chunks' acks are loaded).
  let previous = -1;
  const part = (await waitFor('the acknowledged part settles', async () => {
    const ids = await stored();
    const settled = ids.length === previous;
    previous = ids.length;
    return settled ? ids : undefined;
  }, { intervalMs: 1000 })) ?? [];
  assert.ok(part.length > 0 && part.length <= written, `${part.length} rows of ${written} written`);
  const sentIds = new Set(file.slice(0, written).map((m) => m.event_id));
  assert.ok(part.every((id) => sentIds.has(id)), 'every stored row is one the client sent');

  // The client does not know what was acknowledged: it sends the whole file again.
  const again = await streamEvents(client, keyMetadata(tenants.blog.ingestKey), file);
  assert.equal(status[again.code], 'OK', again.details);
  assert.equal(again.summary?.accepted, file.length);
  await waitFor('the whole file', () => rows("project_id = $1 AND session_id = 'grpc-cut'", [project]), { until: (n) => n >= file.length, timeoutMs: 60_000 });
  // Duplicates of the first part are dropped by event_id in the pipeline: exactly the file.
  const ids = await stored();
  assert.equal(ids.length, file.length);
  assert.deepEqual(new Set(ids), new Set(file.map((m) => m.event_id)));
});

test('malformed messages are refused by message number; the others are stored exactly as sent', async () => {
  const project = tenants.shop.project.id;
  const session = 'grpc-malformed';
  const at = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, '.123456Z');
  const full: EventMessage = {
    event_id: '0b9a1c4e-2f6d-4e8a-9c3b-5d7e1f2a4b6c',
    event_type: 'checkout.step:2',
    page_url: 'https://shop.example/checkout?step=2&utm_source=mail',
    page_title: 'Kasse — Schritt 2 ✓',
    button_id: 'pay-now',
    session_id: session,
    user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    timestamp: at,
    metadata_json: '{"cart":{"items":[{"sku":"A-1","qty":2,"price":19.99}],"total":39.98},"big":9007199254740991,"flag":true,"none":null,"emoji":"🛒"}',
    referrer: 'https://search.example/?q=shoes',
    screen_width: 1280,
    anonymous_id: 'anon-42',
    user_id: 'customer-7',
    ip: '203.0.113.9',
  };
  const messages: EventMessage[] = [
    full,
    eventMessage(2, { session_id: session, event_type: undefined }),
    eventMessage(3, { session_id: session, metadata_json: '{"a":' }),
    eventMessage(4, { session_id: session, metadata_json: '{"price":9007199254740993}' }),
    { event_type: 'page_view', page_url: 'https://shop.example/minimal', session_id: session },
    eventMessage(6, { session_id: session, page_url: 'ftp://shop.example/file' }),
    eventMessage(7, { session_id: session, screen_width: '9007199254740993' }),
    eventMessage(8, { session_id: session, metadata_json: '{"a":1,"a":2}' }),
    eventMessage(9, { session_id: session, page_url: 'https://shop.example/ok/9' }),
  ];
  const answer = await streamEvents(client, keyMetadata(tenants.shop.ingestKey), messages);
  assert.equal(status[answer.code], 'OK', answer.details);
  const summary = answer.summary!;
  assert.equal(summary.accepted, 3);
  assert.equal(summary.rejected, 6);
  assert.equal(summary.last_acked_line, 9);
  assert.deepEqual(
    summary.errors.map((e) => [e.line, e.field]),
    [
      [2, '/event_type'],
      [3, '/metadata'],
      [4, '/metadata/price'],
      [6, '/page_url'],
      [7, '/screen_width'],
      [8, '/metadata/a'],
    ],
  );
  assert.match(summary.errors[1]!.message, /not valid JSON/);

  await waitFor('3 rows', () => rows('project_id = $1 AND session_id = $2', [project, session]), { until: (n) => n >= 3, timeoutMs: 60_000 });
  assert.equal(await rows('project_id = $1 AND session_id = $2', [project, session]), 3);
  const { rows: [row] } = await pipeline.db.pool.query(
    `SELECT event_type, page_url, page_title, button_id, session_id, user_agent, metadata, referrer, screen_width, anonymous_id, user_id,
            to_char(timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ts, metadata::text AS metadata_text
       FROM analytics_events WHERE event_id = $1`,
    [full.event_id],
  );
  assert.deepEqual(
    { ...row, metadata_text: undefined },
    {
      event_type: full.event_type,
      page_url: full.page_url,
      page_title: full.page_title,
      button_id: full.button_id,
      session_id: session,
      user_agent: full.user_agent,
      metadata: JSON.parse(String(full.metadata_json)),
      referrer: full.referrer,
      screen_width: 1280,
      anonymous_id: full.anonymous_id,
      user_id: full.user_id,
      ts: at,
      metadata_text: undefined,
    },
  );
  assert.match(String(row.metadata_text), /"big": 9007199254740991/);
  // Fields the sender left out stay absent (NULL), never "" or 0.
  const { rows: [minimal] } = await pipeline.db.pool.query("SELECT page_title, button_id, screen_width, user_id, metadata FROM analytics_events WHERE page_url = 'https://shop.example/minimal' AND project_id = $1", [project]);
  assert.deepEqual(minimal, { page_title: null, button_id: null, screen_width: null, user_id: null, metadata: {} });
});
