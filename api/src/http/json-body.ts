// Report bodies are read as the collector reads events (lib/http-body/json-body.ts): exactly as
// sent or refused by field (a declared charset honoured, invalid bytes, a compressed body, numbers
// a double cannot hold and keys given twice refused), then refused when any key or string at any
// depth is text PostgreSQL cannot hold or a key that could reach a prototype, so no body can make
// a report or a saved funnel fail with a 500 or be stored altered.
import type { FastifyInstance } from 'fastify';
import { storedTextMessage, storedTextProblems, type StoredTextProblem, type StoredTextRules } from '#contract';
import { BodyError, JSON_BODY_TYPES, readJsonBody } from '../../../lib/http-body/json-body.ts';

/** The largest body accepted, in bytes (Fastify's default); a larger one is a 413 payload_too_large. */
export const API_BODY_LIMIT_BYTES = 1024 * 1024;

/** A body field as the API names it: the JSON Pointer without its leading slash ("steps/0/label"), "body" for the whole body. */
export const bodyField = (pointer: string) => pointer.replace(/^\//, '') || 'body';

// The first problem only, at any depth: a body has no depth or key limits of its own (its schema
// bounds its shape); prototype keys and unstorable text are refused wherever they are.
const BODY_TEXT: StoredTextRules = { maxProblems: 1 };

/** The 400 for an unstorable key or string; a bad key is named by the object holding it, so the answer never repeats the bad text. */
function unstorableTextError(found: StoredTextProblem): BodyError {
  // A prototype key is named itself: the name is the fault, and harmless to repeat.
  const field = bodyField(found.fault === 'forbidden_key' ? `${found.at}/${found.key!}` : found.at);
  return new BodyError(400, 'invalid_parameter', `${field}: ${storedTextMessage(found, BODY_TEXT)}`, field);
}

export function registerJsonBody(app: FastifyInstance): void {
  app.removeContentTypeParser(JSON_BODY_TYPES);
  app.addContentTypeParser(JSON_BODY_TYPES, { parseAs: 'buffer' }, (request, body, done) => {
    try {
      const value = readJsonBody(body as Buffer, request.headers, 'a JSON object');
      const unstorable = storedTextProblems(value, BODY_TEXT);
      if (unstorable !== undefined) throw unstorableTextError(unstorable[0]!);
      done(null, value);
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
