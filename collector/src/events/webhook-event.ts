// The design document's webhook shape, mapped onto the server-side event so that a system already
// sending it works unchanged:
//   eventType → event_type   userId → user_id   timestamp → timestamp
//   metadata.page → page_url (an absolute http(s) URL as sent; a path is resolved against the
//     project's first allowed origin)   metadata.browser → user_agent
//   other metadata keys → metadata   organizationId → checked against the key's organization
// Errors name the webhook's own fields (/eventType, /metadata/page), never the mapped ones.
import { validateServerEvent, type FieldError, type ServerEvent } from '#contract';
import type { ItemValidator } from './parse-payload.ts';

export const WEBHOOK_FIELDS = ['eventType', 'userId', 'timestamp', 'metadata', 'organizationId'] as const;
const KNOWN = new Set<string>(WEBHOOK_FIELDS);

// Mapped field → webhook field, for re-pointing the contract's errors.
const BACK: [string, string][] = [
  ['/event_type', '/eventType'],
  ['/user_id', '/userId'],
  ['/page_url', '/metadata/page'],
  ['/user_agent', '/metadata/browser'],
];

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The page as an absolute URL: as sent when it is one, a path resolved against `baseUrl`, else unchanged (and refused by the contract). */
export function resolvePage(page: unknown, baseUrl: string | undefined): unknown {
  if (typeof page !== 'string' || baseUrl === undefined || !page.startsWith('/') || page.startsWith('//')) return page;
  try {
    return new URL(page, baseUrl).href;
  } catch {
    return page;
  }
}

/** The server-side event a webhook item stands for (fields it does not know are left out; the validator names them). */
export function webhookToServerEvent(item: Record<string, unknown>, baseUrl: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) out[key] = value;
  };
  set('event_type', item.eventType);
  set('user_id', item.userId);
  set('timestamp', item.timestamp);
  const metadata = item.metadata;
  if (isObject(metadata)) {
    const { page, browser, ...rest } = metadata;
    set('page_url', resolvePage(page ?? (baseUrl === undefined ? undefined : '/'), baseUrl));
    set('user_agent', browser);
    if (Object.keys(rest).length > 0) out.metadata = rest;
  } else {
    set('page_url', baseUrl === undefined ? undefined : `${new URL('/', baseUrl).href}`);
    set('metadata', metadata);
  }
  return out;
}

/** Validates webhook items against the contract, through the mapping. `baseUrl`: the project's first allowed origin. */
export function webhookValidator(baseUrl: string | undefined): ItemValidator<ServerEvent> {
  return (value, path = '') => {
    if (!isObject(value)) return { ok: false, errors: [{ field: path || '/', message: `must be a JSON object with ${WEBHOOK_FIELDS.join(', ')}` }] };
    const errors: FieldError[] = [];
    for (const key of Object.keys(value)) {
      if (!KNOWN.has(key)) errors.push({ field: `${path}/${key}`, message: `is not a webhook field (expected ${WEBHOOK_FIELDS.join(', ')})` });
    }
    if (value.organizationId !== undefined && typeof value.organizationId !== 'string') errors.push({ field: `${path}/organizationId`, message: 'must be a string' });
    const result = validateServerEvent(webhookToServerEvent(value, baseUrl), path);
    if (!result.ok) {
      for (const e of result.errors) errors.push({ field: pointBack(e.field, path), message: explain(e, path, value, baseUrl) });
    }
    return errors.length === 0 && result.ok ? result : { ok: false, errors };
  };
}

function pointBack(field: string, path: string): string {
  for (const [mapped, original] of BACK) {
    const at = `${path}${mapped}`;
    if (field === at || field.startsWith(`${at}/`)) return `${path}${original}${field.slice(at.length)}`;
  }
  return field;
}

function explain(error: FieldError, path: string, item: Record<string, unknown>, baseUrl: string | undefined): string {
  if (error.field !== `${path}/page_url` || baseUrl !== undefined) return error.message;
  const page = isObject(item.metadata) ? item.metadata.page : undefined;
  if (page === undefined) return "is required: the project has no allowed origin to make the page's URL from";
  if (typeof page === 'string' && page.startsWith('/')) return `${error.message}: a path needs an allowed origin on the project to be resolved against`;
  return error.message;
}
