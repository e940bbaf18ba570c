// TypeBox schemas of the tenancy routes (admin and sign-in), shown in /docs. Bodies use the same
// snake_case names as the CLI's JSON.
import { Type } from '@sinclair/typebox';
import { VISITOR_ID_MODES } from '#contract';
import { SCOPES } from './model.ts';
import { NAME_PATTERN } from './validate.ts';

const Uuid = Type.String({ format: 'uuid' });
const VisitorIdMode = Type.Union(VISITOR_ID_MODES.map((m) => Type.Literal(m)), {
  description: 'How anonymous visitors are identified (docs/metrics.md § Visitor): daily (hash with a daily salt, the default), monthly, or anonymous_id (the tracker\'s persistent id when sent)',
});
const Time = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);
// Each scope at most once: checked by parseScopes (validate.ts), so the routes and the CLI refuse a
// repeated scope in the same words.
const ScopeList = Type.Array(Type.Union(SCOPES.map((s) => Type.Literal(s))), { minItems: 1, description: 'ingest, read, live, admin; each at most once' });

/** Every error of these routes: the collector's error shape. */
export const TenancyError = Type.Object({
  success: Type.Literal(false),
  error: Type.String({ description: 'Machine-readable code: missing_credentials, invalid_api_key, invalid_token, insufficient_scope, not_found, invalid_field, conflict, invalid_credentials, invalid_refresh_token' }),
  message: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
});

export const ProjectBody = Type.Object({
  project: Uuid,
  name: Type.String(),
  org: Type.String(),
  org_id: Uuid,
  site_key: Type.String({ description: 'Public pk_… key the tracker sends as site_id' }),
  allowed_origins: Type.Array(Type.String()),
  timezone: Type.String(),
  retention_days: Type.Integer(),
  visitor_id_mode: VisitorIdMode,
  created_at: Time,
});

export const NewProjectBody = Type.Object(
  {
    name: Type.String({ pattern: NAME_PATTERN }),
    org_id: Type.Optional(Uuid),
    allowed_origins: Type.Optional(Type.Array(Type.String({ maxLength: 300 }), { maxItems: 100 })),
    timezone: Type.Optional(Type.String({ maxLength: 64, description: 'IANA zone, default UTC' })),
    retention_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 36_500, description: 'default 90' })),
    visitor_id_mode: Type.Optional(VisitorIdMode),
  },
  { additionalProperties: false },
);

/** PATCH /projects/:projectId: the settings that may change after creation. */
export const ProjectChangesBody = Type.Object({ visitor_id_mode: VisitorIdMode }, { additionalProperties: false });

export const KeyBody = Type.Object({
  id: Uuid,
  org_id: Uuid,
  project_id: Type.Union([Uuid, Type.Null()], { description: 'null: organization-wide' }),
  name: Type.String(),
  hint: Type.String({ description: 'sk_… and the last 4 characters' }),
  scopes: Type.Array(Type.String()),
  rate_limit_per_minute: Type.Union([Type.Integer(), Type.Null()]),
  created_at: Time,
  expires_at: Time,
  revoked_at: Time,
  last_used_at: Time,
});

export const CreatedKeyBody = Type.Composite([Type.Object({ key: Type.String({ description: 'The secret key, shown only in this answer' }) }), KeyBody]);

export const NewKeyBody = Type.Object(
  {
    project_id: Type.Optional(Type.Union([Uuid, Type.Null()], { description: 'Omitted or null: an organization-wide key' })),
    org_id: Type.Optional(Uuid),
    scopes: ScopeList,
    name: Type.Optional(Type.String({ maxLength: 200 })),
    expires_in_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 36_500 })),
    rate_limit_per_minute: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000 })),
  },
  { additionalProperties: false },
);

export const ProjectParams = Type.Object({ projectId: Uuid });
export const KeyParams = Type.Object({ keyId: Uuid });
export const KeyListQuery = Type.Object({ project_id: Type.Optional(Uuid) }, { additionalProperties: false });

export const LoginBody = Type.Object(
  { email: Type.String({ minLength: 3, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
export const RefreshBody = Type.Object({ refresh_token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });

export const SessionBody = Type.Object({
  access_token: Type.String({ description: 'JWT for Authorization: Bearer' }),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds the access token is valid' }),
  refresh_token: Type.String({ description: 'Single use: exchanged at /api/v1/auth/refresh for a new pair' }),
  user: Type.Object({
    id: Uuid,
    email: Type.String(),
    orgs: Type.Array(Type.Object({ id: Uuid, name: Type.String(), role: Type.String() })),
  }),
});

/** OpenAPI security schemes every service shares (the collector's ingest routes use the first two). */
export const SECURITY_SCHEMES = {
  apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'Secret key (sk_…)' },
  bearerKey: { type: 'http', scheme: 'bearer', description: 'The same secret key as Authorization: Bearer sk_…' },
  accessToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An analyst access token from POST /api/v1/auth/login' },
} as const;
/** Security of the admin routes: a key with the admin scope, or an admin's access token. */
export const ADMIN_SECURITY: { [scheme: string]: string[] }[] = [{ apiKey: [] }, { bearerKey: [] }, { accessToken: [] }];
