// Enrichment end to end with real processes: collector -> Kafka -> pipeline -> PostgreSQL. The
// collector derives the per-event columns (docs/metrics.md § Per event); records of another
// producer, written straight to Kafka without them, get the same columns from the pipeline.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { service, waitFor, type Service } from '../support/service-kit.ts';
import { USER_AGENTS } from '../support/user-agents.ts';
import { count, pipelineBed, produce } from './helpers.ts';

const bed = await pipelineBed('enrichment-e2e');
const { db, kafka, topic } = bed;
let pipeline: Service<'pipeline'>;
let collector: Service<'collector'>;

before(async () => {
  collector = await service('collector', { env: { kafkaTopic: topic } });
  [pipeline] = await Promise.all([bed.startPipeline(), collector.start()]);
});

after(async () => {
  await Promise.all([collector?.stop(), pipeline?.stop()]);
  await bed.close();
});

const COLUMNS = 'page_path, referrer, referrer_domain, utm_source, utm_medium, utm_campaign, utm_term, utm_content, browser, os, device_type, is_bot, screen_width, engaged_ms';
const NONE = { referrer: null, referrer_domain: null, utm_source: null, utm_medium: null, utm_campaign: null, utm_term: null, utm_content: null, browser: null, os: null, screen_width: null, engaged_ms: null };

async function storedRow(eventId: string): Promise<Record<string, unknown>> {
  await waitFor('row', () => count(db.pool, `SELECT count(*)::int AS n FROM analytics_events WHERE event_id = '${eventId}'`), { until: (n) => n === 1 });
  const { rows } = await db.pool.query(`SELECT ${COLUMNS} FROM analytics_events WHERE event_id = $1`, [eventId]);
  return rows[0] as Record<string, unknown>;
}

const post = async (body: Record<string, unknown>, userAgent: string) => {
  const res = await fetch(`${collector.url}/analytics`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': userAgent }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.text());
};

test('a page view with UTM, an external referrer and a known user agent lands with the derived columns', async () => {
  const id = randomUUID();
  const referrer = 'https://www.Google.com/search?q=shoes';
  await post(
    {
      event_id: id,
      event_type: 'page_view',
      page_url: 'https://shop.example/Shoes//red/?utm_source=newsletter&utm_medium=email&utm_campaign=spring+sale&utm_term=red%20shoes&utm_content=hero&x=1',
      referrer,
      screen_width: 1440,
      session_id: 'enrich-e2e',
    },
    USER_AGENTS.safariMac,
  );
  assert.deepEqual(await storedRow(id), {
    ...NONE,
    page_path: '/Shoes/red',
    referrer,
    referrer_domain: 'google.com',
    utm_source: 'newsletter',
    utm_medium: 'email',
    utm_campaign: 'spring sale',
    utm_term: 'red shoes',
    utm_content: 'hero',
    browser: 'Safari',
    os: 'macOS',
    device_type: 'desktop',
    is_bot: false,
    screen_width: 1440,
  });
});

test('a HeadlessChrome user agent lands flagged as a bot, stored, not dropped; a page_unload carries its engaged time', async () => {
  const id = randomUUID();
  await post({ event_id: id, event_type: 'page_unload', page_url: 'https://shop.example/', session_id: 'enrich-e2e-bot', metadata: { time_on_page: 4321 } }, USER_AGENTS.headlessChrome);
  assert.deepEqual(await storedRow(id), { ...NONE, page_path: '/', browser: 'Chrome', os: 'Linux', device_type: 'desktop', is_bot: true, engaged_ms: 4321 });
});

test("another producer's record without enrichment gets the same columns from the pipeline", async () => {
  const id = randomUUID();
  const record = {
    event_id: id,
    event_type: 'page_view',
    page_url: 'https://shop.example/a/./b/?ref=partner',
    referrer: 'android-app://com.google.android.gm/',
    user_agent: USER_AGENTS.android,
    screen_width: '800',
    timestamp: new Date().toISOString(),
  };
  await produce(kafka, topic, [{ key: null, value: JSON.stringify(record) }]);
  assert.deepEqual(await storedRow(id), {
    ...NONE,
    page_path: '/a/b',
    referrer: record.referrer,
    referrer_domain: 'com.google.android.gm',
    utm_source: 'partner',
    browser: 'Chrome',
    os: 'Android',
    device_type: 'tablet',
    is_bot: false,
    screen_width: 800,
  });
});
