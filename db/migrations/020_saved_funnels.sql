-- Saved funnels (POST/GET /api/v1/projects/{project}/saved-funnels): a project's named funnel
-- definitions, read back with their analytics for any range. `definition` is the funnel as
-- POST /funnels takes it without the range (steps, order, unit, window, breakdown, filters),
-- validated by the API before it is stored. The API writes with its tenancy login (the table's
-- owner) and reads with the read-only one; names are unique per project.
CREATE TABLE IF NOT EXISTS saved_funnels (
  project_id uuid        NOT NULL,
  funnel_id  uuid        NOT NULL DEFAULT gen_random_uuid(),
  name       text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  definition jsonb       NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, funnel_id),
  UNIQUE (project_id, name)
);
GRANT SELECT ON saved_funnels TO analytics_reader;
