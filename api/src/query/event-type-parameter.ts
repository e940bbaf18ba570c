// An event type as a report names one: the event contract's own rule (contract/limits.ts), so a
// type no event can have ("page view") is a 400 naming the field, not an empty answer.
import { Type } from '@sinclair/typebox';
import { EVENT_TYPE_PATTERN, LIMITS } from '#contract';

/** The title is how a refusal describes the rule (http/problems.ts). */
export const eventTypeSchema = (description: string, example?: string) =>
  Type.String({
    minLength: 1,
    maxLength: LIMITS.eventType,
    pattern: EVENT_TYPE_PATTERN,
    title: 'letters, digits and _ . : - only, as an event type',
    description,
    ...(example !== undefined ? { examples: [example] } : {}),
  });
