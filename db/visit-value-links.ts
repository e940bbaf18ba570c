// The per-dimension previous-visit links of migration 022, once: for each visit dimension of the
// query API's breakdowns, the visits column it groups by and the column holding each visit's
// previous non-bot visit start of the same visitor with the same value (NULL on bot visits). The
// loader (pipeline/src/adapters/value-links-sql.ts), the check (db/rollup-check.ts) and the
// breakdown SQL (api/src/query/breakdown-sql.ts) read this table instead of each naming columns.
export const VISIT_VALUE_LINKS = {
  entry_page: { value: 'entry_path', link: 'previous_entry_page_visit_start' },
  exit_page: { value: 'exit_path', link: 'previous_exit_page_visit_start' },
  referrer: { value: 'referrer_domain', link: 'previous_referrer_visit_start' },
  utm_source: { value: 'utm_source', link: 'previous_utm_source_visit_start' },
  utm_medium: { value: 'utm_medium', link: 'previous_utm_medium_visit_start' },
  utm_campaign: { value: 'utm_campaign', link: 'previous_utm_campaign_visit_start' },
  browser: { value: 'browser', link: 'previous_browser_visit_start' },
  os: { value: 'os', link: 'previous_os_visit_start' },
  device: { value: 'device_type', link: 'previous_device_visit_start' },
} as const;

export type LinkedDimension = keyof typeof VISIT_VALUE_LINKS;
export const LINKED_DIMENSIONS = Object.keys(VISIT_VALUE_LINKS) as LinkedDimension[];

/**
 * The links of `visits` rows aliased `alias` as recomputed from scratch, one SQL expression per
 * dimension (window functions over the rows in scope: all of each visitor's visits must be).
 */
export const recomputedLink = (d: LinkedDimension, alias = ''): string =>
  `CASE WHEN ${alias}is_bot THEN NULL ELSE lag(${alias}visit_start) OVER (PARTITION BY ${alias}project_id, ${alias}visitor_id, ${alias}is_bot, ${alias}${VISIT_VALUE_LINKS[d].value} ORDER BY ${alias}visit_start, ${alias}visit_id) END`;
