-- before the transaction
CREATE OR REPLACE TEMP TABLE "src_dim_customer" AS SELECT DISTINCT s."customer_id" FROM (SELECT * FROM "silver_delta" WHERE _action IN ('insert', 'update')) s WHERE s."customer_id" IS NOT NULL;

-- before the transaction
CREATE OR REPLACE TEMP TABLE "new_dim_customer" AS SELECT s.*, row_number() OVER (ORDER BY s."customer_id") AS _member_no FROM (SELECT s.* FROM "src_dim_customer" s WHERE NOT EXISTS (SELECT 1 FROM "gold"."dim_customer" t WHERE t."customer_id" = s."customer_id")) s;

INSERT INTO "gold"."dim_customer" ("dim_customer_key", "customer_id", _updated_at, _run_id)
SELECT m.mx + s._member_no, s."customer_id", TIMESTAMPTZ '2026-01-01T00:00:00.000Z', 'run-golden'
FROM "new_dim_customer" s CROSS JOIN (SELECT coalesce(max("dim_customer_key"), 0) AS mx FROM "gold"."dim_customer" WHERE "dim_customer_key" > 0) m;

SELECT count(*) AS members_added FROM "new_dim_customer";