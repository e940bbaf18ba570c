// Report bodies are read as the collector reads events (lib/http-body/json-body.ts): exactly as
// sent or refused by field (a declared charset honoured, invalid bytes, a compressed body, numbers
// a double cannot hold and keys given twice refused), then refused when any key or string at any
// depth is text PostgreSQL cannot hold or a key that could reach a prototype, so no body can make
// a report or a saved funnel fail with a 500 or be stored altered.
import type { FastifyInstance } from 'fastify';
import { storedTextField, storedTextMessage, storedTextProblems, type StoredTextProblem, type StoredTextRules } from '#contract';
import { BodyError, JSON_BODY_TYPES, readJsonBody } from '../../../lib/http-body/json-body.ts';

/** The largest body accepted, in bytes (Fastify's default); a larger one is a 413 payload_too_large. */
export const API_BODY_LIMIT_BYTES = 1024 * 1024;

/** A body field as the API names it: the JSON Pointer without its leading slash ("steps/0/label"), "body" for the whole body. */
export const bodyField = (pointer: string) => pointer.replace(/^\//, '') || 'body';

// The first problem only, at any depth: a body has no depth or key limits of its own (its schema
// bounds its shape); prototype keys and unstorable text are refused wherever they are.
const BODY_TEXT: StoredTextRules = { maxProblems: 1 };

/**
 * An unstorable key or string as a field fault of the body, like a key given twice: a
 * `validation_failed` BodyError whose `field` is the JSON Pointer of the string or of the key
 * itself (storedTextField) and whose message is the reason alone. Each host words it its way:
 * the reports as invalid_parameter (problems.ts), the tenancy routes as invalid_field
 * (tenancy/http-errors.ts), so a route answers alike whichever service hosts it.
 */
function unstorableTextError(found: StoredTextProblem): BodyError {
  return new BodyError(400, 'validation_failed', storedTextMessage(found, BODY_TEXT), storedTextField(found) || '/');
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
