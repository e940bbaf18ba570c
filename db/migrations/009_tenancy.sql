-- Tenancy: organizations own projects; secret API keys act for one project or a whole
-- organization; analysts sign in as users with a role per organization. Isolation is enforced in
-- code (every query function takes the project first), not by row-level security, which
-- TimescaleDB refuses together with compression and continuous aggregates.

CREATE TABLE IF NOT EXISTS organizations (
  id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  name       text        NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A zone PostgreSQL knows (reports compute local days with AT TIME ZONE); the CLI and routes
-- check the IANA form before this.
CREATE OR REPLACE FUNCTION tenancy_valid_timezone(zone text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
  PERFORM now() AT TIME ZONE zone;
  RETURN true;
EXCEPTION WHEN invalid_parameter_value THEN
  RETURN false;
END $$;

CREATE TABLE IF NOT EXISTS projects (
  id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid        NOT NULL REFERENCES organizations (id),
  name            text        NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'),
  -- Public: the tracker sends it as site_id. Not a secret, so stored as is.
  site_key        text        NOT NULL UNIQUE CHECK (site_key ~ '^pk_[A-Za-z0-9_-]{16,64}$'),
  allowed_origins text[]      NOT NULL DEFAULT '{}',
  timezone        text        NOT NULL DEFAULT 'UTC' CHECK (tenancy_valid_timezone(timezone)),
  retention_days  integer     NOT NULL DEFAULT 90 CHECK (retention_days BETWEEN 1 AND 36500),
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, name),
  -- Target of api_keys' (project_id, org_id) foreign key: a key's project is in the key's org.
  UNIQUE (id, org_id)
);

CREATE TABLE IF NOT EXISTS api_keys (
  id                    uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id                uuid        NOT NULL REFERENCES organizations (id),
  -- NULL: the key acts for every project of its organization.
  project_id            uuid,
  -- HMAC-SHA256(API_KEY_PEPPER, raw key): the raw key is shown once and never stored.
  key_hash              bytea       NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
  -- Prefix and last 4 characters (sk_…AbCd), safe to show in lists.
  hint                  text        NOT NULL,
  name                  text        NOT NULL DEFAULT '',
  scopes                text[]      NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['ingest', 'read', 'live', 'admin']),
  -- NULL: the service's default limit.
  rate_limit_per_minute integer     CHECK (rate_limit_per_minute > 0),
  created_at            timestamptz NOT NULL DEFAULT now(),
  expires_at            timestamptz,
  revoked_at            timestamptz,
  -- Written in batches, at most once a minute per key and process.
  last_used_at          timestamptz,
  FOREIGN KEY (project_id, org_id) REFERENCES projects (id, org_id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS api_keys_project ON api_keys (project_id);

CREATE TABLE IF NOT EXISTS users (
  id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text        NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
  -- argon2id encoded hash (parameters and salt included).
  password_hash text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS users_email_unique ON users (lower(email));

CREATE TABLE IF NOT EXISTS memberships (
  user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  org_id     uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  role       text        NOT NULL CHECK (role IN ('admin', 'viewer')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, org_id)
);

CREATE TABLE IF NOT EXISTS refresh_tokens (
  id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- SHA-256 of the random token; the token itself is only ever in the client's hands.
  token_hash  bytea       NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  -- Set when used (rotation) or on logout; a used token is refused.
  revoked_at  timestamptz
);
CREATE INDEX IF NOT EXISTS refresh_tokens_user ON refresh_tokens (user_id);

-- Every service keeps projects and live keys in memory and reloads them on this notification.
-- last_used_at bookkeeping changes nothing a service holds, so it notifies nobody (otherwise
-- every busy key would make every process reload once a minute).
CREATE OR REPLACE FUNCTION tenancy_notify_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('tenancy_changed', TG_TABLE_NAME);
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS projects_changed ON projects;
CREATE TRIGGER projects_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON projects
  FOR EACH STATEMENT EXECUTE FUNCTION tenancy_notify_changed();
DROP TRIGGER IF EXISTS api_keys_added_or_removed ON api_keys;
CREATE TRIGGER api_keys_added_or_removed AFTER INSERT OR DELETE OR TRUNCATE ON api_keys
  FOR EACH STATEMENT EXECUTE FUNCTION tenancy_notify_changed();
DROP TRIGGER IF EXISTS api_keys_changed ON api_keys;
CREATE TRIGGER api_keys_changed AFTER UPDATE ON api_keys
  FOR EACH ROW WHEN ((to_jsonb(OLD) - 'last_used_at') IS DISTINCT FROM (to_jsonb(NEW) - 'last_used_at'))
  EXECUTE FUNCTION tenancy_notify_changed();

-- The default organization and project: events without a site key land here while the
-- collector's ALLOW_DEFAULT_PROJECT is on. The id is DEFAULT_PROJECT_ID of the contract.
INSERT INTO organizations (id, name) VALUES ('00000000-0000-4000-8000-000000000000', 'default') ON CONFLICT DO NOTHING;
INSERT INTO projects (id, org_id, name, site_key)
VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000000', 'default',
        'pk_' || replace(gen_random_uuid()::text, '-', ''))
ON CONFLICT DO NOTHING;

-- Dashboards may name projects and organizations (the $project variable), nothing more: no key
-- hashes, no users, no tokens. 004 grants SELECT on every new table by default, so take it back.
REVOKE ALL ON organizations, projects, api_keys, users, memberships, refresh_tokens FROM analytics_reader;
GRANT SELECT (id, org_id, name, timezone) ON projects TO analytics_reader;
GRANT SELECT (id, name) ON organizations TO analytics_reader;
