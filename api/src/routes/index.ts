// The route plugins served under /api/v1/projects/{project} (each authenticated and scoped by
// http/project-scope.ts). A new report is one file and one line here.
import type { FastifyPluginAsync } from 'fastify';
import { breakdownRoutes } from './breakdown.ts';
import { eventsRoutes } from './events.ts';
import { funnelRoutes } from './funnels.ts';
import { journeyRoutes } from './journeys.ts';
import { pathsRoutes } from './paths.ts';
import { realtimeRoutes } from './realtime.ts';
import { retentionRoutes } from './retention.ts';
import { savedFunnelRoutes } from './saved-funnels.ts';
import type { RouteContext } from './route-context.ts';
import { statsRoutes } from './stats.ts';
import { timeseriesRoutes } from './timeseries.ts';
import { visitsRoutes } from './visits.ts';

export const PROJECT_ROUTES: FastifyPluginAsync<RouteContext>[] = [
  eventsRoutes,
  visitsRoutes,
  journeyRoutes,
  breakdownRoutes,
  realtimeRoutes,
  statsRoutes,
  timeseriesRoutes,
  funnelRoutes,
  retentionRoutes,
  pathsRoutes,
  savedFunnelRoutes,
];
