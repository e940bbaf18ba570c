// The load generator, in its own process so it never shares an event loop with what it measures.
// The parent forks this file with IPC, sends one LoadRequest and receives one LoadResult.
import autocannon from 'autocannon';

export interface LoadRequest {
  url: string;
  body: string;
  connections: number;
  seconds: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  seconds: number;
}

async function runLoad(req: LoadRequest): Promise<LoadResult> {
  const r = await autocannon({
    url: req.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: req.body,
    connections: req.connections,
    duration: req.seconds,
  });
  return {
    // 2xx only: an error answer is not throughput.
    requestsPerSecond: r['2xx'] / r.duration,
    ok2xx: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    latencyMaxMs: r.latency.max,
    seconds: r.duration,
  };
}

process.once('message', (msg: LoadRequest) => {
  runLoad(msg).then(
    (result) => process.send!({ ok: true, result }, () => process.exit(0)),
    (error: unknown) => process.send!({ ok: false, error: String(error) }, () => process.exit(1)),
  );
});
