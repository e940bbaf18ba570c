// The query API under test, in process: a fresh migrated database, two tenants made with the
// tenancy CLI's commands (shop in org acme, blog in org globex) with read and ingest keys and a
// signed-in viewer, events written through the pipeline's own loader (store-events: visits and
// counters maintained as in production), and the app built by buildApiApp on the read-only login.
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { buildApiApp } from '../../api/src/app.ts';
import { queryDatabaseUrl } from '../../api/src/config.ts';
import { openQueryPool } from '../../api/src/query/query-pool.ts';
import { createLogger } from '../../lib/logger.ts';
import { createPostgresSink } from '../../pipeline/src/adapters/postgres-sink.ts';
import { enrichRow } from '../../pipeline/src/steps/enrich-row.ts';
import type { EventRow } from '../../pipeline/src/steps/normalize-event.ts';
import { runCli, type CliCommand } from '../../tenancy/cli-commands.ts';
import { openTenancyDirectory, type OpenTenancyDirectory } from '../../tenancy/directory.ts';
import type { Project } from '../../tenancy/model.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { eventRow } from '../support/event-row.ts';

const PEPPER = 'api-test-pepper-0123';
export const VIEWER = { email: 'viewer@acme.example', password: 'correct horse battery' };

export interface Tenant {
  project: Project;
  /** read scope, this project only. */
  readKey: string;
  /** ingest scope only: may not read. */
  ingestKey: string;
  /** live scope only: the live streams, no report. */
  liveKey: string;
}

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
  body: any;
}

export interface ApiBed {
  db: TestDatabase;
  app: FastifyInstance;
  /** The reports' read-only pool the app runs on. */
  queryPool: pg.Pool;
  directory: OpenTenancyDirectory;
  shop: Tenant & { /** read scope on every project of org acme. */ orgReadKey: string };
  blog: Tenant;
  /** An access token of a viewer of org acme (POST /api/v1/auth/login). */
  viewerToken(): Promise<string>;
  /** Stores rows through the pipeline's loader (one transaction, Kafka partition `shard`); returns how many were inserted. */
  store(rows: readonly EventRow[], shard?: number): Promise<number>;
  /** GET with a key (X-API-Key) or a token (Authorization: Bearer). */
  get(url: string, credential?: string, query?: Record<string, string | number | boolean | undefined>): Promise<Answer>;
  /** GET of a stream (server-sent events): a refusal's JSON body, or the text up to the end of its first message. */
  getStream(url: string, credential?: string, query?: Record<string, string | number | boolean | undefined>): Promise<Answer>;
  close(): Promise<void>;
}

const silent = createLogger('api-test', 'silent');

/** A database URL as the query API's read-only login (its password as scripts/postgres.sh sets it). */
export const readOnlyUrl = (databaseUrl: string) => queryDatabaseUrl({ databaseUrl, apiDbPassword: process.env.API_DB_PASSWORD ?? 'analytics_api' });

/** A stored row as the collector would have written it: enrichment derived from its page_url, referrer and user agent. */
export function enrichedRow(over: Partial<EventRow>): EventRow {
  return enrichRow(eventRow(over));
}

export async function apiBed(options: { now?: () => Date; queryPool?: { max?: number; connectionTimeoutMs?: number; url?: string }; tenancyDb?: pg.Pool } = {}): Promise<ApiBed> {
  const db = await createTestDatabase('analytics_test_api');
  const cli = async (command: CliCommand, args: string[]): Promise<Record<string, unknown>> => {
    const out = await runCli(command, args, { db: db.pool, pepper: PEPPER });
    if (!out.ok) throw new Error(`${command} ${args.join(' ')}: ${out.error}`);
    return out.value.json as Record<string, unknown>;
  };
  const shopId = String((await cli('projects', ['create', 'shop', '--org', 'acme', '--timezone', 'Europe/Berlin']))['project']);
  const blogId = String((await cli('projects', ['create', 'blog', '--org', 'globex', '--timezone', 'Asia/Kathmandu']))['project']);
  const key = async (args: string[]) => String((await cli('keys', ['create', ...args]))['key']);
  const shopKeys = {
    readKey: await key(['--project', shopId, '--scopes', 'read']),
    ingestKey: await key(['--project', shopId, '--scopes', 'ingest']),
    orgReadKey: await key(['--org', 'acme', '--scopes', 'read']),
    liveKey: await key(['--project', shopId, '--scopes', 'live']),
  };
  const blogKeys = {
    readKey: await key(['--project', blogId, '--scopes', 'read']),
    ingestKey: await key(['--project', blogId, '--scopes', 'ingest']),
    liveKey: await key(['--project', blogId, '--scopes', 'live']),
  };
  await cli('users', ['create', '--email', VIEWER.email, '--password', VIEWER.password, '--org', 'acme', '--role', 'viewer']);

  const directory = openTenancyDirectory({ databaseUrl: db.url, pepper: PEPPER, logger: silent, reloadIntervalMs: 500 });
  await directory.ready();
  const project = (id: string) => {
    const p = directory.project(id);
    if (p === undefined) throw new Error(`project ${id} not in the directory`);
    return p;
  };
  const queryPool = openQueryPool({
    url: options.queryPool?.url ?? readOnlyUrl(db.url),
    max: options.queryPool?.max ?? 4,
    statementTimeoutMs: 30_000,
    ...(options.queryPool?.connectionTimeoutMs !== undefined ? { connectionTimeoutMs: options.queryPool.connectionTimeoutMs } : {}),
    logger: silent,
  });
  const app = await buildApiApp({
    config: { logLevel: 'silent', apiKeyPepper: PEPPER, jwtSecret: 'api-test-jwt-secret-0123456789abcdef0123' },
    directory,
    tenancyDb: options.tenancyDb ?? db.pool,
    queryPool,
    logger: silent,
    ...(options.now ? { now: options.now } : {}),
  });
  const sink = createPostgresSink(db.url, 2, (error) => {
    throw error;
  });
  let token: string | undefined;
  return {
    db,
    app,
    queryPool,
    directory,
    shop: { project: project(shopId), ...shopKeys },
    blog: { project: project(blogId), ...blogKeys },
    async viewerToken() {
      if (token !== undefined) return token;
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: VIEWER });
      if (res.statusCode !== 200) throw new Error(`login: ${res.statusCode} ${res.body}`);
      return (token = String(res.json().access_token));
    },
    async store(rows, shard = 0) {
      const { inserted } = await sink.write([...rows], [], shard);
      return inserted;
    },
    async get(url, credential, query = {}) {
      const res = await app.inject({ method: 'GET', url: withQuery(url, query), headers: credentialHeaders(credential) });
      return { status: res.statusCode, body: res.headers['content-type']?.toString().includes('json') ? res.json() : res.body };
    },
    async getStream(url, credential, query = {}) {
      const res = await app.inject({ method: 'GET', url: withQuery(url, query), headers: credentialHeaders(credential), payloadAsStream: true });
      const stream = res.stream();
      let text = '';
      for await (const chunk of stream) {
        text += String(chunk);
        // The first message after the `retry:` line, or a whole refusal.
        if (res.statusCode === 200 ? /\n\n[^]*\n\n/.test(text) : false) break;
      }
      stream.destroy();
      return { status: res.statusCode, body: res.headers['content-type']?.toString().includes('json') ? JSON.parse(text) : text };
    },
    async close() {
      await app.close();
      await queryPool.end();
      await sink.close();
      await directory.close();
      await db.drop();
    },
  };
}

function withQuery(url: string, query: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) search.set(k, String(v));
  const qs = search.toString();
  return qs === '' ? url : `${url}?${qs}`;
}

function credentialHeaders(credential: string | undefined): Record<string, string> {
  if (credential === undefined) return {};
  return credential.startsWith('sk_') ? { 'x-api-key': credential } : { authorization: `Bearer ${credential}` };
}

/** The pool of the bed's database owner, for tests that inspect tables directly. */
export type OwnerPool = pg.Pool;
