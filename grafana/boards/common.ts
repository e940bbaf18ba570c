// Small option builders every dashboard shares.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { CustomVariableBuilder, DashboardBuilder, QueryVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DEFAULT_PROJECT_ID } from '#contract';
import { botFilter, excludedBots } from '../../db/definitions-sql.ts';
import { DATASOURCE } from '../sql-query.ts';

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

/** What every dashboard here shows by default: one project, the last hour, refreshed every 5 s, in the viewer's time zone. */
export function liveDashboard(title: string, uid: string): DashboardBuilder {
  return new DashboardBuilder(title).uid(uid).timezone('browser').refresh('5s').time({ from: 'now-1h', to: 'now' }).withVariable(projectVariable());
}

/**
 * `$project`: the one project a dashboard shows, chosen from the projects table (id as value,
 * name as text). Single-valued, so panels compare with `project_id = '$project'`: Grafana's SQL
 * datasources paste a single value unquoted with its single quotes doubled, so no value can leave
 * the literal. No custom values: only projects that exist.
 */
export function projectVariable(): QueryVariableBuilder {
  const query = 'SELECT id::text AS __value, name AS __text FROM projects ORDER BY name';
  return new QueryVariableBuilder('project')
    .label('Project')
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnDashboardLoad)
    .multi(false)
    .includeAll(false)
    .allowCustomValue(false)
    .current({ text: 'default', value: DEFAULT_PROJECT_ID, selected: true });
}

/** A panel's condition for rows of the chosen project (`alias.` prefixes the column). */
export const forProject = (alias = ''): string => `${alias}project_id = '$project'`;

/**
 * Rejected records whose project is unknown (bytes that are no JSON object, a project_id that is
 * not a UUID) belong to no tenant: the default project's operators see them.
 */
export const rejectedForProject = (): string => `(project_id = '$project' OR (project_id IS NULL AND '$project' = '${DEFAULT_PROJECT_ID}'))`;

// `$include_bots` as an SQL boolean: the variable's value pasted into a literal (quotes doubled),
// so any value other than `true`, even one typed into the URL, keeps bots out.
const INCLUDE_BOTS = "'$include_bots' = 'true'";

/**
 * `$include_bots`: whether the counting panels include events flagged is_bot. Off by default
 * (docs/metrics.md: every report excludes bots unless asked); one value, no custom values.
 */
export function includeBotsVariable(): CustomVariableBuilder {
  const options = [
    { text: 'No', value: 'false', selected: true },
    { text: 'Yes', value: 'true', selected: false },
  ];
  return new CustomVariableBuilder('include_bots')
    .label('Include bots')
    .description('Count events from crawlers, monitors and headless browsers (flagged is_bot) too.')
    .values('No : false, Yes : true')
    .options(options)
    .current(options[0]!)
    .multi(false)
    .includeAll(false)
    .allowCustomValue(false);
}

/** A panel's condition for the rows it counts: not bots, unless `$include_bots` is on. */
export const countedRows = (alias = ''): string => botFilter(INCLUDE_BOTS, alias);

/** Bot rows the panels left out under the current `$include_bots` (none when it is on). */
export const excludedBotRows = (alias = ''): string => excludedBots(INCLUDE_BOTS, alias);
