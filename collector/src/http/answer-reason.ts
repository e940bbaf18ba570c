// What an error answer's body says about why: its `error` code and `message`
// (`errorBody` in responses.ts), for the log line of a 5xx.

/**
 * `{ error, message }` of a serialized error body, each only when it is a string; `{}` for
 * anything else (not JSON, a stream, an answer without them). Never throws: it runs on the way out.
 */
export function answerReason(payload: unknown): { error?: string; message?: string } {
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
  if (text === undefined) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof body !== 'object' || body === null) return {};
  const { error, message } = body as Record<string, unknown>;
  return { ...(typeof error === 'string' ? { error } : {}), ...(typeof message === 'string' ? { message } : {}) };
}
