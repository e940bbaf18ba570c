// The demo site: a fixed allow-list of static pages plus the tracker bundle. Pages get the
// tracker's script tag options from config, so tests can point them at their own collector.
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { readFile } from 'node:fs/promises';
import { answerClientError } from '../lib/http-client-errors.ts';
import { frameworkErrorOptions, RouteTable, useUnmatchedProblems } from '../lib/http-framework-errors.ts';
import { problemBody } from '../lib/http-problem.ts';
import type { Logger } from '../lib/logger.ts';
import { schemaController } from '../lib/schema-controller.ts';
import type { DemoConfig } from './config.ts';

const PUBLIC = new URL('./public/', import.meta.url);
const PAGES: Record<string, string> = { '/': 'index.html', '/index.html': 'index.html', '/page2.html': 'page2.html' };
const SCRIPT_TAG = '<script src="/analytics.js" defer data-debug></script>';

const escapeAttr = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The page's tracker tag with the configured options. */
export function scriptTag(config: Pick<DemoConfig, 'demoCollectorUrl' | 'demoAllowAutomation'> & Partial<Pick<DemoConfig, 'demoAnonymousId'>>): string {
  const endpoint = config.demoCollectorUrl ? ` data-endpoint="${escapeAttr(config.demoCollectorUrl)}"` : '';
  const automation = config.demoAllowAutomation ? ' data-allow-automation' : '';
  const anonymousId = config.demoAnonymousId ? ' data-anonymous-id' : '';
  return SCRIPT_TAG.replace(' defer', ` defer${endpoint}${automation}${anonymousId}`);
}

export interface DemoDeps {
  config: DemoConfig;
  logger: Logger;
  /** The built analytics.js, read when the app starts. */
  trackerCode: string;
}

export async function buildDemoApp({ config, logger, trackerCode }: DemoDeps): Promise<FastifyInstance> {
  // No route takes a body or a schema yet; one added later validates as every service does.
  const routes = new RouteTable();
  const app = Fastify({ ...frameworkErrorOptions(routes), clientErrorHandler: answerClientError, loggerInstance: logger as FastifyBaseLogger, schemaController: schemaController() });
  routes.watch(app);
  // Errors leave in the other services' shape: a 4xx with its reason, a 5xx without internals.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send(problemBody({ status, error: 'bad_request', field: 'request', message: error.message.slice(0, 200) }));
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(problemBody({ status: 500, error: 'internal_error', message: 'internal server error' }));
  });
  useUnmatchedProblems(app);
  // No route takes a body: none is read or parsed, so a POST is a 404 (no such route) whatever its
  // body's type or JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  const tag = scriptTag(config);
  const pages = new Map<string, string>();
  for (const [route, file] of Object.entries(PAGES)) {
    const html = await readFile(new URL(file, PUBLIC), 'utf8');
    pages.set(route, html.replace(SCRIPT_TAG, tag));
  }
  for (const [route, html] of pages) {
    app.get(route, async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html));
  }
  app.get('/analytics.js', async (_request, reply) =>
    reply.type('application/javascript; charset=utf-8').header('cache-control', 'no-cache').send(trackerCode),
  );
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).send());
  return app;
}
