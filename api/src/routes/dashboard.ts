// The analysts' dashboard (dashboard/): GET / and its script and stylesheet, as built into
// dashboard/dist/ by `npm run build:dashboard` (bin/start and the Docker image build it). Without
// a build, / says how to make one (503) instead of failing.
import { readFile } from 'node:fs/promises';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

const DIST = new URL('../../../dashboard/dist/', import.meta.url);
const FILES = { '/': ['index.html', 'text/html; charset=utf-8'], '/dashboard.js': ['dashboard.js', 'text/javascript; charset=utf-8'], '/dashboard.css': ['dashboard.css', 'text/css; charset=utf-8'] } as const;

/** The built files, read once at boot; undefined when the dashboard was not built. */
export async function readDashboard(dist: URL = DIST): Promise<Map<string, Buffer> | undefined> {
  try {
    const files = new Map<string, Buffer>();
    for (const [name] of Object.values(FILES)) files.set(name, await readFile(new URL(name, dist)));
    return files;
  } catch {
    return undefined;
  }
}

export async function dashboardRoutes(app: FastifyInstance, options: { files: Map<string, Buffer> | undefined }): Promise<void> {
  for (const [url, [name, type]] of Object.entries(FILES)) {
    app.get(
      url,
      {
        schema: {
          tags: ['dashboard'],
          summary: url === '/' ? 'The analysts\' dashboard (sign in, live view, reports)' : `The dashboard's ${name}`,
          description: 'A web page for analysts: it signs in with POST /api/v1/auth/login and reads the routes below. 503 when the dashboard was not built (npm run build:dashboard).',
          response: { 200: { description: name, content: { [type.split(';')[0]!]: { schema: Type.String() } } }, 503: { description: 'Not built', content: { 'text/plain': { schema: Type.String() } } } },
        },
      },
      async (_request, reply) => {
        const body = options.files?.get(name);
        if (body === undefined) return reply.code(503).type('text/plain; charset=utf-8').send('The dashboard is not built: run `npm run build:dashboard` and restart the api.\n');
        return reply.type(type).header('cache-control', 'no-cache').send(body);
      },
    );
  }
}
