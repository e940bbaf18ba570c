// Bounds a promise in time: kafkajs retries can otherwise keep a call pending for long.
import { once } from 'node:events';

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  // Settling first removes the listener, so a finished call leaves nothing waiting on the timer.
  const settled = new AbortController();
  const timeout = once(AbortSignal.timeout(ms), 'abort', { signal: settled.signal }).then(() => {
    throw new TimeoutError(`${what} timed out after ${ms} ms`);
  });
  return Promise.race([promise, timeout]).finally(() => settled.abort());
}
