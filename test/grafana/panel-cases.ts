// One case per panel query of every committed dashboard: how to run it (range, interval) and what
// its result must be, both the shape the panel type needs and the numbers of the seed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DASHBOARDS, DASHBOARDS_DIR } from '../../grafana/dashboards.ts';
import type { RawEvent } from '../api/reference.ts';
import type { Seed } from './seed.ts';
import * as truth from './ground-truth.ts';

export type Row = Record<string, unknown>;
interface RunContext {
  seed: Seed;
  /** The project's stored events as the loader wrote them (with their visit ids). */
  raw: RawEvent[];
  /** The dashboard range the query ran over. */
  range: truth.Range;
  /** Database clock (ms) just before and just after the query ran. */
  nowBefore: number;
  nowAfter: number;
}
export interface PanelCase {
  dashboard: string;
  title: string;
  refId: string;
  intervalMs: number;
  /** `$include_bots` for the run; the pipeline panels ignore it (they count every stored event). */
  includeBots?: boolean;
  /** A range other than the seed's (default: seed.from..seed.to). */
  range?: (seed: Seed) => truth.Range;
  check(rows: Row[], ctx: RunContext): void;
}
export interface PanelQuery {
  dashboard: string;
  title: string;
  type: string;
  refId: string;
  rawSql: string;
  format: string;
}

/** Every query of every committed dashboard JSON (what Grafana loads). */
export function committedQueries(): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const { file } of DASHBOARDS) {
    const board = JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, file), 'utf8')) as { panels: { title: string; type: string; targets: { refId: string; rawSql: string; format: string }[] }[] };
    for (const panel of board.panels) {
      for (const t of panel.targets) out.push({ dashboard: file, title: panel.title, type: panel.type, refId: t.refId, rawSql: t.rawSql, format: t.format });
    }
  }
  return out;
}

const num = (v: unknown): number => {
  const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : Number(String(v));
  assert.ok(Number.isFinite(n), `expected a number, got ${String(v)}`);
  return n;
};
/** Grafana reads a time column as a timestamp or as epoch seconds. */
const timeMs = (v: unknown): number => (v instanceof Date ? v.getTime() : num(v) * 1000);

function columns(rows: Row[], expected: string[]): void {
  assert.ok(rows.length > 0, 'query returned no rows');
  assert.deepEqual(Object.keys(rows[0]!), expected);
}

/** time_series format: a "time" column, ascending; the other columns numeric except `metric`. */
function series(rows: Row[], valueColumn: string, withMetric: boolean): Map<string, number> {
  columns(rows, withMetric ? ['time', 'metric', valueColumn] : ['time', valueColumn]);
  const out = new Map<string, number>();
  let last = -Infinity;
  for (const row of rows) {
    const t = timeMs(row.time);
    assert.ok(t >= last, 'time series rows must be sorted by time');
    last = t;
    const key = `${t}|${withMetric ? String(row.metric) : ''}`;
    out.set(key, num(row[valueColumn]));
  }
  return out;
}

const A = 'analytics-platform.json';
const P = 'pipeline-health.json';

/** The analytics panels' cases, for one value of `$include_bots`. */
function analyticsCases(includeBots: boolean): PanelCase[] {
  const base = { dashboard: A, includeBots };
  return [
    ...[60_000, 300_000].map((intervalMs): PanelCase => ({
      ...base, title: 'Events over time by type', refId: 'A', intervalMs,
      check: (rows, { seed }) => assert.deepEqual(series(rows, 'events', true), truth.eventsOverTime(seed, intervalMs, includeBots)),
    })),
    {
      ...base, title: 'Total events', refId: 'A', intervalMs: 60_000,
      check: (rows, { seed }) => {
        columns(rows, ['Events']);
        assert.equal(rows.length, 1);
        assert.equal(num(rows[0]!.Events), truth.totalEvents(seed, includeBots));
      },
    },
    {
      ...base, title: 'Bot events excluded', refId: 'A', intervalMs: 60_000,
      check: (rows, { seed }) => {
        columns(rows, ['Bot events excluded']);
        assert.equal(rows.length, 1);
        assert.equal(num(rows[0]!['Bot events excluded']), truth.botEventsExcluded(seed, includeBots));
      },
    },
    {
      ...base, title: 'Events by type', refId: 'A', intervalMs: 60_000,
      check: (rows, { seed }) => {
        columns(rows, ['Event type', 'Events']);
        const got = rows.map((r) => [String(r['Event type']), num(r.Events)] as [string, number]);
        for (let i = 1; i < got.length; i++) assert.ok(got[i - 1]![1] >= got[i]![1], 'slices sorted by size');
        assert.deepEqual(new Map(got), new Map(truth.eventsByType(seed, includeBots)));
      },
    },
    {
      ...base, title: 'Recent events', refId: 'A', intervalMs: 60_000,
      check: (rows, { seed }) => {
        columns(rows, ['Time', 'Type', 'Page', 'Title', 'Button', 'Session', 'Site', 'Received', 'Bot']);
        const want = truth.recentEvents(seed, includeBots);
        assert.equal(rows.length, want.length);
        assert.deepEqual(
          rows.map((r) => [timeMs(r.Time), r.Type, r.Page, r.Title, r.Button, r.Session, r.Site, timeMs(r.Received), r.Bot]),
          want.map((e) => [e.timestamp.getTime(), e.event_type, e.page_url, e.page_title, e.button_id, e.session_id, e.site_id, e.received_at.getTime(), e.is_bot]),
        );
      },
    },
    {
      ...base, title: 'Events per minute', refId: 'A', intervalMs: 60_000,
      check: (rows, { seed }) => {
        const got = series(rows, 'Events per minute', false);
        assert.deepEqual([...got].map(([k, v]) => [Number(k.split('|')[0]), v]), truth.eventsPerMinute(seed, includeBots));
      },
    },
    {
      ...base, title: 'Unique sessions', refId: 'A', intervalMs: 60_000,
      check: (rows, { seed }) => {
        columns(rows, ['Unique sessions']);
        assert.equal(num(rows[0]!['Unique sessions']), truth.uniqueSessions(seed, includeBots));
      },
    },
    {
      ...base, title: 'Top pages', refId: 'A', intervalMs: 60_000,
      check: (rows, { seed }) => {
        columns(rows, ['Page', 'Page views', 'Events']);
        const want = truth.topPages(seed, includeBots);
        const all = new Map(truth.topPages(seed, includeBots, Infinity).map((p) => [p.page, p]));
        assert.equal(rows.length, want.length);
        // Ties may break by collation, so check each row against its page and the ranking as a whole.
        const got = rows.map((r) => ({ page: String(r.Page), views: num(r['Page views']), events: num(r.Events) }));
        for (const g of got) assert.deepEqual(g, all.get(g.page));
        assert.deepEqual(got.map((g) => [g.views, g.events]), want.map((w) => [w.views, w.events]));
      },
    },
    ...visitCases(includeBots),
  ];
}

/**
 * The visit panels over the seed's hour (whole 15-minute buckets and partial ones at both ends)
 * and over a few minutes inside one bucket (partial only), so both the rollup and the edge
 * reads are proven.
 */
function visitCases(includeBots: boolean): PanelCase[] {
  const ranges: [string, ((seed: Seed) => truth.Range) | undefined][] = [
    ['', undefined],
    [' (inside one bucket)', (seed) => {
      const start = Math.floor(seed.from.getTime() / 900_000) * 900_000 + 20 * 60_000;
      return { from: new Date(start + 61_000), to: new Date(start + 9 * 60_000) };
    }],
  ];
  return ranges.flatMap(([, range]): PanelCase[] => {
    const base = { dashboard: A, includeBots, intervalMs: 60_000, refId: 'A', ...(range === undefined ? {} : { range }) };
    return [
      {
        ...base, title: 'Visits',
        check: (rows, { raw, range: r }) => {
          columns(rows, ['Visits']);
          const want = truth.visits(raw, r, includeBots);
          assert.ok(want > 0, 'the seed starts visits in the range');
          assert.equal(num(rows[0]!.Visits), want);
        },
      },
      {
        ...base, title: 'Bounce rate',
        check: (rows, { raw, range: r }) => {
          columns(rows, ['Bounce rate']);
          const want = truth.bounceRate(raw, r, includeBots);
          if (want === null) assert.equal(rows[0]!['Bounce rate'], null);
          else assert.ok(Math.abs(num(rows[0]!['Bounce rate']) - want) < 1e-12, `bounce rate ${String(rows[0]!['Bounce rate'])}, want ${want}`);
        },
      },
      {
        ...base, title: 'Top referrers',
        check: (rows, { raw, range: r }) => {
          const all = truth.visitsBy(raw, r, includeBots, 'referrer', '(direct)');
          if (all.length === 0) return assert.deepEqual(rows, []);
          columns(rows, ['Referrer', 'Visits', 'Visitors']);
          const got = rows.map((row) => ({ value: String(row.Referrer), visits: num(row.Visits), visitors: num(row.Visitors) }));
          // Ties may break by collation: each row against its value, the ranking as a whole.
          const byValue = new Map(all.map((w) => [w.value, w]));
          for (const g of got) assert.deepEqual(g, byValue.get(g.value));
          assert.deepEqual(got.map((g) => [g.visits, g.visitors]), all.slice(0, 10).map((w) => [w.visits, w.visitors]));
        },
      },
      {
        ...base, title: 'Devices',
        check: (rows, { raw, range: r }) => {
          const all = truth.visitsBy(raw, r, includeBots, 'device', '(unknown)');
          if (all.length === 0) return assert.deepEqual(rows, []);
          columns(rows, ['Device', 'Visits']);
          assert.deepEqual(new Map(rows.map((row) => [String(row.Device), num(row.Visits)])), new Map(all.map((w) => [w.value, w.visits])));
          assert.deepEqual(rows.map((row) => num(row.Visits)), all.map((w) => w.visits).sort((a, b) => b - a));
        },
      },
    ];
  });
}

export const PANEL_CASES: PanelCase[] = [
  // Bots excluded (the default) and included: a panel missing the filter, or ignoring the
  // variable, fails one of the two.
  ...analyticsCases(false),
  ...analyticsCases(true),
  {
    dashboard: P, title: 'Consumed vs stored', refId: 'A', intervalMs: 60_000,
    check: (rows, { seed }) => {
      columns(rows, ['Consumed', 'Stored', 'Dead-lettered', 'Rejected %']);
      const want = truth.consumedStoredRejected(seed);
      const r = rows[0]!;
      assert.deepEqual([num(r.Consumed), num(r.Stored), num(r['Dead-lettered']), num(r['Rejected %'])], [want.consumed, want.stored, want.rejected, want.rejectedPct]);
    },
  },
  {
    dashboard: P, title: 'Freshness', refId: 'A', intervalMs: 60_000,
    check: (rows, { seed, nowBefore, nowAfter }) => {
      columns(rows, ['Seconds since newest stored event']);
      const seconds = num(rows[0]!['Seconds since newest stored event']);
      const newest = truth.newestReceived(seed);
      assert.ok(seconds >= (nowBefore - newest) / 1000 && seconds <= (nowAfter - newest) / 1000, `freshness ${seconds}s outside the clock bracket`);
    },
  },
  ...[60_000, 600_000].flatMap((intervalMs): PanelCase[] => [
    {
      dashboard: P, title: 'Stored vs dead-lettered', refId: 'A', intervalMs,
      check: (rows, { seed }) => assert.deepEqual(series(rows, 'Stored', false), truth.bucketed(truth.receivedEvents(seed), (e) => e.received_at.getTime(), intervalMs)),
    },
    {
      dashboard: P, title: 'Stored vs dead-lettered', refId: 'B', intervalMs,
      check: (rows, { seed }) => assert.deepEqual(series(rows, 'Dead-lettered', false), truth.bucketed(truth.rejectedInRange(seed), (r) => r.rejected_at.getTime(), intervalMs)),
    },
    {
      dashboard: P, title: 'Dead-lettered over time by reason', refId: 'A', intervalMs,
      check: (rows, { seed }) => assert.deepEqual(series(rows, 'rejected', true), truth.bucketed(truth.rejectedInRange(seed), (r) => r.rejected_at.getTime(), intervalMs, (r) => r.reason)),
    },
  ]),
  ...[10_000, 60_000].map((intervalMs): PanelCase => ({
    dashboard: P, title: 'Ingest rate', refId: 'A', intervalMs,
    check: (rows, { seed }) => {
      const counts = truth.bucketed(truth.receivedEvents(seed), (e) => e.received_at.getTime(), intervalMs);
      assert.deepEqual(series(rows, 'Stored events/s', false), new Map([...counts].map(([k, n]) => [k, n / (intervalMs / 1000)])));
    },
  })),
  {
    dashboard: P, title: 'Dead-lettered by reason', refId: 'A', intervalMs: 60_000,
    check: (rows, { seed }) => {
      columns(rows, ['Reason', 'Messages', 'Last seen']);
      const want = truth.deadLetteredByReason(seed);
      const got = rows.map((r) => ({ reason: String(r.Reason), messages: num(r.Messages), lastSeen: timeMs(r['Last seen']) }));
      assert.deepEqual(new Map(got.map((g) => [g.reason, g])), new Map(want.map((w) => [w.reason, w])));
      assert.deepEqual(got.map((g) => g.messages), want.map((w) => w.messages));
    },
  },
];
