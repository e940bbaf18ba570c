// The live view: the feed of accepted events (server-sent events from …/live/events), current
// visitors, events per second and top pages (…/live/metrics, every 2 s). An EventSource cannot
// send headers: a short-lived token from POST …/live/token goes in the URL. When a stream fails
// (its token expired on a reconnect), a new token is fetched and the feed resumes after the last
// event it showed (last_event_id).
import { isHandled, liveToken, type Session } from './api-client.ts';
import { lineChart } from './chart.ts';
import { el, text } from './dom.ts';

const FEED_ROWS = 100;

interface LiveEventData {
  event_id: string;
  event_type: string;
  page_path?: string;
  button_id?: string;
  timestamp: string;
  visitor_id?: string;
}

interface Metrics {
  at: string;
  current_visitors: number;
  events_per_second: number;
  events_last_minute: number;
  top_pages: { page: string; visitors: number }[];
}

export interface LiveView {
  close(): void;
}

export function startLiveView(session: Session, project: string, root: HTMLElement): LiveView {
  root.replaceChildren();
  const status = el('p', { id: 'live-status', class: 'status' }, 'connecting…');
  const visitors = el('strong', { id: 'current-visitors' }, '–');
  const eps = el('strong', { id: 'events-per-second' }, '–');
  const chartHost = el('div', { id: 'eps-chart', class: 'chart' });
  const topPages = el('ol', { id: 'live-top-pages' });
  const feed = el('tbody', { id: 'live-feed' });
  root.append(
    el('div', { class: 'cards' }, el('div', { class: 'card' }, el('span', {}, 'Current visitors (5 min)'), visitors), el('div', { class: 'card' }, el('span', {}, 'Events per second (last minute)'), eps)),
    el('h3', {}, 'Events per second'),
    chartHost,
    el('div', { class: 'columns' },
      el('section', {}, el('h3', {}, 'Live feed'), status, el('table', { class: 'feed' }, el('thead', {}, el('tr', {}, ...['time', 'event', 'page', 'element', 'stored'].map((h) => el('th', {}, h)))), feed)),
      el('section', {}, el('h3', {}, 'Top pages now'), topPages),
    ),
  );
  const chart = lineChart(chartHost, ['events/s'], ['#3b6fd8']);
  const points: { x: number[]; y: number[] } = { x: [], y: [] };
  let lastEventId: string | undefined;
  // Closing aborts a token request still running; a stream is never opened after the close.
  const closing = new AbortController();
  const sources: EventSource[] = [];

  const onEvent = (id: string, e: LiveEventData) => {
    lastEventId = id;
    const row = el('tr', { 'data-event-id': e.event_id, 'data-id': id, 'data-event-type': e.event_type },
      el('td', {}, new Date(e.timestamp).toLocaleTimeString()),
      el('td', {}, e.event_type),
      el('td', {}, e.page_path ?? ''),
      el('td', {}, e.button_id ?? ''),
      el('td', { class: 'stored-mark' }, ''),
    );
    feed.prepend(row);
    while (feed.childElementCount > FEED_ROWS) feed.lastElementChild!.remove();
  };
  const onStored = (partition: number, through: number) => {
    for (const row of feed.querySelectorAll<HTMLElement>('tr:not(.stored)')) {
      const [p, o] = (row.dataset.id ?? '').split('-').map(Number);
      if (p === partition && o! <= through) {
        row.classList.add('stored');
        text(row.querySelector('.stored-mark')!, '✓');
      }
    }
  };
  const onMetrics = (m: Metrics) => {
    text(visitors, String(m.current_visitors));
    text(eps, m.events_per_second.toFixed(2));
    topPages.replaceChildren(...m.top_pages.map((p) => el('li', {}, `${p.page} — ${p.visitors}`)));
    points.x.push(Date.parse(m.at) / 1000);
    points.y.push(m.events_per_second);
    if (points.x.length > 150) {
      points.x.shift();
      points.y.shift();
    }
    chart.set(points.x, [points.y]);
  };

  const open = async () => {
    if (closing.signal.aborted) return;
    const { token } = await liveToken(session, project, closing.signal);
    const base = `/api/v1/projects/${encodeURIComponent(project)}/live`;
    const resume = lastEventId === undefined ? '' : `&last_event_id=${encodeURIComponent(lastEventId)}`;
    const events = new EventSource(`${base}/events?token=${encodeURIComponent(token)}${resume}`);
    const metrics = new EventSource(`${base}/metrics?token=${encodeURIComponent(token)}`);
    sources.push(events, metrics);
    events.addEventListener('ready', () => text(status, 'live'));
    events.addEventListener('event', (m) => onEvent((m as MessageEvent).lastEventId, JSON.parse((m as MessageEvent).data)));
    events.addEventListener('stored', (m) => {
      const s = JSON.parse((m as MessageEvent).data) as { partition: number; through_offset: number };
      onStored(s.partition, s.through_offset);
    });
    events.addEventListener('dropped', (m) => text(status, `live (missed ${JSON.parse((m as MessageEvent).data).dropped} events: too slow)`));
    metrics.addEventListener('metrics', (m) => onMetrics(JSON.parse((m as MessageEvent).data)));
    const reopen = () => {
      if (events.readyState !== EventSource.CLOSED && metrics.readyState !== EventSource.CLOSED) return;
      events.close();
      metrics.close();
      text(status, 'reconnecting…');
      setTimeout(() => void open().catch((error: unknown) => isHandled(error) || text(status, 'disconnected')), 1000);
    };
    events.addEventListener('error', reopen);
    metrics.addEventListener('error', reopen);
  };
  void open().catch((error: unknown) => isHandled(error) || text(status, `not connected: ${(error as Error).message}`));
  return {
    close() {
      closing.abort();
      for (const s of sources) s.close();
    },
  };
}
