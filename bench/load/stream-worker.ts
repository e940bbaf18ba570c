// The streaming benchmark's client, in its own process (never in the measured collector's event
// loop): one transport per run, every event of the prepared files sent once. The parent forks this
// file with IPC, sends one StreamLoadRequest and receives one StreamLoadResult, which includes the
// client's own CPU time (process.cpuUsage) over the timed part.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { SendOutcome } from '../../send/outcome.ts';
import { sendGrpc } from '../../send/send-grpc.ts';
import { sendHttp } from '../../send/send-http.ts';

export interface StreamLoadRequest {
  transport: 'post' | 'ndjson' | 'grpc';
  /** NDJSON files of the events: one per stream; POST sends all of them, 100 lines a request. */
  files: string[];
  url: string;
  grpcAddress: string;
  key: string;
  /** POST requests in flight at once. */
  concurrency: number;
  batchSize: number;
}

export interface StreamLoadResult {
  /** Events the collector acknowledged (its answers' accepted counts). */
  accepted: number;
  rejected: number;
  /** Requests or streams that did not complete. */
  failures: string[];
  seconds: number;
  /** The client's CPU (user + system) over the timed part, µs. */
  clientCpuMicros: number;
}

async function postBatches(req: StreamLoadRequest): Promise<(start: number) => Promise<Omit<StreamLoadResult, 'seconds' | 'clientCpuMicros'>>> {
  // Bodies are made before the clock starts: the generator's JSON work is not the transport's.
  const lines = req.files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l !== ''));
  const bodies: Buffer[] = [];
  for (let i = 0; i < lines.length; i += req.batchSize) bodies.push(Buffer.from(`[${lines.slice(i, i + req.batchSize).join(',')}]`));
  const agent = new http.Agent({ keepAlive: true, maxSockets: req.concurrency });
  const endpoint = new URL('/api/v1/events', req.url);
  return async () => {
    let next = 0;
    let accepted = 0;
    let rejected = 0;
    const failures: string[] = [];
    const one = (body: Buffer) =>
      new Promise<void>((resolve) => {
        const r = http.request(endpoint, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-api-key': req.key, 'content-length': body.length } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const answer = JSON.parse(Buffer.concat(chunks).toString()) as { eventIds?: string[]; accepted?: number; rejected?: number };
            if (res.statusCode === 200) accepted += answer.accepted ?? answer.eventIds?.length ?? 0;
            else failures.push(`HTTP ${res.statusCode}`);
            rejected += answer.rejected ?? 0;
            resolve();
          });
        });
        r.on('error', (e) => {
          failures.push(e.message);
          resolve();
        });
        r.end(body);
      });
    await Promise.all(
      Array.from({ length: req.concurrency }, async () => {
        while (next < bodies.length) await one(bodies[next++]!);
      }),
    );
    agent.destroy();
    return { accepted, rejected, failures };
  };
}

async function streams(req: StreamLoadRequest): Promise<Omit<StreamLoadResult, 'seconds' | 'clientCpuMicros'>> {
  const outcomes: SendOutcome[] = await Promise.all(
    req.files.map((file) =>
      req.transport === 'ndjson' ? sendHttp(file, { url: req.url, key: req.key, gzip: false, fromLine: 1 }) : sendGrpc(file, { address: req.grpcAddress, key: req.key, fromLine: 1 }),
    ),
  );
  let accepted = 0;
  let rejected = 0;
  const failures: string[] = [];
  for (const o of outcomes) {
    if (o.status !== 'refused' && o.summary !== undefined) {
      accepted += o.summary.accepted;
      rejected += o.summary.rejected;
    }
    if (o.status !== 'complete') failures.push(o.reason);
  }
  return { accepted, rejected, failures };
}

async function run(req: StreamLoadRequest): Promise<StreamLoadResult> {
  const send = req.transport === 'post' ? await postBatches(req) : () => streams(req);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const counts = await send(0);
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { ...counts, seconds, clientCpuMicros: used.user + used.system };
}

process.once('message', (msg: StreamLoadRequest) => {
  run(msg).then(
    (result) => process.send!({ ok: true, result }, () => process.exit(0)),
    (error: unknown) => process.send!({ ok: false, error: String(error) }, () => process.exit(1)),
  );
});
