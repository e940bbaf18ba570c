// The longest value of each text field the collector derives (docs/metrics.md § Per event), read
// from the contract's schema: a text field added to EventEnrichment is checked by every test that
// uses this, with no list to extend.
import { EventEnrichment } from '#contract';

export const ENRICHMENT_TEXT_LIMITS: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(EventEnrichment).flatMap(([field, schema]) => (typeof schema.maxLength === 'number' ? [[field, schema.maxLength]] : [])),
);
