-- Plain PostgreSQL: one table. Time-range panels use the unique key, whose leading column is
-- "timestamp" (001); retention is a periodic DELETE run by the pipeline (PIPELINE_RETENTION_DAYS).
SELECT 1;
