// Steady load for the end-to-end latency benchmark, in its own process: an open-loop generator
// that sends one new event per request (client event_id and timestamp) at an even pace, and
// reports to the parent over IPC the moment each 2xx arrived, so the parent can time the row's
// appearance. Not autocannon: its rate mode lets every connection send its whole per-second
// quota at the start of each second, i.e. 1,000 events in a burst every second, not 1,000
// events spread over it; bursts would measure queueing behind the burst, not steady latency.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { incomingEvent, prng } from '../lib/events.ts';
import { percentile } from '../lib/stats.ts';

export interface SteadyRequest {
  url: string;
  rate: number;
  seconds: number;
  connections: number;
}

/** [event_id, event timestamp (epoch ms), time the 2xx arrived (epoch ms, sub-ms)]. */
export type Ack = [string, number, number];

export type SteadyMessage =
  | { type: 'started'; at: number }
  | { type: 'acks'; acks: Ack[] }
  | { type: 'done'; sent: number; ok2xx: number; non2xx: number; errors: number; seconds: number; httpP50Ms: number; httpP99Ms: number; maxScheduleLagMs: number }
  | { type: 'error'; error: string };

const nowMs = () => performance.timeOrigin + performance.now();
const TICK_MS = 2;

async function run(req: SteadyRequest): Promise<Extract<SteadyMessage, { type: 'done' }>> {
  const url = new URL(req.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: req.connections });
  const rnd = prng(7);
  const httpLatencies: number[] = [];
  let batch: Ack[] = [];
  let sent = 0;
  let ok2xx = 0;
  let non2xx = 0;
  let errors = 0;
  let inFlight = 0;
  let maxScheduleLagMs = 0;

  const send = (): void => {
    const id = randomUUID();
    const ts = Date.now();
    const body = JSON.stringify({ ...incomingEvent(rnd, sent), event_id: id, timestamp: new Date(ts).toISOString() });
    const started = nowMs();
    sent++;
    inFlight++;
    const request = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => {
          const at = nowMs();
          inFlight--;
          httpLatencies.push(at - started);
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            ok2xx++;
            batch.push([id, ts, at]);
          } else non2xx++;
        });
      },
    );
    request.on('error', () => {
      inFlight--;
      errors++;
    });
    request.end(body);
  };

  // Acks go out every 5 ms in one message: cheap for the worker, prompt for the parent's poller.
  const flush = setInterval(() => {
    if (batch.length === 0) return;
    process.send!({ type: 'acks', acks: batch } satisfies SteadyMessage);
    batch = [];
  }, 5);

  const start = nowMs();
  const end = start + req.seconds * 1000;
  process.send!({ type: 'started', at: start } satisfies SteadyMessage);
  await new Promise<void>((resolve) => {
    // Every tick sends what is due by now: an even pace, catching up after a late timer.
    const tick = setInterval(() => {
      const t = nowMs();
      const due = Math.floor(((Math.min(t, end) - start) / 1000) * req.rate) - sent;
      if (due > 1) maxScheduleLagMs = Math.max(maxScheduleLagMs, ((due - 1) / req.rate) * 1000);
      for (let i = 0; i < due; i++) send();
      if (t >= end) {
        clearInterval(tick);
        resolve();
      }
    }, TICK_MS);
  });
  const deadline = nowMs() + 10_000;
  while (inFlight > 0 && nowMs() < deadline) await new Promise((r) => setTimeout(r, 10));
  clearInterval(flush);
  if (batch.length > 0) process.send!({ type: 'acks', acks: batch } satisfies SteadyMessage);
  agent.destroy();
  return {
    type: 'done',
    sent,
    ok2xx,
    non2xx,
    errors,
    seconds: req.seconds,
    httpP50Ms: percentile(httpLatencies, 50),
    httpP99Ms: percentile(httpLatencies, 99),
    maxScheduleLagMs,
  };
}

process.once('message', (msg: SteadyRequest) => {
  run(msg).then(
    (done) => process.send!(done, () => process.exit(0)),
    (error: unknown) => process.send!({ type: 'error', error: String(error) } satisfies SteadyMessage, () => process.exit(1)),
  );
});
