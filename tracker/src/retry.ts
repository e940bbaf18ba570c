// What a response means for a batch, and how long to wait before trying again.

export type Outcome = 'sent' | 'retry' | 'dropped';

/** Status 0 stands for a network error (collector down, offline, CORS failure). */
export function outcomeOf(status: number): Outcome {
  // Other 4xx mean the batch itself is wrong: sending it again cannot succeed.
  return status > 199 && status < 300 ? 'sent' : !status || status == 429 || status > 499 ? 'retry' : 'dropped';
}

export const MAX_RETRY_DELAY_MS = 60_000;

/**
 * Exponential backoff from 1 s with jitter (half to full delay, so tabs that failed together do
 * not retry together), capped at a minute; a Retry-After header in seconds wins.
 */
export function retryDelay(attempt: number, retryAfter: string | null, random: number): number {
  const seconds = Number(retryAfter);
  return Math.min(MAX_RETRY_DELAY_MS, retryAfter && seconds >= 0 ? seconds * 1000 : 1000 * 2 ** attempt * (0.5 + random / 2));
}
