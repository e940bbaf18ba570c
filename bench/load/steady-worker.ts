// Steady load for the end-to-end latency benchmark, in its own process: autocannon at a fixed
// overall rate, one new event per request (client event_id and timestamp), reporting to the
// parent over IPC the moment each 2xx arrived, so the parent can time the row's appearance.
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { incomingEvent, prng } from '../lib/events.ts';

export interface SteadyRequest {
  url: string;
  rate: number;
  seconds: number;
  connections: number;
}

/** [event_id, event timestamp (epoch ms), time the 2xx arrived (epoch ms, sub-ms)]. */
export type Ack = [string, number, number];

export type SteadyMessage =
  | { type: 'acks'; acks: Ack[] }
  | { type: 'done'; sent: number; ok2xx: number; non2xx: number; errors: number; seconds: number; httpP50Ms: number; httpP99Ms: number }
  | { type: 'error'; error: string };

const nowMs = () => performance.timeOrigin + performance.now();

function run(req: SteadyRequest): void {
  const rnd = prng(7);
  const pending = new Map<string, number>();
  let batch: Ack[] = [];
  let i = 0;
  // Acks go out every 5 ms in one message: cheap for the worker, prompt for the parent's poller.
  const flush = setInterval(() => {
    if (batch.length === 0) return;
    process.send!({ type: 'acks', acks: batch } satisfies SteadyMessage);
    batch = [];
  }, 5);
  const instance = autocannon(
    {
      url: req.url,
      connections: req.connections,
      overallRate: req.rate,
      duration: req.seconds,
      headers: { 'content-type': 'application/json' },
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            const id = randomUUID();
            const ts = Date.now();
            pending.set(id, ts);
            const event = { ...incomingEvent(rnd, i++), event_id: id, timestamp: new Date(ts).toISOString() };
            return { ...request, body: JSON.stringify(event) };
          },
          onResponse: (status, body) => {
            const at = nowMs();
            if (status < 200 || status >= 300) return;
            const id = (JSON.parse(body) as { eventId?: string }).eventId;
            const ts = id === undefined ? undefined : pending.get(id);
            if (id === undefined || ts === undefined) return;
            pending.delete(id);
            batch.push([id, ts, at]);
          },
        },
      ],
    },
    (error, result) => {
      clearInterval(flush);
      if (batch.length > 0) process.send!({ type: 'acks', acks: batch } satisfies SteadyMessage);
      const msg: SteadyMessage = error
        ? { type: 'error', error: String(error) }
        : {
            type: 'done',
            sent: result.requests.sent,
            ok2xx: result['2xx'],
            non2xx: result.non2xx,
            errors: result.errors,
            seconds: result.duration,
            httpP50Ms: result.latency.p50,
            httpP99Ms: result.latency.p99,
          };
      process.send!(msg, () => process.exit(error ? 1 : 0));
    },
  );
  process.once('SIGTERM', () => instance.stop());
}

process.once('message', (msg: SteadyRequest) => run(msg));
