CREATE TABLE IF NOT EXISTS "bronze"."customers" (
  "customer_id" VARCHAR,
  "full_name" VARCHAR,
  "email" VARCHAR,
  "segment" VARCHAR,
  "region" VARCHAR,
  "updated_at" TIMESTAMPTZ,
  "is_deleted" BOOLEAN,
  "_batch_id" VARCHAR NOT NULL,
  "_source_file" VARCHAR NOT NULL,
  "_row_number" BIGINT NOT NULL,
  "_ingested_at" TIMESTAMPTZ NOT NULL,
  "_run_id" VARCHAR NOT NULL,
  "_rescued_data" VARCHAR
);

CREATE TABLE IF NOT EXISTS "quarantine"."customers" (
  "_batch_id" VARCHAR NOT NULL,
  "_source_file" VARCHAR NOT NULL,
  "_row_number" BIGINT NOT NULL,
  "_run_id" VARCHAR NOT NULL,
  "_quarantined_at" TIMESTAMPTZ NOT NULL,
  "rule_ids" VARCHAR[] NOT NULL,
  "messages" VARCHAR[] NOT NULL,
  "raw" VARCHAR NOT NULL,
  "replayed_run_id" VARCHAR,
  "repeat_of" VARCHAR
);

CREATE TABLE IF NOT EXISTS "silver"."customers" (
  "customer_id" VARCHAR NOT NULL,
  "full_name" VARCHAR NOT NULL,
  "email" VARCHAR,
  "segment" VARCHAR NOT NULL,
  "region" VARCHAR NOT NULL,
  "updated_at" TIMESTAMPTZ NOT NULL,
  "is_deleted" BOOLEAN,
  "valid_from" TIMESTAMPTZ NOT NULL,
  "valid_to" TIMESTAMPTZ,
  "is_current" BOOLEAN NOT NULL,
  "_batch_id" VARCHAR NOT NULL,
  "_source_file" VARCHAR NOT NULL,
  "_row_number" BIGINT NOT NULL,
  "_ingested_at" TIMESTAMPTZ NOT NULL,
  "_run_id" VARCHAR NOT NULL
);



-- step bronze (bronze)

CREATE OR REPLACE TEMP TABLE "bronze_stage_0" AS SELECT "customer_id", "full_name", "email", "segment", "region", "updated_at", "is_deleted", _batch_id, _source_file, _row_number, _rescued_data, _ok,
  CASE WHEN NOT _ok THEN list_filter([CASE WHEN NOT coalesce(_fields <= 0, false) THEN 'row.fields_extra' END, CASE WHEN NOT coalesce(_fields >= 0, false) THEN 'row.fields_missing' END, CASE WHEN NOT coalesce("_raw_customer_id" IS NOT NULL, false) THEN 'customer_id.not_null' END, CASE WHEN NOT coalesce(("customer_id" IS NULL OR regexp_full_match("customer_id", 'C[0-9]{6}')), false) THEN 'customer_id.pattern' END, CASE WHEN NOT coalesce("_raw_full_name" IS NOT NULL, false) THEN 'full_name.not_null' END, CASE WHEN NOT coalesce(("full_name" IS NULL OR length("full_name") <= 200), false) THEN 'full_name.max_length' END, CASE WHEN NOT coalesce(("email" IS NULL OR length("email") <= 320), false) THEN 'email.max_length' END, CASE WHEN NOT coalesce(("email" IS NULL OR regexp_full_match("email", '[^@ ]+@[^@ ]+')), false) THEN 'email.pattern' END, CASE WHEN NOT coalesce("_raw_segment" IS NOT NULL, false) THEN 'segment.not_null' END, CASE WHEN NOT coalesce(("segment" IS NULL OR "segment" IN ('consumer', 'business', 'fleet')), false) THEN 'segment.enum' END, CASE WHEN NOT coalesce("_raw_region" IS NOT NULL, false) THEN 'region.not_null' END, CASE WHEN NOT coalesce(("region" IS NULL OR length("region") <= 64), false) THEN 'region.max_length' END, CASE WHEN NOT coalesce("_raw_updated_at" IS NOT NULL, false) THEN 'updated_at.not_null' END, CASE WHEN NOT coalesce(("_raw_updated_at" IS NULL OR "updated_at" IS NOT NULL), false) THEN 'updated_at.parse' END, CASE WHEN NOT coalesce(("_raw_is_deleted" IS NULL OR "is_deleted" IS NOT NULL), false) THEN 'is_deleted.parse' END], lambda x: x IS NOT NULL) END AS _rule_ids,
  CASE WHEN NOT _ok THEN list_filter([CASE WHEN NOT coalesce(_fields <= 0, false) THEN 'more fields than the file''s header: a delimiter at the end of the row, or in a value that is not quoted?' END, CASE WHEN NOT coalesce(_fields >= 0, false) THEN 'fewer fields than the file''s header: a row cut short, or a line break in a value that is not quoted?' END, CASE WHEN NOT coalesce("_raw_customer_id" IS NOT NULL, false) THEN 'customer_id: a value is required' END, CASE WHEN NOT coalesce(("customer_id" IS NULL OR regexp_full_match("customer_id", 'C[0-9]{6}')), false) THEN 'customer_id: does not match the pattern C[0-9]{6}' END, CASE WHEN NOT coalesce("_raw_full_name" IS NOT NULL, false) THEN 'full_name: a value is required' END, CASE WHEN NOT coalesce(("full_name" IS NULL OR length("full_name") <= 200), false) THEN 'full_name: longer than 200 characters' END, CASE WHEN NOT coalesce(("email" IS NULL OR length("email") <= 320), false) THEN 'email: longer than 320 characters' END, CASE WHEN NOT coalesce(("email" IS NULL OR regexp_full_match("email", '[^@ ]+@[^@ ]+')), false) THEN 'email: does not match the pattern [^@ ]+@[^@ ]+' END, CASE WHEN NOT coalesce("_raw_segment" IS NOT NULL, false) THEN 'segment: a value is required' END, CASE WHEN NOT coalesce(("segment" IS NULL OR "segment" IN ('consumer', 'business', 'fleet')), false) THEN 'segment: not one of consumer, business, fleet' END, CASE WHEN NOT coalesce("_raw_region" IS NOT NULL, false) THEN 'region: a value is required' END, CASE WHEN NOT coalesce(("region" IS NULL OR length("region") <= 64), false) THEN 'region: longer than 64 characters' END, CASE WHEN NOT coalesce("_raw_updated_at" IS NOT NULL, false) THEN 'updated_at: a value is required' END, CASE WHEN NOT coalesce(("_raw_updated_at" IS NULL OR "updated_at" IS NOT NULL), false) THEN 'updated_at: not a valid timestamp' END, CASE WHEN NOT coalesce(("_raw_is_deleted" IS NULL OR "is_deleted" IS NOT NULL), false) THEN 'is_deleted: not a valid boolean' END], lambda x: x IS NOT NULL) END AS _messages,
  CASE WHEN NOT _ok THEN CASE WHEN _rescued_data IS NULL THEN CAST(json_object('CustomerID', "_src_0", 'full_name', "_src_1", 'email', "_src_2", 'segment', "_src_3", 'region', "_src_4", 'updated_at', "_src_5", 'is_deleted', "_src_6") AS VARCHAR) ELSE substr(CAST(json_object('CustomerID', "_src_0", 'full_name', "_src_1", 'email', "_src_2", 'segment', "_src_3", 'region', "_src_4", 'updated_at', "_src_5", 'is_deleted', "_src_6") AS VARCHAR), 1, length(CAST(json_object('CustomerID', "_src_0", 'full_name', "_src_1", 'email', "_src_2", 'segment', "_src_3", 'region', "_src_4", 'updated_at', "_src_5", 'is_deleted', "_src_6") AS VARCHAR)) - 1) || ',' || substr(_rescued_data, 2) END END AS _raw
FROM (SELECT t.*, coalesce(_fields <= 0, false) AND coalesce(_fields >= 0, false) AND coalesce("_raw_customer_id" IS NOT NULL, false) AND coalesce(("customer_id" IS NULL OR regexp_full_match("customer_id", 'C[0-9]{6}')), false) AND coalesce("_raw_full_name" IS NOT NULL, false) AND coalesce(("full_name" IS NULL OR length("full_name") <= 200), false) AND coalesce(("email" IS NULL OR length("email") <= 320), false) AND coalesce(("email" IS NULL OR regexp_full_match("email", '[^@ ]+@[^@ ]+')), false) AND coalesce("_raw_segment" IS NOT NULL, false) AND coalesce(("segment" IS NULL OR "segment" IN ('consumer', 'business', 'fleet')), false) AND coalesce("_raw_region" IS NOT NULL, false) AND coalesce(("region" IS NULL OR length("region") <= 64), false) AND coalesce("_raw_updated_at" IS NOT NULL, false) AND coalesce(("_raw_updated_at" IS NULL OR "updated_at" IS NOT NULL), false) AND coalesce(("_raw_is_deleted" IS NULL OR "is_deleted" IS NOT NULL), false) AS _ok FROM (SELECT n.*, "_raw_customer_id" AS "customer_id",
  "_raw_full_name" AS "full_name",
  "_raw_email" AS "email",
  "_raw_segment" AS "segment",
  "_raw_region" AS "region",
  CASE WHEN regexp_full_match("_raw_updated_at", '(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])(?:[T ](?:[01][0-9]|2[0-3]):(?:[0-5][0-9])(?::(?:[0-5][0-9])(?:[.][0-9]{1,9})?)?|[T ](?:[01][0-9]|2[0-3]):(?:[0-5][0-9]):(?:[0-5][0-9])(?:[.][0-9]{1,9})?(?:Z|[+-](?:(?:0[0-9]|1[0-7]):[0-5][0-9]|18:00)))?') THEN CASE WHEN TRY_CAST("_raw_updated_at" AS TIMESTAMPTZ) BETWEEN TIMESTAMPTZ '0001-01-01 00:00:00+00:00' AND TIMESTAMPTZ '9999-12-31 23:59:59.999999+00:00' THEN TRY_CAST("_raw_updated_at" AS TIMESTAMPTZ) END END AS "updated_at",
  CASE WHEN lower("_raw_is_deleted") IN ('true', 't', 'yes', 'y', '1') THEN true WHEN lower("_raw_is_deleted") IN ('false', 'f', 'no', 'n', '0') THEN false END AS "is_deleted" FROM (SELECT l._batch_id, l._source_file, l._row_number, l._rescued_data, l._fields, l."CustomerID" AS "_src_0", l."full_name" AS "_src_1", l."email" AS "_src_2", l."segment" AS "_src_3", l."region" AS "_src_4", l."updated_at" AS "_src_5", l."is_deleted" AS "_src_6", NULLIF("CustomerID", '') AS "_raw_customer_id",
  NULLIF("full_name", '') AS "_raw_full_name",
  NULLIF("email", '') AS "_raw_email",
  NULLIF("segment", '') AS "_raw_segment",
  NULLIF("region", '') AS "_raw_region",
  NULLIF(trim("updated_at"), '') AS "_raw_updated_at",
  NULLIF(trim("is_deleted"), '') AS "_raw_is_deleted" FROM "landing_raw_0" l) n) t) c;

CREATE OR REPLACE TEMP VIEW "bronze_stage" AS SELECT * EXCLUDE (_batch_id, _source_file) REPLACE (coalesce(_row_number, rowid + 1) AS _row_number), _batch_id, _source_file, rowid AS _stage_row FROM "bronze_stage_0";

INSERT INTO "quarantine"."customers" ("_batch_id", "_source_file", "_row_number", "_run_id", "_quarantined_at", "rule_ids", "messages", "raw", "repeat_of")
SELECT s._batch_id, s._source_file, s._row_number, 'run-golden', TIMESTAMPTZ '2026-01-01T00:00:00.000Z', s._rule_ids, s._messages, s._raw, p.first_batch
FROM "bronze_stage" s LEFT JOIN (SELECT raw, min(_batch_id) AS first_batch FROM "quarantine"."customers"
  WHERE raw IN (SELECT _raw FROM "bronze_stage" WHERE NOT _ok) GROUP BY raw) p ON p.raw = s._raw
WHERE NOT s._ok;

INSERT INTO "bronze"."customers" ("customer_id", "full_name", "email", "segment", "region", "updated_at", "is_deleted", "_batch_id", "_source_file", "_row_number", "_ingested_at", "_run_id", "_rescued_data")
SELECT "customer_id", "full_name", "email", "segment", "region", "updated_at", "is_deleted", _batch_id, _source_file, _row_number, TIMESTAMPTZ '2026-01-01T00:00:00.000Z', 'run-golden', _rescued_data FROM "bronze_stage" WHERE _ok;

SELECT count(*) AS rows_read, count(*) FILTER (WHERE _ok) AS rows_accepted, count(*) FILTER (WHERE NOT _ok) AS rows_quarantined FROM "bronze_stage";

-- step silver (silver)

CREATE OR REPLACE TEMP TABLE "delta_superseded" AS SELECT _src_rowid FROM (SELECT d._src_rowid, row_number() OVER (PARTITION BY d."customer_id" ORDER BY d."updated_at" DESC NULLS LAST, d._batch_id ASC, d._source_file ASC, d._row_number ASC) AS _rn
  FROM (SELECT CAST(b."customer_id" AS VARCHAR) AS "customer_id", CAST(b."full_name" AS VARCHAR) AS "full_name", CAST(b."email" AS VARCHAR) AS "email", CAST(b."segment" AS VARCHAR) AS "segment", CAST(b."region" AS VARCHAR) AS "region", CAST(b."updated_at" AS TIMESTAMPTZ) AS "updated_at", CAST(b."is_deleted" AS BOOLEAN) AS "is_deleted", b._batch_id, b._source_file, b._row_number, TIMESTAMPTZ '2026-01-01T00:00:00.000Z' AS _ingested_at, 'run-golden' AS _run_id, b._rescued_data, b._stage_row AS _src_rowid FROM "bronze_stage" b WHERE b._ok) d SEMI JOIN (SELECT "customer_id" FROM (SELECT CAST(b."customer_id" AS VARCHAR) AS "customer_id", CAST(b."full_name" AS VARCHAR) AS "full_name", CAST(b."email" AS VARCHAR) AS "email", CAST(b."segment" AS VARCHAR) AS "segment", CAST(b."region" AS VARCHAR) AS "region", CAST(b."updated_at" AS TIMESTAMPTZ) AS "updated_at", CAST(b."is_deleted" AS BOOLEAN) AS "is_deleted", b._batch_id, b._source_file, b._row_number, TIMESTAMPTZ '2026-01-01T00:00:00.000Z' AS _ingested_at, 'run-golden' AS _run_id, b._rescued_data FROM "bronze_stage" b WHERE b._ok) x GROUP BY "customer_id" HAVING count(*) > 1) r ON r."customer_id" IS NOT DISTINCT FROM d."customer_id") ranked WHERE _rn > 1;

CREATE OR REPLACE TEMP TABLE "silver_delta" AS SELECT s.*, CASE WHEN t."customer_id" IS NULL AND s._earlier = 0 THEN 'insert' WHEN t._run_id = 'run-golden' THEN 'applied' WHEN s."updated_at" > greatest(t."updated_at", s._earlier_seq) OR (greatest(t."updated_at", s._earlier_seq) IS NULL AND s."updated_at" IS NOT NULL) THEN 'update' ELSE 'stale' END AS _action, t."customer_id" IS NOT NULL AS _stored
FROM (SELECT v.*, max(v."updated_at") OVER (PARTITION BY v."customer_id" ORDER BY v._batch_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS _earlier_seq, count(*) OVER (PARTITION BY v."customer_id" ORDER BY v._batch_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS _earlier FROM (SELECT * FROM (SELECT d.*, row_number() OVER (PARTITION BY d."customer_id", d._batch_id ORDER BY d."updated_at" DESC NULLS LAST, d._batch_id ASC, d._source_file ASC, d._row_number ASC) AS _rn, count(*) OVER (PARTITION BY d."customer_id", d._batch_id ORDER BY d."updated_at" DESC NULLS LAST, d._batch_id ASC, d._source_file ASC, d._row_number ASC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS _versions FROM (SELECT CAST(b."customer_id" AS VARCHAR) AS "customer_id", CAST(b."full_name" AS VARCHAR) AS "full_name", CAST(b."email" AS VARCHAR) AS "email", CAST(b."segment" AS VARCHAR) AS "segment", CAST(b."region" AS VARCHAR) AS "region", CAST(b."updated_at" AS TIMESTAMPTZ) AS "updated_at", CAST(b."is_deleted" AS BOOLEAN) AS "is_deleted", b._batch_id, b._source_file, b._row_number, TIMESTAMPTZ '2026-01-01T00:00:00.000Z' AS _ingested_at, 'run-golden' AS _run_id, b._rescued_data FROM "bronze_stage" b WHERE b._ok) d) x WHERE _rn = 1) v) s LEFT JOIN (SELECT * FROM "silver"."customers" c WHERE c.is_current) t ON s."customer_id" = t."customer_id";

MERGE INTO "silver"."customers" AS t
USING (SELECT s."customer_id", min_by(CAST(s."updated_at" AS TIMESTAMPTZ), s._batch_id) AS _valid_to FROM "silver_delta" s WHERE s._action = 'update' AND s._stored GROUP BY s."customer_id") AS s
ON t."customer_id" = s."customer_id" AND t.is_current
WHEN MATCHED THEN UPDATE SET valid_to = s._valid_to, is_current = false;

INSERT INTO "silver"."customers" ("customer_id", "full_name", "email", "segment", "region", "updated_at", "is_deleted", valid_from, valid_to, is_current, "_batch_id", "_source_file", "_row_number", "_ingested_at", "_run_id")
SELECT s."customer_id", s."full_name", s."email", s."segment", s."region", s."updated_at", s."is_deleted", CAST(s."updated_at" AS TIMESTAMPTZ), lead(CAST(s."updated_at" AS TIMESTAMPTZ)) OVER (PARTITION BY s."customer_id" ORDER BY s._batch_id), lead(s._batch_id) OVER (PARTITION BY s."customer_id" ORDER BY s._batch_id) IS NULL, s."_batch_id", s."_source_file", s."_row_number", s."_ingested_at", 'run-golden'
FROM "silver_delta" s WHERE s._action IN ('insert', 'update');

CREATE OR REPLACE TEMP TABLE "changed_keys" AS SELECT "customer_id" FROM "silver_delta" WHERE _action <> 'stale';

SELECT count(*) AS rows_in, count(*) FILTER (WHERE _action = 'insert') AS rows_inserted, count(*) FILTER (WHERE _action = 'update') AS rows_updated, count(*) FILTER (WHERE _action = 'stale') AS rows_stale, coalesce(sum(_versions - 1), 0) AS rows_superseded, count(*) FILTER (WHERE _action IN ('insert', 'update') AND coalesce("is_deleted", false)) AS rows_deleted FROM "silver_delta";