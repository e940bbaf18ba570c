// Two projects in two organizations with keys, in an in-memory directory, for the fast unit
// tests of the ingest use cases (integration tests seed the real directory instead).
import type { Principal, Project } from '../../../tenancy/model.ts';
import { createMemoryDirectory } from './memory-directory.ts';

export const SHOP: Project = {
  id: '11111111-1111-4111-8111-111111111111',
  orgId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
  name: 'shop',
  siteKey: 'pk_shop',
  allowedOrigins: ['https://shop.example'],
  timezone: 'Europe/Berlin',
  retentionDays: 400,
  visitorIdMode: 'daily',
};
export const BLOG: Project = {
  id: '22222222-2222-4222-8222-222222222222',
  orgId: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
  name: 'blog',
  siteKey: 'pk_blog',
  allowedOrigins: ['https://blog.example'],
  timezone: 'UTC',
  retentionDays: 30,
  visitorIdMode: 'daily',
};

const key = (keyId: string, orgId: string, projectId: string | null, scopes: Principal['scopes'], rateLimitPerMinute: number | null = null): Principal => ({ keyId, orgId, projectId, scopes, rateLimitPerMinute });

export const KEYS = {
  shopIngest: ['sk_shop_ingest', key('k-shop', SHOP.orgId, SHOP.id, ['ingest'])],
  shopRead: ['sk_shop_read', key('k-shop-read', SHOP.orgId, SHOP.id, ['read'])],
  shopOrg: ['sk_shop_org', key('k-shop-org', SHOP.orgId, null, ['ingest'])],
  shopSpare: ['sk_shop_spare', key('k-shop-spare', SHOP.orgId, SHOP.id, ['ingest'])],
  blogIngest: ['sk_blog_ingest', key('k-blog', BLOG.orgId, BLOG.id, ['ingest'])],
} as const satisfies Record<string, readonly [string, Principal]>;

export function twoTenants() {
  const directory = createMemoryDirectory();
  directory.addProject(SHOP);
  directory.addProject(BLOG);
  for (const [raw, principal] of Object.values(KEYS)) directory.addKey(raw, principal);
  return directory;
}
