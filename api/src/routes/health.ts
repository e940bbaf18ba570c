// GET /health: 200 when the report database answers on the read-only login, 503 otherwise.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';

export async function healthRoutes(app: FastifyInstance, options: { db: pg.Pool }): Promise<void> {
  app.get(
    '/health',
    {
      schema: {
        tags: ['ops'],
        summary: 'Readiness: the report database answers',
        response: { 200: Type.Object({ status: Type.Literal('ok') }), 503: Type.Object({ status: Type.Literal('unavailable'), message: Type.String() }) },
      },
    },
    async (_request, reply) => {
      try {
        await options.db.query('SELECT 1');
        return { status: 'ok' as const };
      } catch (error) {
        return reply.code(503).send({ status: 'unavailable' as const, message: `database: ${(error as Error).message}` });
      }
    },
  );
}
