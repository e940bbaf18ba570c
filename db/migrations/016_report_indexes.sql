-- The query API's `meta.bots.excluded_events` sums the bot rows of the 15-minute counters of a
-- range on every answer. Bot rows are a few per cent of the counters: a partial index that holds
-- them with their counts lets that sum read only them (an index-only scan; 140 → 20–35 ms for 30
-- days of 10M events, bench/HISTORY.md § 12) and costs the loader only on bot counter rows.
CREATE INDEX IF NOT EXISTS event_counts_15m_bots_idx ON event_counts_15m (project_id, bucket) INCLUDE (events) WHERE is_bot;
