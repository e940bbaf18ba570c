// Bounds a promise in time: the client's retries can otherwise keep a call pending for long.
// A plain timer, cleared when the call settles: every produce call passes here, and an
// AbortSignal.timeout per call made two DOMExceptions (each capturing a stack) and left its timer
// running for the whole timeout after the call was answered (bench/HISTORY.md § 27).

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} timed out after ${ms} ms`)), ms);
    // As AbortSignal.timeout's: a pending call alone does not keep the process running.
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
