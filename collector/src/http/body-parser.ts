// Event bodies are JSON, sent as application/json or as text/plain (the CORS-simple type that
// navigator.sendBeacon and no-preflight fetch use); any other type is a 415 from Fastify. Each is
// read exactly as sent or refused by field (lib/http-body/json-body.ts).
import type { FastifyInstance } from 'fastify';
import { JSON_BODY_TYPES, readJsonBody } from '../../../lib/http-body/json-body.ts';

export function registerBodyParsers(app: FastifyInstance, bodyLimit: number): void {
  app.removeContentTypeParser(JSON_BODY_TYPES);
  app.addContentTypeParser(JSON_BODY_TYPES, { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    try {
      done(null, readJsonBody(body as Buffer, request.headers, 'a JSON event or array of events'));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
