-- Names kept unique compare as Unicode NFC, so "Checkout ü" (U+00FC) and "Checkout u" + U+0308
-- (the same text, decomposed) are one name; each is still stored exactly as sent. normalize() is
-- IMMUTABLE (PostgreSQL 13+) and needs a UTF-8 database, which every database of this project is.
-- Organization and project names are ASCII by their CHECK (009), where NFC changes nothing; key
-- names are not unique.

-- Saved funnels: names stored before this that collide under NFC keep the oldest one as it is; each
-- later one gets " (duplicate <first 8 of its id>)" so the index can be built and every funnel is
-- kept (its owner can rename it); a NOTICE counts them.
DO $$
DECLARE renamed integer;
BEGIN
  WITH ranked AS (
    SELECT project_id, funnel_id,
           row_number() OVER (PARTITION BY project_id, normalize(name, NFC) ORDER BY created_at, funnel_id) AS n
    FROM saved_funnels
  )
  UPDATE saved_funnels s
     SET name = left(s.name, 180) || ' (duplicate ' || left(s.funnel_id::text, 8) || ')'
    FROM ranked r
   WHERE r.project_id = s.project_id AND r.funnel_id = s.funnel_id AND r.n > 1;
  GET DIAGNOSTICS renamed = ROW_COUNT;
  IF renamed > 0 THEN
    RAISE NOTICE '028: % saved funnel name(s) equal to an older one under NFC renamed with a "(duplicate …)" suffix', renamed;
  END IF;
END $$;

ALTER TABLE saved_funnels DROP CONSTRAINT IF EXISTS saved_funnels_project_id_name_key;
CREATE UNIQUE INDEX IF NOT EXISTS saved_funnels_project_name_nfc ON saved_funnels (project_id, normalize(name, NFC));

-- Users' emails (the sign-in name): unique whatever the case and the normal form. Two stored
-- accounts whose emails are equal under NFC and case cannot be merged or renamed by a migration
-- (each is someone's sign-in): the migration stops naming them, for an operator to resolve.
DO $$
DECLARE clash text;
BEGIN
  SELECT string_agg(ids, '; ') INTO clash FROM (
    SELECT string_agg(id::text, ', ' ORDER BY created_at) AS ids
    FROM users GROUP BY lower(normalize(email, NFC)) HAVING count(*) > 1
  ) c;
  IF clash IS NOT NULL THEN
    RAISE EXCEPTION '028: users with the same email under NFC and case: %; change or delete all but one, then migrate again', clash;
  END IF;
END $$;

CREATE UNIQUE INDEX IF NOT EXISTS users_email_nfc_unique ON users (lower(normalize(email, NFC)));
DROP INDEX IF EXISTS users_email_unique;
