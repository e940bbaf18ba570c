-- Puts the visits back in start order after 018 rewrote every row. The loader writes visits
-- roughly in time order, so a range of visit_start is a few runs of heap pages; 018's backfill
-- UPDATE wrote the new row versions in visitor order instead, which spreads each range over the
-- whole table: the index-only visitor count (018) then checks the visibility map page by page at
-- random (1.5M buffer reads for a 30-day range of 2.3M visits, ~320 ms). CLUSTER rewrites the
-- table once in (project_id, visit_start) order and drops the dead half the UPDATE left. On an
-- empty or new installation it is instant; it holds an exclusive lock on visits while it runs.
CLUSTER visits USING visits_project_start_idx;
ANALYZE visits;
