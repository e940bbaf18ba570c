// A known data set for the panel tests: per project, deterministic events around a one-hour
// window (some before and after it, so time filters are proven), plus dead-lettered messages. The
// same rows feed the database and the ground-truth calculations. Two projects with different
// traffic and the same event ids share the database: a panel showing the other project's rows
// gets the numbers wrong. About one event in eight is a bot's (is_bot, a headless user agent),
// some on a page and in sessions only bots visit: a panel that forgets the bot filter shows
// different totals, types, pages and sessions. The events are stored by the loader's own load
// transaction (pipeline/src/adapters/store-events.ts), so the visits and the rollups the visit
// panels read are what the pipeline would write; visitors come back after 30 minutes and more, so
// visits of one visitor fall inside and outside the range.
import { DEFAULT_PROJECT_ID } from '#contract';
import type { SqlRunner } from '../../db/sql-runner.ts';
import type { EventRow } from '../../pipeline/src/steps/normalize-event.ts';
import { eventRow } from '../support/event-row.ts';

const TYPES = ['page_view', 'page_view', 'page_view', 'button_click', 'navigation_click', 'page_unload', 'custom.signup'] as const;
const PAGES = ['/', '/pricing', '/docs', '/blog/kafka', '/blog/grafana', '/about', '/contact', '/signup', '/login', '/docs/api', '/careers', '/status'];
const SESSIONS = Array.from({ length: 400 }, (_, i) => i);
const BOT_PAGE = '/wp-login.php';
const HEADLESS = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36';
const REFERRERS = [null, 'www.google.com', 'news.ycombinator.com', null, 'github.com', 'duckduckgo.com'] as const;
const DEVICES = ['desktop', 'desktop', 'mobile', 'tablet', null] as const;
const REASONS = ['invalid_json', 'schema_violation', 'schema_violation', 'too_large', 'schema_violation', 'invalid_json'];

export interface SeedEvent {
  event_id: string;
  timestamp: Date;
  event_type: string;
  page_url: string;
  page_title: string | null;
  button_id: string | null;
  session_id: string | null;
  user_agent: string;
  is_bot: boolean;
  site_id: string;
  received_at: Date;
  /** Enrichment as the collector adds it: the visits and their panels read these. */
  visitor_id: string;
  referrer_domain: string | null;
  device_type: string | null;
  engaged_ms: number | null;
}

interface SeedRejected {
  /** NULL: a record whose project is unknown, which the default project's dashboards show. */
  project_id: string | null;
  rejected_at: Date;
  reason: string;
  kafka_offset: number;
}

export interface Seed {
  /** The project ($project) whose rows these are. */
  projectId: string;
  /** The dashboard range the tests query: whole minutes, one hour. */
  from: Date;
  to: Date;
  events: SeedEvent[];
  rejected: SeedRejected[];
}

function uuid(i: number): string {
  const hex = i.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

export const OTHER_PROJECT_ID = '5b0c3c1e-7f2a-4d3b-9c4d-0123456789ab';

/** The default project and another one, each with its own traffic, in the same window. */
export function makeSeeds(now = new Date()): Seed[] {
  return [makeSeed(now), makeSeed(now, { projectId: OTHER_PROJECT_ID, events: 450, randomSeed: 777, rejected: 25, rejectedOffset: 20_000 })];
}

/** Three hours back from `now`, on a minute boundary, so no retention or clamping touches it. */
export function makeSeed(now = new Date(), project = { projectId: DEFAULT_PROJECT_ID, events: 700, randomSeed: 12_345, rejected: 40, rejectedOffset: 10_000 }): Seed {
  const from = new Date(Math.floor(now.getTime() / 60_000) * 60_000 - 3 * 3_600_000);
  const to = new Date(from.getTime() + 3_600_000);
  const events: SeedEvent[] = [];
  // 700 events, one every ~6.8 s from 10 min before the range to 80 min after its start; traffic
  // is uneven (a burst in minute 20) so per-minute numbers differ.
  let t = from.getTime() - 10 * 60_000 + 137;
  let rand = project.randomSeed; // a fixed LCG: uneven but reproducible choices
  const pick = <T>(items: readonly T[], skew: number): T => {
    rand = (rand * 1_103_515_245 + 12_345) % 2_147_483_648;
    return items[Math.floor(items.length * (rand / 2_147_483_648) ** skew)]!;
  };
  for (let i = 0; i < project.events; i++) {
    t += i % 97 < 20 ? 1_013 : Math.round((8_311 * 700) / project.events);
    const type = pick(TYPES, 1.3);
    const isBot = i % 8 === 3;
    // Half of the bots' events probe a page no human visits, in sessions of their own.
    const page = isBot && i % 16 === 3 ? BOT_PAGE : pick(PAGES, 2);
    const session = i % 53 === 0 ? null : isBot && page === BOT_PAGE ? `bot-${i % 5}` : `s-${pick(SESSIONS, 1)}`;
    events.push({
      event_id: uuid(i + 1),
      timestamp: new Date(t),
      event_type: type,
      page_url: `https://demo.example${page}`,
      page_title: i % 11 === 0 ? null : `Title ${page}`,
      button_id: type === 'button_click' ? `btn-${i % 5}` : null,
      session_id: session,
      user_agent: isBot ? HEADLESS : 'Mozilla/5.0 (seed)',
      is_bot: isBot,
      site_id: i % 4 === 0 ? 'docs' : 'main',
      // The collector receives most events 0.4 s after they happen, some much later (retries).
      received_at: new Date(t + (i % 29 === 0 ? 95_000 : 400)),
      // 120 visitors share the 400 sessions; the bots' sessions are bot visitors.
      visitor_id: session === null ? `h:anon-${i}` : session.startsWith('bot-') ? `h:${session}` : `h:v-${Number(session.slice(2)) % 120}`,
      referrer_domain: pick(REFERRERS, 1),
      device_type: pick(DEVICES, 1),
      engaged_ms: type === 'page_unload' ? (i * 7_919) % 25_000 : null,
    });
  }
  const rejected: SeedRejected[] = [];
  for (let i = 0; i < project.rejected; i++) {
    rejected.push({
      // Some of the default project's rejects have no known project; they are still its.
      project_id: project.projectId === DEFAULT_PROJECT_ID && i % 4 === 0 ? null : project.projectId,
      rejected_at: new Date(from.getTime() - 5 * 60_000 + i * (4_120_000 / project.rejected) + 250),
      reason: REASONS[(i * 5 + project.rejected) % REASONS.length]!,
      kafka_offset: project.rejectedOffset + i,
    });
  }
  return { projectId: project.projectId, from, to, events, rejected };
}

/** Stores one batch of rows by the loader's load transaction (PostgreSQL or PGlite). */
export type LoadBatch = (rows: EventRow[]) => Promise<void>;

export async function loadSeed(db: SqlRunner, seeds: Seed[], load: LoadBatch): Promise<void> {
  for (const seed of seeds) await insertSeed(db, seed, load);
  const timescale = (await db.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")).length > 0;
  await db.exec(timescale ? "CALL refresh_continuous_aggregate('analytics_summary', NULL, NULL)" : 'REFRESH MATERIALIZED VIEW analytics_summary');
}

const toRow = (projectId: string, e: SeedEvent): EventRow =>
  eventRow({
    project_id: projectId,
    event_id: e.event_id,
    timestamp: e.timestamp.toISOString(),
    event_type: e.event_type,
    page_url: e.page_url,
    page_title: e.page_title,
    button_id: e.button_id,
    session_id: e.session_id,
    user_agent: e.user_agent,
    is_bot: e.is_bot,
    site_id: e.site_id,
    received_at: e.received_at.toISOString(),
    visitor_id: e.visitor_id,
    page_path: new URL(e.page_url).pathname,
    referrer_domain: e.referrer_domain,
    device_type: e.device_type,
    engaged_ms: e.engaged_ms,
  });

async function insertSeed(db: SqlRunner, seed: Seed, load: LoadBatch): Promise<void> {
  // In arrival order, in batches of 100, as the loader receives them (late arrivals included).
  const rows = [...seed.events].sort((a, b) => a.received_at.getTime() - b.received_at.getTime()).map((e) => toRow(seed.projectId, e));
  for (let i = 0; i < rows.length; i += 100) await load(rows.slice(i, i + 100));
  await db.query(
    `INSERT INTO analytics_events_rejected (project_id, rejected_at, reason, detail, kafka_topic, kafka_partition, kafka_offset, raw_value)
     SELECT project_id, rejected_at, reason, 'seed', 'analytics-events', 0, kafka_offset, convert_to('{bad', 'UTF8')
       FROM jsonb_to_recordset($1::jsonb) AS x(project_id uuid, rejected_at timestamptz, reason text, kafka_offset bigint)`,
    [JSON.stringify(seed.rejected.map((r) => ({ ...r, rejected_at: r.rejected_at.toISOString() })))],
  );
}
