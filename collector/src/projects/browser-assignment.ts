// Which project a browser event belongs to, decided per event: its `site_id` holds the project's
// public site key (`pk_…`) and that project's allowed origins are enforced. Per event, not per
// request, so a batch behaves like every other batch: each item is accepted or refused by index
// (a page sends one site key, so a mixed batch is rare; its items are judged alone).
import { DEFAULT_PROJECT_ID, type IncomingEvent } from '#contract';
import { SITE_KEY_PREFIX, type Project, type TenancyDirectory } from '../../../tenancy/model.ts';
import type { Assignment } from '../events/collect-events.ts';
import { originPolicy } from '../http/cors-origins.ts';

export interface BrowserAssignmentOptions {
  directory: TenancyDirectory;
  /** ALLOW_DEFAULT_PROJECT: events without a site key go to the default project; refused when off. */
  allowDefaultProject: boolean;
  /** The default project's origins (CORS_ORIGINS, plus localhost when allowed). */
  defaultOriginAllowed: (origin: string | undefined) => boolean;
}

/** For one request's origin, the function assigning each of its events. */
export type BrowserAssigner = (origin: string | undefined) => (event: IncomingEvent) => Assignment;

export function browserAssigner(options: BrowserAssignmentOptions): BrowserAssigner {
  const { directory } = options;
  // A project's origin list is parsed once per project object (the directory swaps objects on change).
  const policies = new WeakMap<Project, (origin: string | undefined) => boolean>();
  const policyOf = (project: Project) => {
    let policy = policies.get(project);
    if (policy === undefined) {
      policy = originPolicy(project.allowedOrigins.join(','), false);
      policies.set(project, policy);
    }
    return policy;
  };

  return (origin) => (event) => {
    const siteId = event.site_id;
    // A site_id that is no site key is a label kept as sent (trackers installed before projects
    // existed send their own names); such events belong to the default project.
    if (siteId === undefined || !siteId.startsWith(SITE_KEY_PREFIX)) {
      if (!options.allowDefaultProject) {
        return refuse(400, 'site_key_required', `is required: the project's public site key (${SITE_KEY_PREFIX}…, data-site-id in the tracker); events without one are refused while ALLOW_DEFAULT_PROJECT is off`);
      }
      if (!options.defaultOriginAllowed(origin)) {
        return refuse(403, 'origin_not_allowed', `origin ${JSON.stringify(origin)} may not send events without a site key; allowed origins are set by CORS_ORIGINS`);
      }
      return { ok: true, projectId: DEFAULT_PROJECT_ID, visitorIdMode: directory.project(DEFAULT_PROJECT_ID)?.visitorIdMode ?? 'daily' };
    }
    const project = directory.projectBySiteKey(siteId);
    if (project === undefined) return refuse(400, 'unknown_site_key', 'is not the site key of any project; send the site_key printed when the project was created');
    // The default project's own site key is allowed where events without a key are (CORS_ORIGINS),
    // so putting the listed default key into data-site-id on the demo site keeps working.
    const allowed = policyOf(project)(origin) || (project.id === DEFAULT_PROJECT_ID && options.defaultOriginAllowed(origin));
    if (!allowed) {
      return refuse(403, 'origin_not_allowed', `origin ${JSON.stringify(origin)} may not send events with this site key; add it to the project's allowed origins`);
    }
    return { ok: true, projectId: project.id, visitorIdMode: project.visitorIdMode };
  };
}

function refuse(status: 400 | 403, code: string, message: string): Assignment {
  return { ok: false, status, code, field: '/site_id', message };
}
