// Whether a failed send is worth repeating, and when.
import { MAX_RETRY_DELAY_MS } from './settings.ts';

/**
 * Network errors (status 0: collector down, offline, CORS failure), 429 and 5xx are retried.
 * Other answers end the batch: 2xx delivered it, other 4xx mean the batch itself is wrong and
 * sending it again cannot succeed.
 */
export const shouldRetry = (status: number): boolean => !status || status == 429 || status > 499;

/**
 * Exponential backoff from 1 s with jitter (half to full delay, so tabs that failed together do
 * not retry together), capped at a minute; a positive Retry-After in seconds wins.
 */
export function retryDelay(attempt: number, retryAfter: string | null | undefined, random: number): number {
  // Compared as a number: "abc", "", null and negatives are not > 0.
  const seconds = retryAfter as unknown as number;
  return Math.min(MAX_RETRY_DELAY_MS, seconds > 0 ? seconds * 1000 : 1000 * 2 ** attempt * (0.5 + random / 2));
}
