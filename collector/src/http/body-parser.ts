// Bodies are JSON, sent as application/json or as text/plain (the CORS-simple type that
// navigator.sendBeacon and no-preflight fetch use). Any other type is a 415 from Fastify.
import type { FastifyInstance } from 'fastify';

export class BodyError extends Error {
  override name = 'BodyError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function parseJsonBody(text: string): unknown {
  if (text.trim().length === 0) throw new BodyError(400, 'invalid_json', 'body is empty; expected a JSON event or array of events');
  try {
    // Plain JSON.parse makes "__proto__" an ordinary own key (never a prototype); the contract's
    // validation then rejects it by field name instead of a bare parser error.
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BodyError(400, 'invalid_json', `body is not valid JSON: ${(error as Error).message}`);
  }
}

export function registerBodyParsers(app: FastifyInstance, bodyLimit: number): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
