// An event type as a report names one: the event contract's own rule (contract/event-schema.ts),
// so a type no event can have ("page view") is a 400 naming the field, not an empty answer.
import { eventTypeString } from '#contract';

/** The title is how a refusal describes the rule (http/problems.ts). */
export const eventTypeSchema = (description: string, example?: string) =>
  eventTypeString({ title: 'letters, digits and _ . : - only, as an event type', description, ...(example !== undefined ? { examples: [example] } : {}) });
