// The tenancy routes as both services host them, on one fresh database: the collector's app (a
// memory publisher, no Kafka) and the query API's app, an organization admin key and a signed-in
// user, so a test can send the same request to each and compare the answers.
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApiApp } from '../../api/src/app.ts';
import { buildApp } from '../../collector/src/app.ts';
import { createMemoryPublisher } from '../../collector/src/events/memory-publisher.ts';
import { createLogger } from '../../lib/logger.ts';
import { openTenancyDirectory, type OpenTenancyDirectory } from '../../tenancy/directory.ts';
import { generateSecretKey, hashKey, keyHint } from '../../tenancy/keys.ts';
import { hashPassword } from '../../tenancy/passwords.ts';
import * as store from '../../tenancy/pg-store.ts';
import { createUser, setMembership } from '../../tenancy/user-store.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { silentLogger, testConfig } from '../collector/helpers.ts';

const PEPPER = 'both-services-test-pepper';
// Both services sign and verify access tokens with one key, as in production.
const signingKey = 'both-services-test-signing-0123456789abcdef';
export const USER = { email: 'ana@example.com', password: 'ana-passphrase' };

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are compared field by field
  body: any;
}

export interface BothServices {
  db: TestDatabase;
  services: { name: 'collector' | 'api'; app: FastifyInstance }[];
  /** An organization-wide admin key of the default organization. */
  adminKey: string;
  /** A project of the default organization (for PATCH). */
  projectId: string;
  /** A key with the read scope on that project (its reports). */
  readKey: string;
  /** Rows of every tenancy table, to show a refusal stored nothing. */
  counts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** One request to one app: status and body (parsed when JSON, else the text). */
export async function send(app: FastifyInstance, options: InjectOptions): Promise<Answer> {
  const res = await app.inject(options);
  const json = String(res.headers['content-type'] ?? '').startsWith('application/json');
  return { status: res.statusCode, body: res.body === '' ? {} : json ? (res.json() as unknown) : res.body };
}

export async function bothServices(): Promise<BothServices> {
  const db = await createTestDatabase('analytics_test_tenancy');
  const orgId = store.DEFAULT_ORG_ID;
  const adminKey = generateSecretKey();
  await store.createKey(db.pool, orgId, { projectId: null, keyHash: hashKey(PEPPER, adminKey), hint: keyHint(adminKey), name: '', scopes: ['admin'], rateLimitPerMinute: null, expiresAt: null });
  const project = await store.createProject(db.pool, orgId, { name: 'shop', siteKey: 'pk_shop_0123456789abcdef', allowedOrigins: [], timezone: 'UTC', retentionDays: 90 });
  if (!project.ok) throw new Error(project.error);
  const readKey = generateSecretKey();
  await store.createKey(db.pool, orgId, { projectId: project.value.id, keyHash: hashKey(PEPPER, readKey), hint: keyHint(readKey), name: '', scopes: ['read'], rateLimitPerMinute: null, expiresAt: null });
  const user = await createUser(db.pool, USER.email, await hashPassword(USER.password));
  await setMembership(db.pool, orgId, user.id, 'admin');
  const directory: OpenTenancyDirectory = openTenancyDirectory({ databaseUrl: db.url, pepper: PEPPER, logger: createLogger('test', 'silent') });
  await directory.ready();
  const collector = await buildApp({ config: testConfig({ apiKeyPepper: PEPPER, jwtSecret: signingKey }), publisher: createMemoryPublisher(), logger: silentLogger, directory, tenancyDb: db.pool });
  const api = await buildApiApp({ config: { logLevel: 'silent', apiKeyPepper: PEPPER, jwtSecret: signingKey }, directory, tenancyDb: db.pool, queryPool: db.pool, logger: createLogger('api-test', 'silent') });
  const counts = async () =>
    (
      await db.pool.query<Record<string, number>>(
        `SELECT (SELECT count(*)::int FROM organizations) AS organizations, (SELECT count(*)::int FROM projects) AS projects,
                (SELECT count(*)::int FROM api_keys) AS api_keys, (SELECT count(*)::int FROM users) AS users,
                (SELECT count(*)::int FROM refresh_tokens) AS refresh_tokens,
                (SELECT count(*)::int FROM projects WHERE visitor_id_mode <> 'daily') AS changed_modes`,
      )
    ).rows[0]!;
  return {
    db,
    services: [
      { name: 'collector', app: collector },
      { name: 'api', app: api },
    ],
    adminKey,
    projectId: project.value.id,
    readKey,
    counts,
    async close() {
      await collector.close();
      await api.close();
      await directory.close();
      await db.drop();
    },
  };
}
