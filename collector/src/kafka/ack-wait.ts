// How long a request may wait for its ack. A stalled broker must turn into a 503 within about
// `stallMs`, but a busy, healthy one (acks still arriving, just a long queue) must not: while
// some produce call succeeded within the last `stallMs`, waiting continues up to `maxMs`.
// A stalled broker is thus answered after stallMs to 2 × stallMs.
import { TimeoutError } from './with-timeout.ts';

export interface AckWaitOptions {
  stallMs: number;
  maxMs: number;
  /** Time (ms since epoch) of the latest successful produce call. */
  lastProgress: () => number;
  now?: () => number;
}

export function waitForAck<T>(promise: Promise<T>, options: AckWaitOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const started = now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    const check = () => {
      const t = now();
      const progressing = t - options.lastProgress() < options.stallMs;
      if (t - started >= options.maxMs || !progressing) {
        reject(new TimeoutError(`no ack within ${t - started} ms`));
        return;
      }
      timer = setTimeout(check, Math.min(50, options.stallMs));
    };
    timer = setTimeout(check, options.stallMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
