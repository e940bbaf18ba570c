// engaged_ms (docs/metrics.md § Per event): how long a page was visible, from its page_unload.
import { PAGE_UNLOAD } from '#contract';

/** The largest value of the integer column. */
const MAX_ENGAGED_MS = 2_147_483_647;

/**
 * A page_unload's `metadata.time_on_page` (milliseconds the page was visible, measured by the
 * tracker) when it is an integer from 0 to 2^31 − 1; undefined for any other event or value.
 */
export function engagedMs(eventType: string, metadata: unknown): number | undefined {
  if (eventType !== PAGE_UNLOAD || metadata === null || typeof metadata !== 'object') return undefined;
  const value = (metadata as { time_on_page?: unknown }).time_on_page;
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_ENGAGED_MS ? (value as number) : undefined;
}
