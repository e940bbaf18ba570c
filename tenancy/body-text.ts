// Tenancy bodies hold no text a stored value cannot: a NUL would fail the INSERT (a 500) and a
// lone surrogate would be stored replaced. Refused here with the contract's walk, so the routes
// refuse it whichever service hosts them (the query API's body reader already does; the
// collector's reads events, whose validation walks them itself).
import type { FastifyInstance } from 'fastify';
import { storedTextMessage, storedTextProblems, type StoredTextRules } from '#contract';
import { sendProblem } from './http-errors.ts';

const BODY_TEXT: StoredTextRules = { maxProblems: 1 };

/**
 * A 400 invalid_field for the first NUL, lone surrogate or prototype key in a route's JSON body,
 * before its schema is checked. A bad key is named by the object holding it (the answer never
 * repeats the bad text); a prototype key by its own pointer.
 */
export function refuseUnstorableText(app: FastifyInstance): void {
  app.addHook('preValidation', async (request, reply) => {
    const found = storedTextProblems(request.body, BODY_TEXT)?.[0];
    if (found === undefined) return;
    const at = found.fault === 'forbidden_key' ? `${found.at}/${found.key!}` : found.at;
    return sendProblem(reply, { status: 400, error: 'invalid_field', field: at || '/', message: `body${at} ${storedTextMessage(found, BODY_TEXT)}` });
  });
}
