// Backoff for infrastructure failures: doubling pauses up to a cap, abandoned when the caller
// stops (shutdown, lost partition) so the uncommitted records are replayed later, never skipped.
export interface RetryControl {
  shouldGiveUp(): boolean;
  onFailure(error: Error, attempt: number, delayMs: number): Promise<void> | void;
  maxDelayMs: number;
  initialDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export type RetryResult<T> = { done: true; value: T } | { done: false };

export async function retryUntil<T>(fn: () => Promise<T>, control: RetryControl): Promise<RetryResult<T>> {
  const sleep = control.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let delay = control.initialDelayMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    if (control.shouldGiveUp()) return { done: false };
    try {
      return { done: true, value: await fn() };
    } catch (error) {
      await control.onFailure(error as Error, attempt, delay);
      if (control.shouldGiveUp()) return { done: false };
      await sleep(delay);
      delay = Math.min(delay * 2, control.maxDelayMs);
    }
  }
}
