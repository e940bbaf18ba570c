-- Visits and rollups for the events stored before 012 (docs/metrics.md § Rollups), so an upgraded
-- installation reports its history. Those rows have no visitor_id and no visit_id. Each gets the
-- visitor the pipeline gives records without one (u:user_id, a:anonymous_id, s:session_id,
-- e:event_id; an empty id counts as absent) and, per visitor in time order, the visits the loader would have assigned: a new
-- visit at a gap of 30 minutes or more, or when the visit would reach 24 hours (in time order that
-- is exactly the loader's rule). A backfilled visit's id is md5('visit:project/visitor/event_id')
-- of its first event, as a uuid (the loader's are UUIDv5; PostgreSQL has no SHA-1 without
-- pgcrypto): any unique, stable id serves, as no replay assigns these events again. Their counters
-- go to shard -1 (loaders' shards are Kafka partitions, 0 and up), so they never meet a loader's.
-- Rows that already have a visit are left alone, so running it again changes nothing. One pass
-- over the history in this migration's transaction: a large history makes the first boot slow.

-- Gap sessions by window functions; only the rare session of 24 hours or more (a bot, a kiosk)
-- is cut again, row by row, at the cap.
CREATE TEMP TABLE visit_backfill ON COMMIT DROP AS
WITH ev AS (
  SELECT project_id, event_id, "timestamp" AS ts,
    coalesce(visitor_id, 'u:' || nullif(user_id, ''), 'a:' || nullif(anonymous_id, ''), 's:' || nullif(session_id, ''), 'e:' || event_id::text) AS visitor_id
  FROM analytics_events WHERE visit_id IS NULL
), starts AS (
  SELECT *, CASE WHEN ts - lag(ts) OVER w < interval '30 minutes' THEN 0 ELSE 1 END AS starts
  FROM ev WINDOW w AS (PARTITION BY project_id, visitor_id ORDER BY ts, event_id)
)
SELECT project_id, event_id, ts, visitor_id,
  sum(starts) OVER (PARTITION BY project_id, visitor_id ORDER BY ts, event_id) AS gap_session, 0 AS part
FROM starts;

DO $$
DECLARE
  r record;
  cur record;
  part_start timestamptz;
  n_part integer;
BEGIN
  FOR cur IN
    SELECT project_id, visitor_id, gap_session FROM visit_backfill GROUP BY 1, 2, 3 HAVING max(ts) - min(ts) >= interval '24 hours'
  LOOP
    n_part := 0;
    part_start := NULL;
    FOR r IN
      SELECT event_id, ts FROM visit_backfill
      WHERE project_id = cur.project_id AND visitor_id = cur.visitor_id AND gap_session = cur.gap_session ORDER BY ts, event_id
    LOOP
      IF part_start IS NULL THEN
        part_start := r.ts;
      ELSIF r.ts - part_start >= interval '24 hours' THEN
        n_part := n_part + 1;
        part_start := r.ts;
      END IF;
      UPDATE visit_backfill SET part = n_part WHERE project_id = cur.project_id AND event_id = r.event_id AND ts = r.ts;
    END LOOP;
  END LOOP;
END $$;

UPDATE analytics_events e SET visitor_id = b.visitor_id, visit_id = b.visit_id
FROM (
  SELECT project_id, event_id, ts, visitor_id,
    md5('visit:' || project_id || '/' || visitor_id || '/' || first_value(event_id) OVER (PARTITION BY project_id, visitor_id, gap_session, part ORDER BY ts, event_id))::uuid AS visit_id
  FROM visit_backfill
) b
WHERE e.project_id = b.project_id AND e."timestamp" = b.ts AND e.event_id = b.event_id;

-- The rollups of those events, computed as db/rollup-check.ts recomputes them.
CREATE TEMP TABLE visit_backfill_events ON COMMIT DROP AS
SELECT e.* FROM analytics_events e JOIN (SELECT DISTINCT project_id, event_id, ts FROM visit_backfill) b
  ON e.project_id = b.project_id AND e."timestamp" = b.ts AND e.event_id = b.event_id;

INSERT INTO visits (project_id, visit_id, visitor_id, user_id, visit_start, visit_end, events, pageviews, interactions, engaged_ms,
  entry_event_id, entry_at, entry_path, exit_event_id, exit_at, exit_path,
  referrer_domain, utm_source, utm_medium, utm_campaign, utm_term, utm_content, device_type, browser, os, is_bot)
SELECT a.project_id, a.visit_id, a.visitor_id, n.user_id, a.visit_start, a.visit_end, a.events, a.pageviews, a.interactions, a.engaged_ms,
  n.event_id, n."timestamp", coalesce(n.page_path, '/'), x.event_id, x."timestamp", coalesce(x.page_path, '/'),
  n.referrer_domain, n.utm_source, n.utm_medium, n.utm_campaign, n.utm_term, n.utm_content, n.device_type, n.browser, n.os, a.is_bot
FROM (
  SELECT project_id, visit_id, min(visitor_id) AS visitor_id, min("timestamp") AS visit_start, max("timestamp") AS visit_end, count(*) AS events,
    count(*) FILTER (WHERE event_type = 'page_view') AS pageviews,
    count(*) FILTER (WHERE event_type NOT IN ('page_view', 'page_unload')) AS interactions,
    coalesce(sum(engaged_ms) FILTER (WHERE event_type = 'page_unload'), 0) AS engaged_ms, bool_or(is_bot) AS is_bot
  FROM visit_backfill_events GROUP BY 1, 2
) a
JOIN (SELECT DISTINCT ON (project_id, visit_id) * FROM visit_backfill_events ORDER BY project_id, visit_id, event_type = 'page_view' DESC, "timestamp", event_id) n
  USING (project_id, visit_id)
JOIN (SELECT DISTINCT ON (project_id, visit_id) * FROM visit_backfill_events ORDER BY project_id, visit_id, event_type = 'page_view' DESC, "timestamp" DESC, event_id DESC) x
  USING (project_id, visit_id)
ON CONFLICT (project_id, visit_id) DO NOTHING;

INSERT INTO visitor_first_seen (project_id, visitor_id, first_seen, first_event_id, first_visit_id)
SELECT DISTINCT ON (project_id, visitor_id) project_id, visitor_id, "timestamp", event_id, visit_id
FROM visit_backfill_events ORDER BY project_id, visitor_id, "timestamp", event_id
ON CONFLICT (project_id, visitor_id) DO UPDATE
  SET first_seen = EXCLUDED.first_seen, first_event_id = EXCLUDED.first_event_id, first_visit_id = EXCLUDED.first_visit_id
  WHERE (EXCLUDED.first_seen, EXCLUDED.first_event_id) < (visitor_first_seen.first_seen, visitor_first_seen.first_event_id);

INSERT INTO event_counts_15m (project_id, bucket, event_type, page_path, is_bot, shard, events)
SELECT project_id, date_bin(interval '15 minutes', "timestamp", timestamptz '2000-01-01 00:00:00+00'), event_type, coalesce(page_path, '/'), is_bot, -1, count(*)
FROM visit_backfill_events GROUP BY 1, 2, 3, 4, 5
ON CONFLICT (project_id, bucket, event_type, page_path, is_bot, shard) DO UPDATE SET events = event_counts_15m.events + EXCLUDED.events;
