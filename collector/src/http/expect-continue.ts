// `Expect: 100-continue`: Node answers "100 Continue" to every such request before any handler
// runs, so a client streaming a large NDJSON file would upload it even when the answer is a 401 or
// a 429 decided from the headers alone. Requests to a deferred route get their 100 Continue from
// the route itself, once it has granted the key and a stream slot; every other request gets it at
// once, as Node would send it.
import type { Server } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** On `server`: 100 Continue is held back for requests `deferred(method, path)` says so of. */
export function deferContinue(server: Server, deferred: (method: string | undefined, path: string) => boolean): void {
  server.on('checkContinue', (req, res) => {
    const path = (req.url ?? '').split('?', 1)[0]!;
    if (!deferred(req.method, path)) res.writeContinue();
    // With a checkContinue listener Node no longer emits 'request' itself.
    server.emit('request', req, res);
  });
}

/** Sends the deferred 100 Continue of a request that asked for one (none otherwise, and never twice). */
export function sendContinue(request: FastifyRequest, reply: FastifyReply): void {
  const expect = request.headers.expect;
  if (typeof expect !== 'string' || expect.toLowerCase() !== '100-continue' || reply.raw.headersSent) return;
  reply.raw.writeContinue();
}
