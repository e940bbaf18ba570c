// Small option builders every dashboard shares.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';

/** How a stat, gauge or pie chart reduces rows to what it shows; `values` shows every row. */
export function reduce(calcs: string[], values = false): common.ReduceDataOptionsBuilder {
  return new common.ReduceDataOptionsBuilder().calcs(calcs).values(values).fields('');
}

export function thresholds(steps: dashboard.Threshold[]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps);
}

export function legend(): common.VizLegendOptionsBuilder {
  return new common.VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(common.LegendDisplayMode.Table)
    .placement(common.LegendPlacement.Right)
    .calcs(['sum', 'max']);
}

/** What every dashboard here shows by default: the last hour, refreshed every 5 s, in the viewer's time zone. */
export function liveDashboard(title: string, uid: string): DashboardBuilder {
  return new DashboardBuilder(title).uid(uid).timezone('browser').refresh('5s').time({ from: 'now-1h', to: 'now' });
}
