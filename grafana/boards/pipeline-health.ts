// "Pipeline Health": is data of the chosen project ($project) flowing from Kafka into the
// database, and what is being refused?
// Only the database is asked: the collector's accepted count lives in its Prometheus metrics,
// which this stack does not scrape, so "consumed" here is stored + dead-lettered messages, timed
// by when the collector received them (received_at) and when the pipeline refused them.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as common from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { DATASOURCE, sql, table, timeSeries } from '../sql-query.ts';
import { forProject, legend, liveDashboard, reduce, rejectedForProject, thresholds } from './common.ts';

const CONSUMED_STORED_REJECTED = sql`
  SELECT s.stored + r.rejected AS "Consumed", s.stored AS "Stored", r.rejected AS "Dead-lettered",
         coalesce(round(100.0 * r.rejected / nullif(s.stored + r.rejected, 0), 2), 0) AS "Rejected %"
    FROM (SELECT count(*) AS stored FROM analytics_events WHERE ${forProject()} AND $__timeFilter(received_at)) AS s,
         (SELECT count(*) AS rejected FROM analytics_events_rejected WHERE ${rejectedForProject()} AND $__timeFilter(rejected_at)) AS r`;

const STORED_OVER_TIME = sql`
  SELECT $__timeGroupAlias(received_at, $__interval), count(*) AS "Stored"
    FROM analytics_events
   WHERE ${forProject()} AND $__timeFilter(received_at)
   GROUP BY 1
   ORDER BY 1`;

const REJECTED_OVER_TIME = sql`
  SELECT $__timeGroupAlias(rejected_at, $__interval), count(*) AS "Dead-lettered"
    FROM analytics_events_rejected
   WHERE ${rejectedForProject()} AND $__timeFilter(rejected_at)
   GROUP BY 1
   ORDER BY 1`;

// $__interval_ms turns each bucket's count into a per-second rate whatever the zoom.
const INGEST_RATE = sql`
  SELECT $__timeGroupAlias(received_at, $__interval), count(*) / ($__interval_ms / 1000.0) AS "Stored events/s"
    FROM analytics_events
   WHERE ${forProject()} AND $__timeFilter(received_at)
   GROUP BY 1
   ORDER BY 1`;

// Not limited to the dashboard range: freshness is about now.
const FRESHNESS = sql`
  SELECT extract(epoch FROM now() - max(received_at)) AS "Seconds since newest stored event"
    FROM analytics_events
   WHERE ${forProject()}`;

const DEAD_LETTERED_BY_REASON = sql`
  SELECT reason AS "Reason", count(*) AS "Messages", max(rejected_at) AS "Last seen"
    FROM analytics_events_rejected
   WHERE ${rejectedForProject()} AND $__timeFilter(rejected_at)
   GROUP BY 1
   ORDER BY 2 DESC, 1`;

const DEAD_LETTERED_OVER_TIME = sql`
  SELECT $__timeGroupAlias(rejected_at, $__interval), reason AS metric, count(*) AS rejected
    FROM analytics_events_rejected
   WHERE ${rejectedForProject()} AND $__timeFilter(rejected_at)
   GROUP BY 1, 2
   ORDER BY 1, 2`;

export function pipelineHealthDashboard(): dashboard.Dashboard {
  return liveDashboard('Pipeline Health', 'pipeline-health')
    .description('Kafka to database: stored vs dead-lettered messages, ingest rate and freshness.')
    .tags(['analytics', 'pipeline'])
    .withPanel(
      new StatPanel()
        .id(1)
        .title('Consumed vs stored')
        .description('Messages the pipeline finished in the range: stored events plus dead-lettered messages.')
        .datasource(DATASOURCE)
        .withTarget(table(CONSUMED_STORED_REJECTED))
        .reduceOptions(reduce(['lastNotNull']))
        .graphMode(common.BigValueGraphMode.None)
        .unit('short')
        .overrideByName('Rejected %', [{ id: 'unit', value: 'percent' }])
        .gridPos({ x: 0, y: 0, w: 12, h: 5 }),
    )
    .withPanel(
      new StatPanel()
        .id(2)
        .title('Freshness')
        .description('Seconds since the collector received the newest stored event. High while traffic flows means the pipeline lags.')
        .datasource(DATASOURCE)
        .withTarget(table(FRESHNESS))
        .reduceOptions(reduce(['lastNotNull']))
        .graphMode(common.BigValueGraphMode.None)
        .unit('s')
        .decimals(1)
        .colorMode(common.BigValueColorMode.Background)
        .thresholds(thresholds([{ value: null, color: 'green' }, { value: 30, color: 'orange' }, { value: 120, color: 'red' }]))
        .gridPos({ x: 12, y: 0, w: 12, h: 5 }),
    )
    .withPanel(
      new TimeseriesPanel()
        .id(3)
        .title('Stored vs dead-lettered')
        .datasource(DATASOURCE)
        .withTarget(timeSeries(STORED_OVER_TIME, 'A'))
        .withTarget(timeSeries(REJECTED_OVER_TIME, 'B'))
        .interval('1m')
        .drawStyle(common.GraphDrawStyle.Bars)
        .fillOpacity(60)
        .unit('short')
        .legend(legend())
        .gridPos({ x: 0, y: 5, w: 12, h: 9 }),
    )
    .withPanel(
      new TimeseriesPanel()
        .id(4)
        .title('Ingest rate')
        .description('Stored events per second, by collector receive time.')
        .datasource(DATASOURCE)
        .withTarget(timeSeries(INGEST_RATE))
        .interval('10s')
        .unit('short')
        .fillOpacity(10)
        .legend(legend())
        .gridPos({ x: 12, y: 5, w: 12, h: 9 }),
    )
    .withPanel(
      new TablePanel()
        .id(5)
        .title('Dead-lettered by reason')
        .datasource(DATASOURCE)
        .withTarget(table(DEAD_LETTERED_BY_REASON))
        .gridPos({ x: 0, y: 14, w: 12, h: 8 }),
    )
    .withPanel(
      new TimeseriesPanel()
        .id(6)
        .title('Dead-lettered over time by reason')
        .datasource(DATASOURCE)
        .withTarget(timeSeries(DEAD_LETTERED_OVER_TIME))
        .interval('1m')
        .drawStyle(common.GraphDrawStyle.Bars)
        .fillOpacity(60)
        .unit('short')
        .legend(legend())
        .gridPos({ x: 12, y: 14, w: 12, h: 8 }),
    )
    .build();
}
