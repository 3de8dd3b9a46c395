-- before the transaction
CREATE OR REPLACE TEMP TABLE "src_dim_branch" AS SELECT "branch_id", "branch_name" FROM (SELECT r.*, row_number() OVER (PARTITION BY r."branch_id" ORDER BY r._batch_id DESC, r._source_file DESC, r._row_number DESC) AS _rn FROM (SELECT s."branch_id", s."dealer_id", s."model_id", s."revenue", s."units_sold", s."date_id", s."day", s."month", s."year", s."sale_date", s."branch_name", s."dealer_name", s."product_name", s."_batch_id", s."_source_file", s."_row_number", s."_ingested_at", s."_run_id" FROM (SELECT * FROM "silver_delta" WHERE _action IN ('insert', 'update')) s) r JOIN (SELECT DISTINCT s."branch_id" FROM (SELECT * FROM "silver_delta" WHERE _action IN ('insert', 'update')) s WHERE s."branch_id" IS NOT NULL) m ON m."branch_id" = r."branch_id") x WHERE _rn = 1;

-- before the transaction
CREATE OR REPLACE TEMP TABLE "new_dim_branch" AS SELECT s.*, row_number() OVER (ORDER BY s."branch_id") AS _member_no FROM (SELECT s.* FROM "src_dim_branch" s WHERE NOT EXISTS (SELECT 1 FROM "gold"."dim_branch" t WHERE t."branch_id" = s."branch_id")) s;

INSERT INTO "gold"."dim_branch" ("dim_branch_key", "branch_id", "branch_name", _updated_at, _run_id)
SELECT m.mx + s._member_no, s."branch_id", s."branch_name", TIMESTAMPTZ '2026-01-01T00:00:00.000Z', 'run-golden'
FROM "new_dim_branch" s CROSS JOIN (SELECT coalesce(max("dim_branch_key"), 0) AS mx FROM "gold"."dim_branch" WHERE "dim_branch_key" > 0) m;

MERGE INTO "gold"."dim_branch" AS t USING "src_dim_branch" AS s ON t."branch_id" = s."branch_id"
WHEN MATCHED AND (t."branch_name" IS DISTINCT FROM s."branch_name") THEN UPDATE SET "branch_name" = s."branch_name", _updated_at = TIMESTAMPTZ '2026-01-01T00:00:00.000Z', _run_id = 'run-golden';

SELECT count(*) AS members_added FROM "new_dim_branch";