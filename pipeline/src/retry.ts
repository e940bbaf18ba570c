// Backoff for infrastructure failures: doubling pauses up to a cap, abandoned when the caller
// stops (shutdown, lost partition) so the uncommitted records are replayed later, never skipped.
import { setTimeout as delay } from 'node:timers/promises';
import type { Result } from '../../lib/result.ts';

export interface RetryControl {
  shouldGiveUp(): boolean;
  onFailure(error: Error, attempt: number, delayMs: number): Promise<void> | void;
  maxDelayMs: number;
  initialDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Not done: the caller stopped before an attempt succeeded. */
export type RetryResult<T> = Result<T, { reason: 'given_up' }>;

/** A pause cut short (resolving, not throwing) when `signal` aborts, so retries end at shutdown. */
export const abortableSleep =
  (signal: AbortSignal) =>
  (ms: number): Promise<void> =>
    delay(ms, undefined, { signal }).catch(() => undefined);

export async function retryUntil<T>(fn: () => Promise<T>, control: RetryControl): Promise<RetryResult<T>> {
  const sleep = control.sleep ?? ((ms: number) => delay(ms));
  const givenUp = { ok: false, reason: 'given_up' } as const;
  let wait = control.initialDelayMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    if (control.shouldGiveUp()) return givenUp;
    try {
      return { ok: true, value: await fn() };
    } catch (error) {
      await control.onFailure(error as Error, attempt, wait);
      if (control.shouldGiveUp()) return givenUp;
      await sleep(wait);
      wait = Math.min(wait * 2, control.maxDelayMs);
    }
  }
}
