// Forks the load generators (bench/load/*-worker.ts) as separate Node processes with IPC.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { LoadRequest, LoadResult } from '../load/autocannon-worker.ts';
import type { SteadyMessage, SteadyRequest } from '../load/steady-worker.ts';
import type { StreamLoadRequest, StreamLoadResult } from '../load/stream-worker.ts';
import { ROOT } from './processes.ts';

function forkWorker(file: string): ChildProcess {
  return fork(path.join(ROOT, 'bench', 'load', file), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** One autocannon run (fixed connections, as fast as the server answers) in a child process. */
export function runLoad(req: LoadRequest): Promise<LoadResult> {
  return runOnce('autocannon-worker.ts', req);
}

/** One streaming-benchmark transport run (bench/load/stream-worker.ts) in a child process. */
export function runStreamLoad(req: StreamLoadRequest): Promise<StreamLoadResult> {
  return runOnce('stream-worker.ts', req);
}

/** A worker that takes one request and answers one result. */
function runOnce<Req extends object, Res>(file: string, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    const child = forkWorker(file);
    let settled = false;
    child.once('message', (msg: { ok: true; result: Res } | { ok: false; error: string }) => {
      settled = true;
      if (msg.ok) resolve(msg.result);
      else reject(new Error(`load generator failed: ${msg.error}`));
    });
    child.once('exit', (code) => {
      if (!settled) reject(new Error(`load generator exited with ${code} before reporting`));
    });
    child.send(req as Parameters<ChildProcess['send']>[0]);
  });
}

/** Steady-rate load; `onMessage` sees every ack batch and the final summary. */
export function runSteadyLoad(req: SteadyRequest, onMessage: (msg: SteadyMessage) => void): Promise<Extract<SteadyMessage, { type: 'done' }>> {
  return new Promise((resolve, reject) => {
    const child = forkWorker('steady-worker.ts');
    let settled = false;
    child.on('message', (msg: SteadyMessage) => {
      onMessage(msg);
      if (msg.type === 'done') {
        settled = true;
        resolve(msg);
      } else if (msg.type === 'error') {
        settled = true;
        reject(new Error(`steady load failed: ${msg.error}`));
      }
    });
    child.once('exit', (code) => {
      if (!settled) reject(new Error(`steady load generator exited with ${code} before reporting`));
    });
    child.send(req as Parameters<ChildProcess['send']>[0]);
  });
}
