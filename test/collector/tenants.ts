// Two projects in two organizations with keys, made through the tenancy CLI's commands in a fresh
// database and served by the real directory (tenancy/directory.ts), for the collector's
// integration tests.
import { runCli, type CliCommand } from '../../tenancy/cli-commands.ts';
import { openTenancyDirectory, type OpenTenancyDirectory } from '../../tenancy/directory.ts';
import type { Project } from '../../tenancy/model.ts';
import { createTestDatabase } from '../support/database.ts';
import { silentLogger } from './helpers.ts';

export interface Tenant {
  project: Project;
  /** Secret key scoped to the project, ingest scope. */
  ingestKey: string;
}

export interface Tenants {
  directory: OpenTenancyDirectory;
  /** The tenants' database (migrated, so it holds visitor_salts too). */
  databaseUrl: string;
  /** Runs a tenancy CLI command against that database; its JSON, or throws with the error. */
  cli(command: CliCommand, args: string[]): Promise<Record<string, unknown>>;
  shop: Tenant & { readKey: string; orgKey: string; /** An ingest key for revocation tests. */ spareKey: string };
  blog: Tenant;
  /** Revokes the key through the CLI; resolves once this process's directory refuses it. */
  revoke(rawKey: string): Promise<void>;
  close(): Promise<void>;
}

/** The pepper the tenants' keys are hashed with: a collector serving them must be given it. */
export const PEPPER = 'collector-test-pepper';

export async function seedTenants(): Promise<Tenants> {
  const db = await createTestDatabase('analytics_test_tenants');
  const cli = async (command: CliCommand, args: string[]): Promise<Record<string, unknown>> => {
    const out = await runCli(command, args, { db: db.pool, pepper: PEPPER });
    if (!out.ok) throw new Error(`${command} ${args.join(' ')}: ${out.error}`);
    return out.value.json as Record<string, unknown>;
  };
  const shopId = String((await cli('projects', ['create', 'shop', '--org', 'acme', '--origin', 'https://shop.example', '--retention-days', '400']))['project']);
  const blogId = String((await cli('projects', ['create', 'blog', '--org', 'globex', '--origin', 'https://blog.example', '--retention-days', '30']))['project']);
  const keyIds = new Map<string, string>();
  const key = async (args: string[]) => {
    const made = await cli('keys', ['create', ...args]);
    keyIds.set(String(made['key']), String(made['id']));
    return String(made['key']);
  };
  const shopKeys = {
    ingestKey: await key(['--project', shopId, '--scopes', 'ingest']),
    readKey: await key(['--project', shopId, '--scopes', 'read']),
    orgKey: await key(['--org', 'acme', '--scopes', 'ingest']),
    spareKey: await key(['--project', shopId, '--scopes', 'ingest']),
  };
  const blogKey = await key(['--project', blogId, '--scopes', 'ingest']);

  const directory = openTenancyDirectory({ databaseUrl: db.url, pepper: PEPPER, logger: silentLogger, reloadIntervalMs: 500 });
  await directory.ready();
  const project = (id: string) => {
    const p = directory.project(id);
    if (p === undefined) throw new Error(`project ${id} not in the directory`);
    return p;
  };
  return {
    directory,
    databaseUrl: db.url,
    cli,
    shop: { project: project(shopId), ...shopKeys },
    blog: { project: project(blogId), ingestKey: blogKey },
    async revoke(rawKey) {
      await cli('keys', ['revoke', keyIds.get(rawKey)!]);
      // Within the reload interval without help; waiting for it keeps the test deterministic.
      const deadline = Date.now() + 5000;
      while (directory.verifyKey(rawKey) !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    },
    async close() {
      await directory.close();
      await db.drop();
    },
  };
}
