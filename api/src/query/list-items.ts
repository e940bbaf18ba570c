// What the list routes answer per row: an event and a visit as stored (timestamps as ISO 8601 UTC
// with microseconds, as isoUtc writes them), as TypeBox schemas (the routes' response schemas and
// /docs) and the types the SQL builders' rows have.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const text = (description?: string) => nullable(Type.String(description === undefined ? {} : { description }));
const instant = (description: string) => Type.String({ description: `${description} ISO 8601 UTC with microseconds, exactly as stored (2026-11-30T10:00:00.123456Z).` });

export const EventItemSchema = Type.Object({
  event_id: Type.String({ format: 'uuid' }),
  event_type: Type.String(),
  timestamp: instant('When the event happened.'),
  received_at: instant('When the collector received it.'),
  session_id: text(),
  user_id: text(),
  visitor_id: text(),
  visit_id: nullable(Type.String({ format: 'uuid' })),
  page_url: Type.String(),
  page_path: text(),
  page_title: text(),
  button_id: text(),
  referrer: text(),
  referrer_domain: text(),
  utm_source: text(),
  utm_medium: text(),
  utm_campaign: text(),
  utm_term: text(),
  utm_content: text(),
  browser: text(),
  os: text(),
  device_type: text(),
  screen_width: nullable(Type.Integer({ description: 'CSS pixels.' })),
  is_bot: Type.Boolean(),
  engaged_ms: nullable(Type.Integer({ description: 'Milliseconds the page was visible (page_unload only).' })),
  metadata: Type.Record(Type.String(), Type.Unknown(), { description: 'The JSON object stored with the event, as stored.' }),
});

export const VisitItemSchema = Type.Object({
  visit_id: Type.String({ format: 'uuid' }),
  visitor_id: Type.String(),
  user_id: text(),
  visit_start: instant('First event.'),
  visit_end: instant('Last event.'),
  duration_ms: Type.Integer({ description: 'visit_end − visit_start in milliseconds.' }),
  events: Type.Integer(),
  pageviews: Type.Integer(),
  interactions: Type.Integer({ description: 'Events other than page_view and page_unload.' }),
  engaged_ms: Type.Integer({ description: 'Sum of the page_unload engaged_ms.' }),
  bounced: Type.Boolean({ description: 'One page view, no interaction, under 10 s engaged (docs/metrics.md).' }),
  entry_path: Type.String(),
  entry_at: instant('The entry event.'),
  exit_path: Type.String(),
  exit_at: instant('The exit event.'),
  referrer_domain: text('Of the entry event.'),
  utm_source: text(),
  utm_medium: text(),
  utm_campaign: text(),
  utm_term: text(),
  utm_content: text(),
  device_type: text(),
  browser: text(),
  os: text(),
  is_bot: Type.Boolean(),
});

export type EventItem = Static<typeof EventItemSchema>;
export type VisitItem = Static<typeof VisitItemSchema>;
