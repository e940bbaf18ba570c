// Ops HTTP on the port operators know from Bento: /ping (alive), /ready (Kafka and database both
// connected, else 503) and /metrics (Prometheus).
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { ReadinessState } from './readiness.ts';

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

export async function startOpsServer(host: string, port: number, readiness: () => ReadinessState, registry: Registry): Promise<OpsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/ping') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('pong');
    } else if (path === '/ready') {
      const state = readiness();
      const ok = state.kafka && state.database;
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ready: ok, ...state }));
    } else if (path === '/metrics') {
      registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  // once() rejects on 'error' (port taken), so a failed listen throws here.
  await once(server.listen(port, host), 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      server.closeAllConnections();
      await once(server.close(), 'close');
    },
  };
}
