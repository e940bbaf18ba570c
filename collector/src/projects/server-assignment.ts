// The project of a server-side event is the authenticated key's; the body cannot move it. A
// `site_id` holding a site key must be that project's own (an unknown or another project's key
// is refused alike, so a key reveals nothing of other projects).
import type { IncomingEvent } from '#contract';
import { SITE_KEY_PREFIX, type Project } from '../../../tenancy/model.ts';
import type { Assignment } from '../events/collect-events.ts';

const DAY_MS = 86_400_000;

export function serverAssignment(project: Project): (event: IncomingEvent) => Assignment {
  // Backfill: server timestamps are kept as sent back to the project's retention.
  const accepted: Assignment = { ok: true, projectId: project.id, maxPastAgeMs: project.retentionDays * DAY_MS, visitorIdMode: project.visitorIdMode };
  return (event) => {
    if (event.site_id !== undefined && event.site_id.startsWith(SITE_KEY_PREFIX) && event.site_id !== project.siteKey) {
      return { ok: false, status: 403, code: 'project_mismatch', field: '/site_id', message: "is not the site key of the API key's project" };
    }
    return accepted;
  };
}
