// Every dashboard Grafana provisions, and its JSON exactly as committed under grafana/dashboards/.
import { fileURLToPath } from 'node:url';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { analyticsPlatformDashboard } from './boards/analytics-platform.ts';
import { pipelineHealthDashboard } from './boards/pipeline-health.ts';

export const DASHBOARDS_DIR = fileURLToPath(new URL('./dashboards/', import.meta.url));

export const DASHBOARDS: { file: string; build: () => dashboard.Dashboard }[] = [
  { file: 'analytics-platform.json', build: analyticsPlatformDashboard },
  { file: 'pipeline-health.json', build: pipelineHealthDashboard },
];

export function renderDashboard(board: dashboard.Dashboard): string {
  return `${JSON.stringify(board, null, 2)}\n`;
}
