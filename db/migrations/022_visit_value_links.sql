-- Distinct visitors per value of a visit dimension without a hash of visitor ids (the visit
-- breakdowns of the query API; docs/metrics.md § Which rows serve a report): like 018's
-- previous_human_visit_start, but per dimension, each visit's previous non-bot visit of the same
-- visitor WITH THE SAME VALUE of that dimension (NULL values are one value, as GROUP BY groups
-- them), order (visit_start, visit_id); NULL on bot visits, which such reports do not read. A
-- visitor then counts for a value once in a range: in the visit whose link started before the
-- range or is NULL. Kept by the loader in the events' transaction
-- (pipeline/src/adapters/value-links-sql.ts), checked by db/rollup-check.ts, filled here.
ALTER TABLE visits
  ADD COLUMN IF NOT EXISTS previous_entry_page_visit_start timestamptz,
  ADD COLUMN IF NOT EXISTS previous_exit_page_visit_start timestamptz,
  ADD COLUMN IF NOT EXISTS previous_referrer_visit_start timestamptz,
  ADD COLUMN IF NOT EXISTS previous_utm_source_visit_start timestamptz,
  ADD COLUMN IF NOT EXISTS previous_utm_medium_visit_start timestamptz,
  ADD COLUMN IF NOT EXISTS previous_utm_campaign_visit_start timestamptz,
  ADD COLUMN IF NOT EXISTS previous_browser_visit_start timestamptz,
  ADD COLUMN IF NOT EXISTS previous_os_visit_start timestamptz,
  ADD COLUMN IF NOT EXISTS previous_device_visit_start timestamptz;

-- One pass; only rows whose links differ are written, so running it again changes nothing.
UPDATE visits v
   SET previous_entry_page_visit_start = p.entry_page, previous_exit_page_visit_start = p.exit_page,
       previous_referrer_visit_start = p.referrer, previous_utm_source_visit_start = p.utm_source,
       previous_utm_medium_visit_start = p.utm_medium, previous_utm_campaign_visit_start = p.utm_campaign,
       previous_browser_visit_start = p.browser, previous_os_visit_start = p.os, previous_device_visit_start = p.device
  FROM (
    SELECT project_id, visit_id,
      lag(visit_start) OVER (PARTITION BY project_id, visitor_id, entry_path ORDER BY visit_start, visit_id) AS entry_page,
      lag(visit_start) OVER (PARTITION BY project_id, visitor_id, exit_path ORDER BY visit_start, visit_id) AS exit_page,
      lag(visit_start) OVER (PARTITION BY project_id, visitor_id, referrer_domain ORDER BY visit_start, visit_id) AS referrer,
      lag(visit_start) OVER (PARTITION BY project_id, visitor_id, utm_source ORDER BY visit_start, visit_id) AS utm_source,
      lag(visit_start) OVER (PARTITION BY project_id, visitor_id, utm_medium ORDER BY visit_start, visit_id) AS utm_medium,
      lag(visit_start) OVER (PARTITION BY project_id, visitor_id, utm_campaign ORDER BY visit_start, visit_id) AS utm_campaign,
      lag(visit_start) OVER (PARTITION BY project_id, visitor_id, browser ORDER BY visit_start, visit_id) AS browser,
      lag(visit_start) OVER (PARTITION BY project_id, visitor_id, os ORDER BY visit_start, visit_id) AS os,
      lag(visit_start) OVER (PARTITION BY project_id, visitor_id, device_type ORDER BY visit_start, visit_id) AS device
      FROM visits WHERE NOT is_bot
  ) p
 WHERE v.project_id = p.project_id AND v.visit_id = p.visit_id
   AND (v.previous_entry_page_visit_start, v.previous_exit_page_visit_start, v.previous_referrer_visit_start, v.previous_utm_source_visit_start,
        v.previous_utm_medium_visit_start, v.previous_utm_campaign_visit_start, v.previous_browser_visit_start, v.previous_os_visit_start,
        v.previous_device_visit_start)
       IS DISTINCT FROM (p.entry_page, p.exit_page, p.referrer, p.utm_source, p.utm_medium, p.utm_campaign, p.browser, p.os, p.device);

-- The UPDATE wrote new row versions in visitor order; as 019, put the visits back in start order
-- (a range of visit_start is then a few runs of heap pages) and drop the dead versions.
CLUSTER visits USING visits_project_start_idx;
ANALYZE visits;
