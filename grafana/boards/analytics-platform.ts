// "Analytics Platform Dashboard": what visitors do in the chosen project ($project), live. Aggregates read analytics_summary
// (events per minute, type, page and bot flag) so a panel costs a few thousand summary rows, not a
// scan of raw events; only the recent-events log and unique sessions need analytics_events itself.
// The visit panels (visits, bounce rate, referrers, devices) read the loader's visit rollups
// (visit-panels.ts).
// Every panel that counts leaves bots out unless `$include_bots` is on (docs/metrics.md, "Bots"),
// and "Bot events excluded" shows how many it left out.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as common from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { PanelBuilder as GaugePanel } from '@grafana/grafana-foundation-sdk/gauge';
import { PanelBuilder as PieChartPanel, PieChartType, PieChartLabels } from '@grafana/grafana-foundation-sdk/piechart';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { DATASOURCE, sql, table, timeSeries } from '../sql-query.ts';
import { countedRows, excludedBotRows, forProject, includeBotsVariable, legend, liveDashboard, reduce, thresholds } from './common.ts';
import { BOUNCE_RATE, DEVICES, TOP_REFERRERS, VISITS } from './visit-panels.ts';

// Summing per minute and type first leaves Grafana's time grouping (numeric epoch arithmetic
// without TimescaleDB) a few rows per minute instead of one per minute, type and page.
const EVENTS_OVER_TIME = sql`
  WITH per_minute AS (
    SELECT bucket, event_type, sum(event_count) AS events
      FROM analytics_summary
     WHERE ${forProject()} AND $__timeFilter(bucket) AND ${countedRows()}
     GROUP BY 1, 2
  )
  SELECT $__timeGroupAlias(bucket, $__interval), event_type AS metric, sum(events) AS events
    FROM per_minute
   GROUP BY 1, 2
   ORDER BY 1, 2`;

const TOTAL_EVENTS = sql`
  SELECT coalesce(sum(event_count), 0) AS "Events"
    FROM analytics_summary
   WHERE ${forProject()} AND $__timeFilter(bucket) AND ${countedRows()}`;

const EVENTS_BY_TYPE = sql`
  SELECT event_type AS "Event type", sum(event_count) AS "Events"
    FROM analytics_summary
   WHERE ${forProject()} AND $__timeFilter(bucket) AND ${countedRows()}
   GROUP BY 1
   ORDER BY 2 DESC, 1`;

const RECENT_EVENTS = sql`
  SELECT "timestamp" AS "Time", event_type AS "Type", page_url AS "Page", page_title AS "Title",
         button_id AS "Button", session_id AS "Session", site_id AS "Site", received_at AS "Received",
         is_bot AS "Bot"
    FROM analytics_events
   WHERE ${forProject()} AND $__timeFilter("timestamp") AND ${countedRows()}
   ORDER BY "timestamp" DESC
   LIMIT 100`;

// Every minute of the range appears, zero when idle, so the mean is a true per-minute rate.
const EVENTS_PER_MINUTE = sql`
  WITH per_minute AS (
    SELECT bucket, sum(event_count) AS events
      FROM analytics_summary
     WHERE ${forProject()} AND $__timeFilter(bucket) AND ${countedRows()}
     GROUP BY bucket
  )
  SELECT m AS "time", coalesce(p.events, 0) AS "Events per minute"
    FROM generate_series(date_trunc('minute', $__timeFrom()::timestamptz), $__timeTo()::timestamptz, interval '1 minute') AS m
    LEFT JOIN per_minute p ON p.bucket = m
   WHERE m >= $__timeFrom()::timestamptz
   ORDER BY 1`;

const UNIQUE_SESSIONS = sql`
  SELECT count(DISTINCT session_id) AS "Unique sessions"
    FROM analytics_events
   WHERE ${forProject()} AND $__timeFilter("timestamp") AND ${countedRows()}`;

// What the other panels left out: bot events in the range, zero while `$include_bots` is on.
const BOT_EVENTS_EXCLUDED = sql`
  SELECT coalesce(sum(event_count) FILTER (WHERE ${excludedBotRows()}), 0) AS "Bot events excluded"
    FROM analytics_summary
   WHERE ${forProject()} AND $__timeFilter(bucket)`;

const TOP_PAGES = sql`
  SELECT page_url AS "Page",
         coalesce(sum(event_count) FILTER (WHERE event_type = 'page_view'), 0) AS "Page views",
         sum(event_count) AS "Events"
    FROM analytics_summary
   WHERE ${forProject()} AND $__timeFilter(bucket) AND ${countedRows()}
   GROUP BY 1
   ORDER BY 2 DESC, 3 DESC, 1
   LIMIT 10`;

export function analyticsPlatformDashboard(): dashboard.Dashboard {
  return liveDashboard('Analytics Platform Dashboard', 'analytics-platform')
    .description('Visitor activity from the tracker: volume, event types, pages and sessions; bots left out unless "Include bots" is on.')
    .tags(['analytics'])
    .withVariable(includeBotsVariable())
    .withPanel(
      new StatPanel()
        .id(1)
        .title('Events per minute')
        .description('Mean events per minute over the range (idle minutes count as zero).')
        .datasource(DATASOURCE)
        .withTarget(timeSeries(EVENTS_PER_MINUTE))
        .reduceOptions(reduce(['mean']))
        .graphMode(common.BigValueGraphMode.Area)
        .decimals(1)
        .unit('short')
        .gridPos({ x: 0, y: 0, w: 4, h: 5 }),
    )
    .withPanel(
      new StatPanel()
        .id(2)
        .title('Unique sessions')
        .description('Distinct session ids with at least one counted event in the range.')
        .datasource(DATASOURCE)
        .withTarget(table(UNIQUE_SESSIONS))
        .reduceOptions(reduce(['lastNotNull']))
        .graphMode(common.BigValueGraphMode.None)
        .unit('short')
        .gridPos({ x: 4, y: 0, w: 4, h: 5 }),
    )
    .withPanel(
      new StatPanel()
        .id(8)
        .title('Bot events excluded')
        .description('Events from crawlers, monitors and headless browsers (is_bot) in the range that the other panels leave out; 0 while "Include bots" is on.')
        .datasource(DATASOURCE)
        .withTarget(table(BOT_EVENTS_EXCLUDED))
        .reduceOptions(reduce(['lastNotNull']))
        .graphMode(common.BigValueGraphMode.None)
        .unit('short')
        .gridPos({ x: 8, y: 0, w: 4, h: 5 }),
    )
    .withPanel(
      new GaugePanel()
        .id(3)
        .title('Total events')
        .description('Events stored for the range; the gauge fills toward 100k.')
        .datasource(DATASOURCE)
        .withTarget(table(TOTAL_EVENTS))
        .reduceOptions(reduce(['lastNotNull']))
        .min(0)
        .max(100_000)
        .unit('short')
        .thresholds(thresholds([{ value: null, color: 'green' }, { value: 80_000, color: 'orange' }]))
        .gridPos({ x: 12, y: 0, w: 6, h: 10 }),
    )
    .withPanel(
      new PieChartPanel()
        .id(4)
        .title('Events by type')
        .datasource(DATASOURCE)
        .withTarget(table(EVENTS_BY_TYPE))
        .reduceOptions(reduce(['lastNotNull'], true))
        .pieType(PieChartType.Donut)
        .displayLabels([PieChartLabels.Name, PieChartLabels.Percent])
        .gridPos({ x: 18, y: 0, w: 6, h: 10 }),
    )
    .withPanel(
      new TablePanel()
        .id(5)
        .title('Top pages')
        .description('The ten pages with the most page views in the range.')
        .datasource(DATASOURCE)
        .withTarget(table(TOP_PAGES))
        .gridPos({ x: 0, y: 5, w: 12, h: 5 }),
    )
    .withPanel(
      new TimeseriesPanel()
        .id(6)
        .title('Events over time by type')
        .datasource(DATASOURCE)
        .withTarget(timeSeries(EVENTS_OVER_TIME))
        // analytics_summary holds minutes: never ask for finer buckets.
        .interval('1m')
        .unit('short')
        .fillOpacity(10)
        .legend(legend())
        .gridPos({ x: 0, y: 10, w: 24, h: 9 }),
    )
    .withPanel(
      new TablePanel()
        .id(7)
        .title('Recent events')
        .description('The latest 100 events in the range, newest first.')
        .datasource(DATASOURCE)
        .withTarget(table(RECENT_EVENTS))
        .gridPos({ x: 0, y: 19, w: 24, h: 10 }),
    )
    .withPanel(
      new StatPanel()
        .id(9)
        .title('Visits')
        .description('Visits that started in the range (docs/metrics.md § Visit): a visitor\'s events with no gap over 30 minutes.')
        .datasource(DATASOURCE)
        .withTarget(table(VISITS))
        .reduceOptions(reduce(['lastNotNull']))
        .graphMode(common.BigValueGraphMode.None)
        .unit('short')
        .gridPos({ x: 0, y: 29, w: 4, h: 8 }),
    )
    .withPanel(
      new StatPanel()
        .id(10)
        .title('Bounce rate')
        .description('Bounced visits / visits with at least one page view, of the visits that started in the range. A bounce: one page view, no interaction, under 10 s of engaged time (docs/metrics.md).')
        .datasource(DATASOURCE)
        .withTarget(table(BOUNCE_RATE))
        .reduceOptions(reduce(['lastNotNull']))
        .graphMode(common.BigValueGraphMode.None)
        .unit('percentunit')
        .decimals(1)
        .gridPos({ x: 4, y: 29, w: 4, h: 8 }),
    )
    .withPanel(
      new TablePanel()
        .id(11)
        .title('Top referrers')
        .description('The ten referring domains with the most visits that started in the range (a visit\'s referrer is its entry event\'s; none: "(direct)").')
        .datasource(DATASOURCE)
        .withTarget(table(TOP_REFERRERS))
        .gridPos({ x: 8, y: 29, w: 8, h: 8 }),
    )
    .withPanel(
      new PieChartPanel()
        .id(12)
        .title('Devices')
        .description('Visits that started in the range by device type (from the screen width; none: "(unknown)").')
        .datasource(DATASOURCE)
        .withTarget(table(DEVICES))
        .reduceOptions(reduce(['lastNotNull'], true))
        .pieType(PieChartType.Donut)
        .displayLabels([PieChartLabels.Name, PieChartLabels.Percent])
        .gridPos({ x: 16, y: 29, w: 8, h: 8 }),
    )
    .build();
}
