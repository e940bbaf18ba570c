// Answers Fastify would otherwise give in its own shape ({ error: "Bad Request", code: "FST_ERR_…",
// message: "'<the whole URL>' …" }) before or outside a route's handler: a path parameter too long
// for the router or not decodable, an unknown route, a known path with another method. Each
// becomes the service's problem shape naming the path parameter (from the route table), `url` or
// `method`, and never repeats the URL when it is long or unprintable.
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
  methods: Set<string>;
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

/**
 * The service's routes as path patterns, to name the parameter a bad URL segment stands for and to
 * tell an unknown path (404) from a known one asked with another method (405).
 */
export class RouteTable {
  private readonly patterns = new Map<string, RoutePattern>();

  /** Records every route registered on `app` from now on (call before registering routes). */
  watch(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const known = this.patterns.get(route.url) ?? { segments: route.url.split('/'), methods: new Set<string>() };
      for (const m of methods) known.methods.add(m.toUpperCase());
      this.patterns.set(route.url, known);
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

  /** The methods the path's routes take; empty when no route has this path. */
  methodsOf(url: string): string[] {
    // A catch-all (the CORS plugin's OPTIONS *) says nothing about this path.
    const specific = this.matching(splitPath(url)).filter((p) => p.segments.join('/') !== '*' && p.segments.join('/') !== '/*');
    const methods = new Set(specific.flatMap((p) => [...p.methods]));
    return [...methods].sort();
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

/** A known path asked with a method its routes lack is a 405 with Allow; anything else a 404 naming the path only when short. */
function unmatchedProblem(table: RouteTable, method: string, url: string): HttpProblem & { allow?: string } {
  const methods = table.methodsOf(url);
  // Node's parser admits only the methods it knows, all short upper-case tokens.
  const said = /^[A-Z-]{1,20}$/.test(method) ? method : 'this method';
  if (methods.length > 0 && !methods.includes(method)) {
    const allow = methods.join(', ');
    return { status: 405, error: 'method_not_allowed', field: 'method', message: `${said} is not allowed here; use ${allow}`, allow };
  }
  const path = quoteIfShort(url.split('?')[0] ?? '');
  return { status: 404, error: 'not_found', field: 'url', message: `no route ${said} ${path ?? '(the path, not repeated: too long or unprintable)'}` };
}

/** The Fastify options that route framework errors through `frameworkProblem`; pass the same table to `useUnmatchedProblems`. */
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

/** Sets the not-found handler: 405 with Allow for a known path, else 404; both name the part at fault. */
export function useUnmatchedProblems(app: FastifyInstance, table: RouteTable): void {
  app.setNotFoundHandler((request, reply) => {
    const { allow, ...problem } = unmatchedProblem(table, request.method, request.raw.url ?? request.url);
    if (allow !== undefined) void reply.header('allow', allow);
    return reply.code(problem.status).send(problemBody(problem));
  });
}
