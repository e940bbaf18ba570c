// Answers Fastify would otherwise give in its own shape ({ error: "Bad Request", code: "FST_ERR_…",
// message: "'<the whole URL>' …" }) before or outside a route's handler: a path parameter too long
// for the router or not decodable, no route for the method and path. Each becomes the service's
// problem shape naming the path parameter (from the route table) or `url`, and never repeats the
// URL when it is long or unprintable.
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { problemBody, quoteIfShort, type HttpProblem } from './http-problem.ts';

/**
 * The router's limit on one path parameter, in URL characters (percent-encoded). Above every id a
 * route takes (a 200-character user_id of 4-byte characters is 2,400 as %XX), so a long but valid
 * id reaches its route's schema, which names the parameter; only longer ones stop at the router.
 */
const MAX_PARAM_URL_LENGTH = 4096;

interface RoutePattern {
  segments: string[];
}

/** A parameter segment's name (`:funnel_id` or `:id(^\\d+)`), undefined for a literal one. */
const paramName = (segment: string) => (segment.startsWith(':') ? segment.slice(1).replace(/\(.*$/, '') : undefined);

const splitPath = (url: string) => (url.split('?')[0] ?? '').split('/');

function decodes(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

/** The service's routes as path patterns, to name the parameter a bad URL segment stands for. */
export class RouteTable {
  private readonly patterns = new Map<string, RoutePattern>();

  /** Records every route registered on `app` from now on (call before registering routes). */
  watch(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      if (!this.patterns.has(route.url)) this.patterns.set(route.url, { segments: route.url.split('/') });
    });
  }

  /** Patterns whose segments match the path's (a parameter matches any non-empty segment). */
  private matching(segments: string[]): RoutePattern[] {
    return [...this.patterns.values()].filter((p) => {
      if (p.segments.at(-1) === '*') return p.segments.slice(0, -1).every((s, i) => s === segments[i] || (paramName(s) !== undefined && (segments[i] ?? '') !== ''));
      return p.segments.length === segments.length && p.segments.every((s, i) => s === segments[i] || (paramName(s) !== undefined && segments[i] !== ''));
    });
  }

  /** The name of the path parameter at the first segment `bad` picks, when a route has one there. */
  parameterAt(url: string, bad: (segment: string) => boolean): string | undefined {
    const segments = splitPath(url);
    const index = segments.findIndex(bad);
    if (index < 0) return undefined;
    for (const p of this.matching(segments)) {
      const name = paramName(p.segments[index] ?? '');
      if (name !== undefined) return name;
    }
    return undefined;
  }
}

/** What a framework error means for the client, as a problem naming the part of the URL at fault. */
function frameworkProblem(table: RouteTable, code: string | undefined, url: string, statusCode: number | undefined): HttpProblem {
  if (code === 'FST_ERR_MAX_PARAM_LENGTH') {
    const name = table.parameterAt(url, (s) => s.length > MAX_PARAM_URL_LENGTH);
    const what = name ?? 'a path segment';
    return { status: 400, error: 'invalid_parameter', field: name ?? 'url', message: `${what} is longer than ${MAX_PARAM_URL_LENGTH} characters in the URL; no valid ${name ?? 'parameter'} is that long` };
  }
  if (code === 'FST_ERR_BAD_URL') {
    const name = table.parameterAt(url, (s) => !decodes(s));
    const what = name ?? 'the URL path';
    return { status: 400, error: 'invalid_parameter', field: name ?? 'url', message: `${what} is not valid percent-encoding: each % must start two hex digits, and the bytes they give must be UTF-8 (ü is %C3%BC)` };
  }
  // Nothing else reaches here from the client's input (async constraints are the service's own
  // code): a 4xx keeps its status with a generic code, anything else is the service's fault.
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) return { status: statusCode, error: 'bad_request', field: 'url', message: 'the request cannot be routed' };
  return { status: 500, error: 'internal_error', message: 'internal server error' };
}

/** No route for the method and path (another method on a known path too, as the services document): a 404 repeating the path only when short and printable. */
function unmatchedProblem(method: string, url: string): HttpProblem {
  // Node's parser admits only the methods it knows, all short upper-case tokens.
  const said = /^[A-Z-]{1,20}$/.test(method) ? method : 'this method';
  const path = url.split('?')[0] ?? '';
  const shown = quoteIfShort(path) !== undefined ? path : '(the path, not repeated: too long or unprintable)';
  return { status: 404, error: 'not_found', field: 'url', message: `no route ${said} ${shown}` };
}

/** The Fastify options that route framework errors through `frameworkProblem`; call `routes.watch(app)` before registering routes. */
export function frameworkErrorOptions(table: RouteTable): Pick<FastifyServerOptions, 'routerOptions' | 'frameworkErrors'> {
  return {
    routerOptions: { maxParamLength: MAX_PARAM_URL_LENGTH },
    frameworkErrors: (error, request: FastifyRequest, reply: FastifyReply) => {
      const problem = frameworkProblem(table, error.code, request.raw.url ?? '', error.statusCode);
      if (problem.status >= 500) request.log.error({ err: error }, 'framework error');
      void reply.code(problem.status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(problemBody(problem)));
    },
  };
}

/** Sets the not-found handler: a 404 naming `url`, the path repeated only when short. */
export function useUnmatchedProblems(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const problem = unmatchedProblem(request.method, request.raw.url ?? request.url);
    return reply.code(problem.status).send(problemBody(problem));
  });
}
