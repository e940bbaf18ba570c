// Report bodies are read as the collector reads events (lib/http-body/json-body.ts): exactly as
// sent or refused by field (a declared charset honoured, invalid bytes, a compressed body, numbers
// a double cannot hold and keys given twice refused), then refused when any key or string at any
// depth is text PostgreSQL cannot hold or a key that could reach a prototype, so no body can make
// a report or a saved funnel fail with a 500 or be stored altered.
import type { FastifyInstance } from 'fastify';
import { findUnstorableText, textFaultReason, type UnstorableText } from '#contract';
import { BodyError, JSON_BODY_TYPES, readJsonBody } from '../../../lib/http-body/json-body.ts';

/** The largest body accepted, in bytes (Fastify's default); a larger one is a 413 payload_too_large. */
export const API_BODY_LIMIT_BYTES = 1024 * 1024;

/** A body field as the API names it: the JSON Pointer without its leading slash ("steps/0/label"), "body" for the whole body. */
export const bodyField = (pointer: string) => pointer.replace(/^\//, '') || 'body';

const escapeSegment = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** The 400 for an unstorable key or string; a bad key is named by the object holding it, so the answer never repeats the bad text. */
function unstorableTextError(found: UnstorableText): BodyError {
  const at = found.path.map(escapeSegment).join('/');
  if (found.fault === 'forbidden_key') {
    const field = bodyField(`${at}/${found.key!}`);
    return new BodyError(400, 'invalid_parameter', `${field}: key "${found.key!}" is not allowed (it could reach an object prototype; no event can hold it)`, field);
  }
  const what = textFaultReason(found.fault);
  const field = bodyField(at);
  return new BodyError(400, 'invalid_parameter', found.key !== undefined ? `${field}: a key contains ${what}` : `${field}: contains ${what}`, field);
}

export function registerJsonBody(app: FastifyInstance): void {
  app.removeContentTypeParser(JSON_BODY_TYPES);
  app.addContentTypeParser(JSON_BODY_TYPES, { parseAs: 'buffer' }, (request, body, done) => {
    try {
      const value = readJsonBody(body as Buffer, request.headers, 'a JSON object');
      const unstorable = findUnstorableText(value);
      if (unstorable !== undefined) throw unstorableTextError(unstorable);
      done(null, value);
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
