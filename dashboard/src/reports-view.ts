// The reports view: the main reports of the query API for the last 7 days (the API's default
// range, in the project's zone): stats, visitors and page views per day, top pages, referrers
// and devices. Every number is the API's (docs/metrics.md); nothing is computed here.
import { report, type Session } from './api-client.ts';
import { lineChart } from './chart.ts';
import { el } from './dom.ts';

interface Stats {
  data: { visitors: number; visits: number; pageviews: number; events: number; bounce_rate: number | null; avg_visit_duration_ms: number | null };
}
interface Series {
  data: { bucket: string; visitors: number; pageviews: number }[];
}
interface Breakdown {
  data: { value: string | null; visitors: number; visits?: number; events?: number; pageviews: number }[];
}

const percent = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)} %`);
const seconds = (v: number | null) => (v === null ? '–' : `${(v / 1000).toFixed(1)} s`);

function table(id: string, title: string, rows: Breakdown['data'], none: string): HTMLElement {
  return el('section', {},
    el('h3', {}, title),
    el('table', { id },
      el('thead', {}, el('tr', {}, el('th', {}, title.replace(/^Top /, '')), el('th', {}, 'visitors'), el('th', {}, 'page views'))),
      el('tbody', {}, ...rows.map((r) => el('tr', {}, el('td', {}, r.value ?? none), el('td', {}, String(r.visitors)), el('td', {}, String(r.pageviews))))),
    ),
  );
}

/**
 * Renders the reports of `project` into `root` once all five have answered. When `signal` aborts
 * (the analyst left the view) the calls still running are aborted and nothing is rendered: the
 * promise rejects with an AbortError.
 */
export async function showReports(session: Session, project: string, root: HTMLElement, signal: AbortSignal): Promise<void> {
  root.replaceChildren(el('p', { class: 'status' }, 'loading…'));
  const [stats, series, pages, referrers, devices] = await Promise.all([
    report<Stats>(session, project, 'stats', {}, signal),
    report<Series>(session, project, 'timeseries', { interval: 'day' }, signal),
    report<Breakdown>(session, project, 'breakdown', { dimension: 'page', limit: '10' }, signal),
    report<Breakdown>(session, project, 'breakdown', { dimension: 'referrer', limit: '10' }, signal),
    report<Breakdown>(session, project, 'breakdown', { dimension: 'device', limit: '10' }, signal),
  ]);
  const s = stats.data;
  const card = (label: string, value: string, id: string) => el('div', { class: 'card' }, el('span', {}, label), el('strong', { id }, value));
  const chartHost = el('div', { id: 'series-chart', class: 'chart' });
  root.replaceChildren(
    el('div', { class: 'cards', id: 'stats' },
      card('Visitors', String(s.visitors), 'stat-visitors'),
      card('Visits', String(s.visits), 'stat-visits'),
      card('Page views', String(s.pageviews), 'stat-pageviews'),
      card('Events', String(s.events), 'stat-events'),
      card('Bounce rate', percent(s.bounce_rate), 'stat-bounce'),
      card('Visit duration', seconds(s.avg_visit_duration_ms), 'stat-duration'),
    ),
    el('h3', {}, 'Visitors and page views per day (last 7 days)'),
    chartHost,
    el('div', { class: 'columns' }, table('top-pages', 'Top pages', pages.data, '/'), table('top-referrers', 'Top referrers', referrers.data, '(direct)'), table('devices', 'Devices', devices.data, '(unknown)')),
  );
  lineChart(chartHost, ['visitors', 'page views'], ['#3b6fd8', '#d8703b']).set(
    series.data.map((p) => Date.parse(p.bucket) / 1000),
    [series.data.map((p) => p.visitors), series.data.map((p) => p.pageviews)],
  );
}
