// A Fastify app serving only the tenancy API, as any service registers it.
import Fastify, { type FastifyInstance } from 'fastify';
import { tenancyApi, type TenancyApiOptions } from '../../tenancy/api-plugin.ts';
import { schemaController } from '../../lib/schema-controller.ts';

export async function buildTenancyTestApp(options: Omit<TenancyApiOptions, 'jwtSecret'> & { jwtSecret?: string }): Promise<FastifyInstance> {
  const app = Fastify({ schemaController: schemaController() });
  await app.register(tenancyApi, { jwtSecret: 'test-jwt-secret-0123456789abcdef', ...options });
  await app.ready();
  return app;
}
