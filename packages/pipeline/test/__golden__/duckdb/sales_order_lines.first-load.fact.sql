CREATE OR REPLACE TEMP VIEW "fact_src" AS SELECT s."order_id", s."line_number", s."order_date", s."quantity", s."unit_price", s."currency", s."status", coalesce(d0."dim_customer_key", -1) AS "dim_customer_key", coalesce(d1."dim_product_key", -1) AS "dim_product_key", coalesce(d2."dim_channel_key", -1) AS "dim_channel_key", coalesce(year(CAST(s."order_date" AS DATE)) * 10000 + month(CAST(s."order_date" AS DATE)) * 100 + day(CAST(s."order_date" AS DATE)), -1) AS "dim_order_date_key", coalesce(s."is_deleted", false) AS _deleted
FROM (SELECT * FROM "silver_delta" WHERE _action IN ('insert', 'update')) s LEFT JOIN "gold"."dim_customer" d0 ON d0."customer_id" = s."customer_id" LEFT JOIN "gold"."dim_product" d1 ON d1."product_id" = s."product_id" LEFT JOIN "gold"."dim_channel" d2 ON d2."channel" = s."channel";

CREATE OR REPLACE TEMP TABLE "fact_stored" AS SELECT f."order_date", f."dim_product_key", f."quantity", f."order_id", f.rowid AS _stored_rowid FROM "gold"."fact_order_lines" f SEMI JOIN "changed_keys" c ON c."order_id" = f."order_id" AND c."line_number" = f."line_number";

CREATE OR REPLACE TEMP TABLE "agg_delta" AS SELECT day, "dim_product_key", sum("quantity") AS "quantity", sum("line_count") AS "line_count" FROM (
SELECT CAST(f."order_date" AS DATE) AS day, f."dim_product_key", -f."quantity" AS "quantity", CASE WHEN f."order_id" IS NULL THEN 0 ELSE -1 END AS "line_count" FROM "fact_stored" f WHERE f."order_date" IS NOT NULL
UNION ALL SELECT CAST(s."order_date" AS DATE) AS day, s."dim_product_key", s."quantity" AS "quantity", CASE WHEN s."order_id" IS NULL THEN 0 ELSE 1 END AS "line_count" FROM (SELECT s."order_id", s."order_date", s."quantity", coalesce(d0."dim_product_key", -1) AS "dim_product_key", coalesce(s."is_deleted", false) AS _deleted
FROM (SELECT * FROM "silver_delta" WHERE _action IN ('insert', 'update')) s LEFT JOIN "gold"."dim_product" d0 ON d0."product_id" = s."product_id") s WHERE NOT s._deleted AND s."order_date" IS NOT NULL) x
GROUP BY day, "dim_product_key" HAVING sum("quantity") <> 0 OR sum("line_count") <> 0;

DELETE FROM "gold"."fact_order_lines" AS t USING (SELECT _stored_rowid FROM "fact_stored" WHERE _stored_rowid IS NOT NULL) AS s WHERE t.rowid = s._stored_rowid;

INSERT INTO "gold"."fact_order_lines" ("order_id", "line_number", "order_date", "quantity", "unit_price", "currency", "status", "dim_customer_key", "dim_product_key", "dim_channel_key", "dim_order_date_key", _updated_at, _run_id)
SELECT s."order_id", s."line_number", s."order_date", s."quantity", s."unit_price", s."currency", s."status", s."dim_customer_key", s."dim_product_key", s."dim_channel_key", s."dim_order_date_key", TIMESTAMPTZ '2026-01-01T00:00:00.000Z', 'run-golden' FROM "fact_src" s WHERE NOT s._deleted;

SELECT count(*) FILTER (WHERE NOT _deleted) AS rows_upserted, count(*) FILTER (WHERE _deleted) AS rows_deleted FROM (SELECT coalesce(s."is_deleted", false) AS _deleted FROM (SELECT * FROM "silver_delta" WHERE _action IN ('insert', 'update')) s);