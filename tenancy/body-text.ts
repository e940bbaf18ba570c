// Tenancy bodies hold no text a stored value cannot: a NUL would fail the INSERT (a 500) and a
// lone surrogate would be stored replaced. The query API's body reader refuses such text before
// any route sees it (api/src/http/json-body.ts, answered by http-errors.ts); the collector's reads
// events, whose validation walks them itself, so these routes walk their bodies here. Both give
// the same answer: the contract's field (a bad key named by its own pointer) and reason.
import type { FastifyInstance } from 'fastify';
import { storedTextField, storedTextMessage, storedTextProblems, type StoredTextRules } from '#contract';
import { fieldProblem } from './field-problem.ts';
import { sendProblem } from './http-errors.ts';

const BODY_TEXT: StoredTextRules = { maxProblems: 1 };

/**
 * A 400 invalid_field for the first NUL, lone surrogate or prototype key in a route's JSON body,
 * before its schema is checked: field the JSON Pointer of the string or of the key itself,
 * message "<field>: <reason>".
 */
export function refuseUnstorableText(app: FastifyInstance): void {
  app.addHook('preValidation', async (request, reply) => {
    const found = storedTextProblems(request.body, BODY_TEXT)?.[0];
    if (found === undefined) return;
    return sendProblem(reply, fieldProblem(storedTextField(found) || '/', storedTextMessage(found, BODY_TEXT)));
  });
}
