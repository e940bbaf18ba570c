// Small option builders every dashboard shares.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

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
