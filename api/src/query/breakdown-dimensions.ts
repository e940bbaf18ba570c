// The dimensions GET /breakdown groups by (docs/metrics.md § Breakdowns): visit dimensions group
// the counted visits by a column of `visits`, event dimensions the counted events by a column of
// `analytics_events`. Each names the metric its rows are ordered by. Pure.
import { Type } from '@sinclair/typebox';

const VISIT_DIMENSIONS = ['entry_page', 'exit_page', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'browser', 'os', 'device'] as const;
type VisitDimension = (typeof VISIT_DIMENSIONS)[number];
export type Dimension = VisitDimension | 'page' | 'event_type' | 'button_id';
/** Every dimension, in the order /docs lists them. */
const DIMENSIONS: readonly Dimension[] = ['page', ...VISIT_DIMENSIONS, 'event_type', 'button_id'];

export const DimensionSchema = Type.Unsafe<Dimension>({
  type: 'string',
  enum: [...DIMENSIONS],
  description:
    'What to group by. Visit dimensions (entry_page, exit_page, referrer, utm_source, utm_medium, utm_campaign, browser, os, device) group the counted visits by their entry event\'s value; event dimensions (page, event_type, button_id) group the counted events.',
  examples: ['page'],
});

export interface DimensionSpec {
  kind: 'visit' | 'event';
  /** The grouped value as SQL on `visits v` or `analytics_events e`. */
  column: string;
  /** The metric rows are ordered by (descending), before the value (ascending, nulls last). */
  orderBy: 'visitors' | 'events' | 'pageviews';
  /** An extra condition on the rows grouped ('' when none). */
  only: string;
}

const visit = (column: string): DimensionSpec => ({ kind: 'visit', column: `v.${column}`, orderBy: 'visitors', only: '' });

export const DIMENSION_SPECS: Record<Dimension, DimensionSpec> = {
  entry_page: visit('entry_path'),
  exit_page: visit('exit_path'),
  referrer: visit('referrer_domain'),
  utm_source: visit('utm_source'),
  utm_medium: visit('utm_medium'),
  utm_campaign: visit('utm_campaign'),
  browser: visit('browser'),
  os: visit('os'),
  device: visit('device_type'),
  // An event without a page_path counts as / here as in the `page` filter and the counters, so a
  // row's value can be used as the filter.
  page: { kind: 'event', column: "coalesce(e.page_path, '/')", orderBy: 'pageviews', only: '' },
  event_type: { kind: 'event', column: 'e.event_type', orderBy: 'events', only: '' },
  // Only events that carry a button id (clicks); an empty id was sent as such and is a value.
  button_id: { kind: 'event', column: 'e.button_id', orderBy: 'events', only: ' AND e.button_id IS NOT NULL' },
};

export const isVisitDimension = (d: Dimension): d is VisitDimension => DIMENSION_SPECS[d].kind === 'visit';
