// Two projects in two organizations with keys, for the collector's integration tests.
import { createMemoryDirectory, type MemoryDirectory } from '../../collector/src/projects/memory-directory.ts';
import { BLOG, KEYS, SHOP } from '../../collector/src/projects/fixtures.ts';
import type { Project, TenancyDirectory } from '../../tenancy/model.ts';

export interface Tenant {
  project: Project;
  /** Secret key scoped to the project, ingest scope. */
  ingestKey: string;
}

export interface Tenants {
  directory: TenancyDirectory;
  shop: Tenant & { readKey: string; orgKey: string; /** An ingest key for revocation tests. */ spareKey: string };
  blog: Tenant;
  /** Makes the key verify as nothing, as revocation does. */
  revoke(rawKey: string): Promise<void>;
  close(): Promise<void>;
}

export async function seedTenants(): Promise<Tenants> {
  const directory: MemoryDirectory = createMemoryDirectory();
  directory.addProject(SHOP);
  directory.addProject(BLOG);
  for (const [raw, principal] of Object.values(KEYS)) directory.addKey(raw, principal);
  return {
    directory,
    shop: { project: SHOP, ingestKey: KEYS.shopIngest[0], readKey: KEYS.shopRead[0], orgKey: KEYS.shopOrg[0], spareKey: KEYS.shopSpare[0] },
    blog: { project: BLOG, ingestKey: KEYS.blogIngest[0] },
    async revoke(rawKey) {
      directory.revokeKey(rawKey);
    },
    async close() {},
  };
}
