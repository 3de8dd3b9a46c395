CREATE TABLE IF NOT EXISTS "bronze"."car_sales" (
  "branch_id" VARCHAR,
  "dealer_id" VARCHAR,
  "model_id" VARCHAR,
  "revenue" BIGINT,
  "units_sold" INTEGER,
  "date_id" VARCHAR,
  "day" INTEGER,
  "month" INTEGER,
  "year" INTEGER,
  "sale_date" DATE,
  "branch_name" VARCHAR,
  "dealer_name" VARCHAR,
  "product_name" VARCHAR,
  "_batch_id" VARCHAR NOT NULL,
  "_source_file" VARCHAR NOT NULL,
  "_row_number" BIGINT NOT NULL,
  "_ingested_at" TIMESTAMPTZ NOT NULL,
  "_run_id" VARCHAR NOT NULL,
  "_rescued_data" VARCHAR
);

CREATE TABLE IF NOT EXISTS "quarantine"."car_sales" (
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

CREATE TABLE IF NOT EXISTS "silver"."car_sales" (
  "branch_id" VARCHAR NOT NULL,
  "dealer_id" VARCHAR NOT NULL,
  "model_id" VARCHAR NOT NULL,
  "revenue" BIGINT NOT NULL,
  "units_sold" INTEGER NOT NULL,
  "date_id" VARCHAR NOT NULL,
  "day" INTEGER NOT NULL,
  "month" INTEGER NOT NULL,
  "year" INTEGER NOT NULL,
  "sale_date" DATE NOT NULL,
  "branch_name" VARCHAR NOT NULL,
  "dealer_name" VARCHAR,
  "product_name" VARCHAR NOT NULL,
  "_batch_id" VARCHAR NOT NULL,
  "_source_file" VARCHAR NOT NULL,
  "_row_number" BIGINT NOT NULL,
  "_ingested_at" TIMESTAMPTZ NOT NULL,
  "_run_id" VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS "gold"."dim_branch" (
  "dim_branch_key" BIGINT NOT NULL,
  "branch_id" VARCHAR,
  "branch_name" VARCHAR,
  "_updated_at" TIMESTAMPTZ,
  "_run_id" VARCHAR
);

INSERT INTO "gold"."dim_branch" ("dim_branch_key") SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM "gold"."dim_branch" WHERE "dim_branch_key" = -1);

CREATE TABLE IF NOT EXISTS "gold"."dim_dealer" (
  "dim_dealer_key" BIGINT NOT NULL,
  "dealer_id" VARCHAR,
  "dealer_name" VARCHAR,
  "_updated_at" TIMESTAMPTZ,
  "_run_id" VARCHAR
);

INSERT INTO "gold"."dim_dealer" ("dim_dealer_key") SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM "gold"."dim_dealer" WHERE "dim_dealer_key" = -1);

CREATE TABLE IF NOT EXISTS "gold"."dim_model" (
  "dim_model_key" BIGINT NOT NULL,
  "model_id" VARCHAR,
  "product_name" VARCHAR,
  "_updated_at" TIMESTAMPTZ,
  "_run_id" VARCHAR
);

INSERT INTO "gold"."dim_model" ("dim_model_key") SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM "gold"."dim_model" WHERE "dim_model_key" = -1);

CREATE TABLE IF NOT EXISTS "gold"."dim_date" (
  "dim_date_key" BIGINT NOT NULL,
  "date" DATE,
  "year" INT,
  "quarter" INT,
  "month" INT,
  "month_name" VARCHAR,
  "day" INT,
  "day_of_week" INT,
  "day_name" VARCHAR,
  "week_of_year" INT,
  "is_weekend" BOOLEAN
);

INSERT INTO "gold"."dim_date" ("dim_date_key") SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM "gold"."dim_date" WHERE "dim_date_key" = -1);

CREATE TABLE IF NOT EXISTS "gold"."fact_sales" (
  "branch_id" VARCHAR NOT NULL,
  "dealer_id" VARCHAR NOT NULL,
  "model_id" VARCHAR NOT NULL,
  "revenue" BIGINT,
  "units_sold" INTEGER,
  "date_id" VARCHAR NOT NULL,
  "sale_date" DATE,
  "dim_branch_key" BIGINT NOT NULL,
  "dim_dealer_key" BIGINT NOT NULL,
  "dim_model_key" BIGINT NOT NULL,
  "dim_date_key" BIGINT NOT NULL,
  "_updated_at" TIMESTAMPTZ NOT NULL,
  "_run_id" VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS "gold"."agg_sales_daily" (
  "day" DATE NOT NULL,
  "dim_branch_key" BIGINT NOT NULL,
  "dim_model_key" BIGINT NOT NULL,
  "revenue" DECIMAL(38, 0) USING COMPRESSION uncompressed,
  "units_sold" DECIMAL(38, 0) USING COMPRESSION uncompressed,
  "sales_count" BIGINT,
  "_updated_at" TIMESTAMPTZ NOT NULL
);



-- step bronze (bronze)

CREATE OR REPLACE TEMP TABLE "bronze_stage_0" AS SELECT "branch_id", "dealer_id", "model_id", "revenue", "units_sold", "date_id", "day", "month", "year", "sale_date", "branch_name", "dealer_name", "product_name", _batch_id, _source_file, _row_number, _rescued_data, _ok, "_warn_0",
  CASE WHEN NOT _ok THEN list_filter([CASE WHEN NOT coalesce(_fields <= 0, false) THEN 'row.fields_extra' END, CASE WHEN NOT coalesce(_fields >= 0, false) THEN 'row.fields_missing' END, CASE WHEN NOT coalesce("_raw_branch_id" IS NOT NULL, false) THEN 'branch_id.not_null' END, CASE WHEN NOT coalesce(("branch_id" IS NULL OR length("branch_id") >= 1), false) THEN 'branch_id.min_length' END, CASE WHEN NOT coalesce(("branch_id" IS NULL OR length("branch_id") <= 16), false) THEN 'branch_id.max_length' END, CASE WHEN NOT coalesce("_raw_dealer_id" IS NOT NULL, false) THEN 'dealer_id.not_null' END, CASE WHEN NOT coalesce(("dealer_id" IS NULL OR length("dealer_id") >= 1), false) THEN 'dealer_id.min_length' END, CASE WHEN NOT coalesce(("dealer_id" IS NULL OR length("dealer_id") <= 16), false) THEN 'dealer_id.max_length' END, CASE WHEN NOT coalesce("_raw_model_id" IS NOT NULL, false) THEN 'model_id.not_null' END, CASE WHEN NOT coalesce(("model_id" IS NULL OR length("model_id") >= 1), false) THEN 'model_id.min_length' END, CASE WHEN NOT coalesce(("model_id" IS NULL OR length("model_id") <= 16), false) THEN 'model_id.max_length' END, CASE WHEN NOT coalesce("_raw_revenue" IS NOT NULL, false) THEN 'revenue.not_null' END, CASE WHEN NOT coalesce(("_raw_revenue" IS NULL OR "revenue" IS NOT NULL), false) THEN 'revenue.parse' END, CASE WHEN NOT coalesce(("revenue" IS NULL OR "revenue" >= 0), false) THEN 'revenue.min' END, CASE WHEN NOT coalesce("_raw_units_sold" IS NOT NULL, false) THEN 'units_sold.not_null' END, CASE WHEN NOT coalesce(("_raw_units_sold" IS NULL OR "units_sold" IS NOT NULL), false) THEN 'units_sold.parse' END, CASE WHEN NOT coalesce(("units_sold" IS NULL OR "units_sold" >= 0), false) THEN 'units_sold.min' END, CASE WHEN NOT coalesce("_raw_date_id" IS NOT NULL, false) THEN 'date_id.not_null' END, CASE WHEN NOT coalesce(("date_id" IS NULL OR length("date_id") >= 1), false) THEN 'date_id.min_length' END, CASE WHEN NOT coalesce(("date_id" IS NULL OR length("date_id") <= 16), false) THEN 'date_id.max_length' END, CASE WHEN NOT coalesce("_raw_day" IS NOT NULL, false) THEN 'day.not_null' END, CASE WHEN NOT coalesce(("_raw_day" IS NULL OR "day" IS NOT NULL), false) THEN 'day.parse' END, CASE WHEN NOT coalesce(("day" IS NULL OR "day" >= 1), false) THEN 'day.min' END, CASE WHEN NOT coalesce(("day" IS NULL OR "day" <= 31), false) THEN 'day.max' END, CASE WHEN NOT coalesce("_raw_month" IS NOT NULL, false) THEN 'month.not_null' END, CASE WHEN NOT coalesce(("_raw_month" IS NULL OR "month" IS NOT NULL), false) THEN 'month.parse' END, CASE WHEN NOT coalesce(("month" IS NULL OR "month" >= 1), false) THEN 'month.min' END, CASE WHEN NOT coalesce(("month" IS NULL OR "month" <= 12), false) THEN 'month.max' END, CASE WHEN NOT coalesce("_raw_year" IS NOT NULL, false) THEN 'year.not_null' END, CASE WHEN NOT coalesce(("_raw_year" IS NULL OR "year" IS NOT NULL), false) THEN 'year.parse' END, CASE WHEN NOT coalesce(("year" IS NULL OR "year" >= 1900), false) THEN 'year.min' END, CASE WHEN NOT coalesce(("year" IS NULL OR "year" <= 2999), false) THEN 'year.max' END, CASE WHEN NOT coalesce("_raw_sale_date" IS NOT NULL, false) THEN 'sale_date.not_null' END, CASE WHEN NOT coalesce(("_raw_sale_date" IS NULL OR "sale_date" IS NOT NULL), false) THEN 'sale_date.parse' END, CASE WHEN NOT coalesce("_raw_branch_name" IS NOT NULL, false) THEN 'branch_name.not_null' END, CASE WHEN NOT coalesce(("branch_name" IS NULL OR length("branch_name") <= 200), false) THEN 'branch_name.max_length' END, CASE WHEN NOT coalesce(("dealer_name" IS NULL OR length("dealer_name") <= 200), false) THEN 'dealer_name.max_length' END, CASE WHEN NOT coalesce("_raw_product_name" IS NOT NULL, false) THEN 'product_name.not_null' END, CASE WHEN NOT coalesce(("product_name" IS NULL OR length("product_name") <= 200), false) THEN 'product_name.max_length' END], lambda x: x IS NOT NULL) END AS _rule_ids,
  CASE WHEN NOT _ok THEN list_filter([CASE WHEN NOT coalesce(_fields <= 0, false) THEN 'more fields than the file''s header: a delimiter at the end of the row, or in a value that is not quoted?' END, CASE WHEN NOT coalesce(_fields >= 0, false) THEN 'fewer fields than the file''s header: a row cut short, or a line break in a value that is not quoted?' END, CASE WHEN NOT coalesce("_raw_branch_id" IS NOT NULL, false) THEN 'branch_id: a value is required' END, CASE WHEN NOT coalesce(("branch_id" IS NULL OR length("branch_id") >= 1), false) THEN 'branch_id: shorter than 1 characters' END, CASE WHEN NOT coalesce(("branch_id" IS NULL OR length("branch_id") <= 16), false) THEN 'branch_id: longer than 16 characters' END, CASE WHEN NOT coalesce("_raw_dealer_id" IS NOT NULL, false) THEN 'dealer_id: a value is required' END, CASE WHEN NOT coalesce(("dealer_id" IS NULL OR length("dealer_id") >= 1), false) THEN 'dealer_id: shorter than 1 characters' END, CASE WHEN NOT coalesce(("dealer_id" IS NULL OR length("dealer_id") <= 16), false) THEN 'dealer_id: longer than 16 characters' END, CASE WHEN NOT coalesce("_raw_model_id" IS NOT NULL, false) THEN 'model_id: a value is required' END, CASE WHEN NOT coalesce(("model_id" IS NULL OR length("model_id") >= 1), false) THEN 'model_id: shorter than 1 characters' END, CASE WHEN NOT coalesce(("model_id" IS NULL OR length("model_id") <= 16), false) THEN 'model_id: longer than 16 characters' END, CASE WHEN NOT coalesce("_raw_revenue" IS NOT NULL, false) THEN 'revenue: a value is required' END, CASE WHEN NOT coalesce(("_raw_revenue" IS NULL OR "revenue" IS NOT NULL), false) THEN 'revenue: not a valid bigint' END, CASE WHEN NOT coalesce(("revenue" IS NULL OR "revenue" >= 0), false) THEN 'revenue: below the minimum 0' END, CASE WHEN NOT coalesce("_raw_units_sold" IS NOT NULL, false) THEN 'units_sold: a value is required' END, CASE WHEN NOT coalesce(("_raw_units_sold" IS NULL OR "units_sold" IS NOT NULL), false) THEN 'units_sold: not a valid int' END, CASE WHEN NOT coalesce(("units_sold" IS NULL OR "units_sold" >= 0), false) THEN 'units_sold: below the minimum 0' END, CASE WHEN NOT coalesce("_raw_date_id" IS NOT NULL, false) THEN 'date_id: a value is required' END, CASE WHEN NOT coalesce(("date_id" IS NULL OR length("date_id") >= 1), false) THEN 'date_id: shorter than 1 characters' END, CASE WHEN NOT coalesce(("date_id" IS NULL OR length("date_id") <= 16), false) THEN 'date_id: longer than 16 characters' END, CASE WHEN NOT coalesce("_raw_day" IS NOT NULL, false) THEN 'day: a value is required' END, CASE WHEN NOT coalesce(("_raw_day" IS NULL OR "day" IS NOT NULL), false) THEN 'day: not a valid int' END, CASE WHEN NOT coalesce(("day" IS NULL OR "day" >= 1), false) THEN 'day: below the minimum 1' END, CASE WHEN NOT coalesce(("day" IS NULL OR "day" <= 31), false) THEN 'day: above the maximum 31' END, CASE WHEN NOT coalesce("_raw_month" IS NOT NULL, false) THEN 'month: a value is required' END, CASE WHEN NOT coalesce(("_raw_month" IS NULL OR "month" IS NOT NULL), false) THEN 'month: not a valid int' END, CASE WHEN NOT coalesce(("month" IS NULL OR "month" >= 1), false) THEN 'month: below the minimum 1' END, CASE WHEN NOT coalesce(("month" IS NULL OR "month" <= 12), false) THEN 'month: above the maximum 12' END, CASE WHEN NOT coalesce("_raw_year" IS NOT NULL, false) THEN 'year: a value is required' END, CASE WHEN NOT coalesce(("_raw_year" IS NULL OR "year" IS NOT NULL), false) THEN 'year: not a valid int' END, CASE WHEN NOT coalesce(("year" IS NULL OR "year" >= 1900), false) THEN 'year: below the minimum 1900' END, CASE WHEN NOT coalesce(("year" IS NULL OR "year" <= 2999), false) THEN 'year: above the maximum 2999' END, CASE WHEN NOT coalesce("_raw_sale_date" IS NOT NULL, false) THEN 'sale_date: a value is required' END, CASE WHEN NOT coalesce(("_raw_sale_date" IS NULL OR "sale_date" IS NOT NULL), false) THEN 'sale_date: not a valid date in format d/M/yyyy' END, CASE WHEN NOT coalesce("_raw_branch_name" IS NOT NULL, false) THEN 'branch_name: a value is required' END, CASE WHEN NOT coalesce(("branch_name" IS NULL OR length("branch_name") <= 200), false) THEN 'branch_name: longer than 200 characters' END, CASE WHEN NOT coalesce(("dealer_name" IS NULL OR length("dealer_name") <= 200), false) THEN 'dealer_name: longer than 200 characters' END, CASE WHEN NOT coalesce("_raw_product_name" IS NOT NULL, false) THEN 'product_name: a value is required' END, CASE WHEN NOT coalesce(("product_name" IS NULL OR length("product_name") <= 200), false) THEN 'product_name: longer than 200 characters' END], lambda x: x IS NOT NULL) END AS _messages,
  CASE WHEN NOT _ok THEN CASE WHEN _rescued_data IS NULL THEN CAST(json_object('Branch_ID', "_src_0", 'Dealer_ID', "_src_1", 'Model_ID', "_src_2", 'Revenue', "_src_3", 'Units_Sold', "_src_4", 'Date_ID', "_src_5", 'Day', "_src_6", 'Month', "_src_7", 'Year', "_src_8", 'BranchName', "_src_9", 'DealerName', "_src_10", 'Product_Name', "_src_11") AS VARCHAR) ELSE substr(CAST(json_object('Branch_ID', "_src_0", 'Dealer_ID', "_src_1", 'Model_ID', "_src_2", 'Revenue', "_src_3", 'Units_Sold', "_src_4", 'Date_ID', "_src_5", 'Day', "_src_6", 'Month', "_src_7", 'Year', "_src_8", 'BranchName', "_src_9", 'DealerName', "_src_10", 'Product_Name', "_src_11") AS VARCHAR), 1, length(CAST(json_object('Branch_ID', "_src_0", 'Dealer_ID', "_src_1", 'Model_ID', "_src_2", 'Revenue', "_src_3", 'Units_Sold', "_src_4", 'Date_ID', "_src_5", 'Day', "_src_6", 'Month', "_src_7", 'Year', "_src_8", 'BranchName', "_src_9", 'DealerName', "_src_10", 'Product_Name', "_src_11") AS VARCHAR)) - 1) || ',' || substr(_rescued_data, 2) END END AS _raw
FROM (SELECT t.*, coalesce(_fields <= 0, false) AND coalesce(_fields >= 0, false) AND coalesce("_raw_branch_id" IS NOT NULL, false) AND coalesce(("branch_id" IS NULL OR length("branch_id") >= 1), false) AND coalesce(("branch_id" IS NULL OR length("branch_id") <= 16), false) AND coalesce("_raw_dealer_id" IS NOT NULL, false) AND coalesce(("dealer_id" IS NULL OR length("dealer_id") >= 1), false) AND coalesce(("dealer_id" IS NULL OR length("dealer_id") <= 16), false) AND coalesce("_raw_model_id" IS NOT NULL, false) AND coalesce(("model_id" IS NULL OR length("model_id") >= 1), false) AND coalesce(("model_id" IS NULL OR length("model_id") <= 16), false) AND coalesce("_raw_revenue" IS NOT NULL, false) AND coalesce(("_raw_revenue" IS NULL OR "revenue" IS NOT NULL), false) AND coalesce(("revenue" IS NULL OR "revenue" >= 0), false) AND coalesce("_raw_units_sold" IS NOT NULL, false) AND coalesce(("_raw_units_sold" IS NULL OR "units_sold" IS NOT NULL), false) AND coalesce(("units_sold" IS NULL OR "units_sold" >= 0), false) AND coalesce("_raw_date_id" IS NOT NULL, false) AND coalesce(("date_id" IS NULL OR length("date_id") >= 1), false) AND coalesce(("date_id" IS NULL OR length("date_id") <= 16), false) AND coalesce("_raw_day" IS NOT NULL, false) AND coalesce(("_raw_day" IS NULL OR "day" IS NOT NULL), false) AND coalesce(("day" IS NULL OR "day" >= 1), false) AND coalesce(("day" IS NULL OR "day" <= 31), false) AND coalesce("_raw_month" IS NOT NULL, false) AND coalesce(("_raw_month" IS NULL OR "month" IS NOT NULL), false) AND coalesce(("month" IS NULL OR "month" >= 1), false) AND coalesce(("month" IS NULL OR "month" <= 12), false) AND coalesce("_raw_year" IS NOT NULL, false) AND coalesce(("_raw_year" IS NULL OR "year" IS NOT NULL), false) AND coalesce(("year" IS NULL OR "year" >= 1900), false) AND coalesce(("year" IS NULL OR "year" <= 2999), false) AND coalesce("_raw_sale_date" IS NOT NULL, false) AND coalesce(("_raw_sale_date" IS NULL OR "sale_date" IS NOT NULL), false) AND coalesce("_raw_branch_name" IS NOT NULL, false) AND coalesce(("branch_name" IS NULL OR length("branch_name") <= 200), false) AND coalesce(("dealer_name" IS NULL OR length("dealer_name") <= 200), false) AND coalesce("_raw_product_name" IS NOT NULL, false) AND coalesce(("product_name" IS NULL OR length("product_name") <= 200), false) AS _ok, NOT coalesce("_raw_dealer_name" IS NOT NULL, false) AS "_warn_0" FROM (SELECT n.*, "_raw_branch_id" AS "branch_id",
  "_raw_dealer_id" AS "dealer_id",
  "_raw_model_id" AS "model_id",
  CASE WHEN regexp_full_match("_raw_revenue", '[+-]?[0-9]{1,19}') THEN TRY_CAST("_raw_revenue" AS BIGINT) END AS "revenue",
  CASE WHEN regexp_full_match("_raw_units_sold", '[+-]?[0-9]{1,10}') THEN TRY_CAST("_raw_units_sold" AS INTEGER) END AS "units_sold",
  "_raw_date_id" AS "date_id",
  CASE WHEN regexp_full_match("_raw_day", '[+-]?[0-9]{1,10}') THEN TRY_CAST("_raw_day" AS INTEGER) END AS "day",
  CASE WHEN regexp_full_match("_raw_month", '[+-]?[0-9]{1,10}') THEN TRY_CAST("_raw_month" AS INTEGER) END AS "month",
  CASE WHEN regexp_full_match("_raw_year", '[+-]?[0-9]{1,10}') THEN TRY_CAST("_raw_year" AS INTEGER) END AS "year",
  CASE WHEN regexp_full_match("_raw_sale_date", '(?:0?[1-9]|[12][0-9]|3[01])/(?:0?[1-9]|1[0-2])/(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})') THEN CAST(try_strptime("_raw_sale_date", '%d/%m/%Y') AS DATE) END AS "sale_date",
  "_raw_branch_name" AS "branch_name",
  "_raw_dealer_name" AS "dealer_name",
  "_raw_product_name" AS "product_name" FROM (SELECT l._batch_id, l._source_file, l._row_number, l._rescued_data, l._fields, l."Branch_ID" AS "_src_0", l."Dealer_ID" AS "_src_1", l."Model_ID" AS "_src_2", l."Revenue" AS "_src_3", l."Units_Sold" AS "_src_4", l."Date_ID" AS "_src_5", l."Day" AS "_src_6", l."Month" AS "_src_7", l."Year" AS "_src_8", l."BranchName" AS "_src_9", l."DealerName" AS "_src_10", l."Product_Name" AS "_src_11", NULLIF("Branch_ID", '') AS "_raw_branch_id",
  NULLIF("Dealer_ID", '') AS "_raw_dealer_id",
  NULLIF("Model_ID", '') AS "_raw_model_id",
  NULLIF(trim("Revenue"), '') AS "_raw_revenue",
  NULLIF(trim("Units_Sold"), '') AS "_raw_units_sold",
  NULLIF("Date_ID", '') AS "_raw_date_id",
  NULLIF(trim("Day"), '') AS "_raw_day",
  NULLIF(trim("Month"), '') AS "_raw_month",
  NULLIF(trim("Year"), '') AS "_raw_year",
  NULLIF(trim("Day"), '') || '/' || NULLIF(trim("Month"), '') || '/' || NULLIF(trim("Year"), '') AS "_raw_sale_date",
  NULLIF("BranchName", '') AS "_raw_branch_name",
  NULLIF("DealerName", '') AS "_raw_dealer_name",
  NULLIF("Product_Name", '') AS "_raw_product_name" FROM "landing_raw_0" l) n) t) c;

CREATE OR REPLACE TEMP VIEW "bronze_stage" AS SELECT * EXCLUDE (_batch_id, _source_file) REPLACE (coalesce(_row_number, rowid + 1) AS _row_number), _batch_id, _source_file, rowid AS _stage_row FROM "bronze_stage_0";

INSERT INTO "quarantine"."car_sales" ("_batch_id", "_source_file", "_row_number", "_run_id", "_quarantined_at", "rule_ids", "messages", "raw", "repeat_of")
SELECT s._batch_id, s._source_file, s._row_number, 'run-golden', TIMESTAMPTZ '2026-01-01T00:00:00.000Z', s._rule_ids, s._messages, s._raw, p.first_batch
FROM "bronze_stage" s LEFT JOIN (SELECT raw, min(_batch_id) AS first_batch FROM "quarantine"."car_sales"
  WHERE raw IN (SELECT _raw FROM "bronze_stage" WHERE NOT _ok) GROUP BY raw) p ON p.raw = s._raw
WHERE NOT s._ok;

INSERT INTO "bronze"."car_sales" ("branch_id", "dealer_id", "model_id", "revenue", "units_sold", "date_id", "day", "month", "year", "sale_date", "branch_name", "dealer_name", "product_name", "_batch_id", "_source_file", "_row_number", "_ingested_at", "_run_id", "_rescued_data")
SELECT "branch_id", "dealer_id", "model_id", "revenue", "units_sold", "date_id", "day", "month", "year", "sale_date", "branch_name", "dealer_name", "product_name", _batch_id, _source_file, _row_number, TIMESTAMPTZ '2026-01-01T00:00:00.000Z', 'run-golden', _rescued_data FROM "bronze_stage" WHERE _ok;

SELECT count(*) AS rows_read, count(*) FILTER (WHERE _ok) AS rows_accepted, count(*) FILTER (WHERE NOT _ok) AS rows_quarantined, count(*) FILTER (WHERE "_warn_0") AS "warn_0" FROM "bronze_stage";

-- step silver (silver)

CREATE OR REPLACE TEMP TABLE "delta_superseded" AS SELECT _src_rowid FROM (SELECT d._src_rowid, row_number() OVER (PARTITION BY d."branch_id", d."dealer_id", d."model_id", d."date_id" ORDER BY d._batch_id DESC, d._source_file DESC, d._row_number DESC) AS _rn
  FROM (SELECT CAST(b."branch_id" AS VARCHAR) AS "branch_id", CAST(b."dealer_id" AS VARCHAR) AS "dealer_id", CAST(b."model_id" AS VARCHAR) AS "model_id", CAST(b."revenue" AS BIGINT) AS "revenue", CAST(b."units_sold" AS INTEGER) AS "units_sold", CAST(b."date_id" AS VARCHAR) AS "date_id", CAST(b."day" AS INTEGER) AS "day", CAST(b."month" AS INTEGER) AS "month", CAST(b."year" AS INTEGER) AS "year", CAST(b."sale_date" AS DATE) AS "sale_date", CAST(b."branch_name" AS VARCHAR) AS "branch_name", CAST(b."dealer_name" AS VARCHAR) AS "dealer_name", CAST(b."product_name" AS VARCHAR) AS "product_name", b._batch_id, b._source_file, b._row_number, TIMESTAMPTZ '2026-01-01T00:00:00.000Z' AS _ingested_at, 'run-golden' AS _run_id, b._rescued_data, b._stage_row AS _src_rowid FROM "bronze_stage" b WHERE b._ok) d SEMI JOIN (SELECT "branch_id", "dealer_id", "model_id", "date_id" FROM (SELECT CAST(b."branch_id" AS VARCHAR) AS "branch_id", CAST(b."dealer_id" AS VARCHAR) AS "dealer_id", CAST(b."model_id" AS VARCHAR) AS "model_id", CAST(b."revenue" AS BIGINT) AS "revenue", CAST(b."units_sold" AS INTEGER) AS "units_sold", CAST(b."date_id" AS VARCHAR) AS "date_id", CAST(b."day" AS INTEGER) AS "day", CAST(b."month" AS INTEGER) AS "month", CAST(b."year" AS INTEGER) AS "year", CAST(b."sale_date" AS DATE) AS "sale_date", CAST(b."branch_name" AS VARCHAR) AS "branch_name", CAST(b."dealer_name" AS VARCHAR) AS "dealer_name", CAST(b."product_name" AS VARCHAR) AS "product_name", b._batch_id, b._source_file, b._row_number, TIMESTAMPTZ '2026-01-01T00:00:00.000Z' AS _ingested_at, 'run-golden' AS _run_id, b._rescued_data FROM "bronze_stage" b WHERE b._ok) x GROUP BY "branch_id", "dealer_id", "model_id", "date_id" HAVING count(*) > 1) r ON r."branch_id" IS NOT DISTINCT FROM d."branch_id" AND r."dealer_id" IS NOT DISTINCT FROM d."dealer_id" AND r."model_id" IS NOT DISTINCT FROM d."model_id" AND r."date_id" IS NOT DISTINCT FROM d."date_id") ranked WHERE _rn > 1;

CREATE OR REPLACE TEMP TABLE "silver_delta" AS SELECT s._src_rowid, s."branch_id", s."dealer_id", s."model_id", s."date_id", CASE WHEN t."branch_id" IS NULL THEN 'insert' WHEN t._run_id = 'run-golden' THEN 'applied' WHEN (s._batch_id > t._batch_id OR (s._batch_id = t._batch_id AND (s._source_file > t._source_file OR (s._source_file = t._source_file AND s._row_number > t._row_number)))) THEN 'update' ELSE 'stale' END AS _action, t.rowid AS _stored_rowid
FROM (SELECT d.* FROM (SELECT CAST(b."branch_id" AS VARCHAR) AS "branch_id", CAST(b."dealer_id" AS VARCHAR) AS "dealer_id", CAST(b."model_id" AS VARCHAR) AS "model_id", CAST(b."revenue" AS BIGINT) AS "revenue", CAST(b."units_sold" AS INTEGER) AS "units_sold", CAST(b."date_id" AS VARCHAR) AS "date_id", CAST(b."day" AS INTEGER) AS "day", CAST(b."month" AS INTEGER) AS "month", CAST(b."year" AS INTEGER) AS "year", CAST(b."sale_date" AS DATE) AS "sale_date", CAST(b."branch_name" AS VARCHAR) AS "branch_name", CAST(b."dealer_name" AS VARCHAR) AS "dealer_name", CAST(b."product_name" AS VARCHAR) AS "product_name", b._batch_id, b._source_file, b._row_number, TIMESTAMPTZ '2026-01-01T00:00:00.000Z' AS _ingested_at, 'run-golden' AS _run_id, b._rescued_data, b._stage_row AS _src_rowid FROM "bronze_stage" b WHERE b._ok) d ANTI JOIN "delta_superseded" l ON l._src_rowid = d._src_rowid) s LEFT JOIN "silver"."car_sales" t ON s."branch_id" = t."branch_id" AND s."dealer_id" = t."dealer_id" AND s."model_id" = t."model_id" AND s."date_id" = t."date_id";

DELETE FROM "silver"."car_sales" AS t USING (SELECT _stored_rowid FROM "silver_delta" WHERE _action = 'update') AS s WHERE t.rowid = s._stored_rowid;

INSERT INTO "silver"."car_sales" ("branch_id", "dealer_id", "model_id", "revenue", "units_sold", "date_id", "day", "month", "year", "sale_date", "branch_name", "dealer_name", "product_name", _batch_id, _source_file, _row_number, _ingested_at, _run_id)
SELECT "branch_id", "dealer_id", "model_id", "revenue", "units_sold", "date_id", "day", "month", "year", "sale_date", "branch_name", "dealer_name", "product_name", _batch_id, _source_file, _row_number, _ingested_at, 'run-golden' FROM (SELECT CAST(b."branch_id" AS VARCHAR) AS "branch_id", CAST(b."dealer_id" AS VARCHAR) AS "dealer_id", CAST(b."model_id" AS VARCHAR) AS "model_id", CAST(b."revenue" AS BIGINT) AS "revenue", CAST(b."units_sold" AS INTEGER) AS "units_sold", CAST(b."date_id" AS VARCHAR) AS "date_id", CAST(b."day" AS INTEGER) AS "day", CAST(b."month" AS INTEGER) AS "month", CAST(b."year" AS INTEGER) AS "year", CAST(b."sale_date" AS DATE) AS "sale_date", CAST(b."branch_name" AS VARCHAR) AS "branch_name", CAST(b."dealer_name" AS VARCHAR) AS "dealer_name", CAST(b."product_name" AS VARCHAR) AS "product_name", b._batch_id, b._source_file, b._row_number, TIMESTAMPTZ '2026-01-01T00:00:00.000Z' AS _ingested_at, 'run-golden' AS _run_id, b._rescued_data, b._stage_row AS _src_rowid FROM "bronze_stage" b WHERE b._ok) d SEMI JOIN (SELECT _src_rowid FROM "silver_delta" WHERE _action IN ('insert', 'update')) c ON c._src_rowid = d._src_rowid;

CREATE OR REPLACE TEMP TABLE "changed_keys" AS SELECT "branch_id", "dealer_id", "model_id", "date_id" FROM "silver_delta" WHERE _action <> 'stale';

SELECT count(*) AS rows_in, count(*) FILTER (WHERE _action = 'insert') AS rows_inserted, count(*) FILTER (WHERE _action = 'update') AS rows_updated, count(*) FILTER (WHERE _action = 'stale') AS rows_stale, (SELECT count(*) FROM "delta_superseded") AS rows_superseded FROM "silver_delta";

-- step dim_branch (dimension)

CREATE OR REPLACE TEMP TABLE "changed_rows" AS SELECT s.* FROM "silver"."car_sales" s WHERE s._ingested_at = TIMESTAMPTZ '2026-01-01T00:00:00.000Z' AND s._run_id = 'run-golden';

CREATE OR REPLACE TEMP TABLE "src_dim_branch" AS SELECT "branch_id", "branch_name" FROM (SELECT r.*, row_number() OVER (PARTITION BY r."branch_id" ORDER BY r._batch_id DESC, r._source_file DESC, r._row_number DESC) AS _rn FROM "silver"."car_sales" r JOIN (SELECT DISTINCT s."branch_id" FROM (SELECT * FROM "changed_rows") s WHERE s."branch_id" IS NOT NULL) m ON m."branch_id" = r."branch_id") x WHERE _rn = 1;

CREATE OR REPLACE TEMP TABLE "new_dim_branch" AS SELECT s.*, row_number() OVER (ORDER BY s."branch_id") AS _member_no FROM (SELECT s.* FROM "src_dim_branch" s WHERE NOT EXISTS (SELECT 1 FROM "gold"."dim_branch" t WHERE t."branch_id" = s."branch_id")) s;

INSERT INTO "gold"."dim_branch" ("dim_branch_key", "branch_id", "branch_name", _updated_at, _run_id)
SELECT m.mx + s._member_no, s."branch_id", s."branch_name", TIMESTAMPTZ '2026-01-01T00:00:00.000Z', 'run-golden'
FROM "new_dim_branch" s CROSS JOIN (SELECT coalesce(max("dim_branch_key"), 0) AS mx FROM "gold"."dim_branch" WHERE "dim_branch_key" > 0) m;

MERGE INTO "gold"."dim_branch" AS t USING "src_dim_branch" AS s ON t."branch_id" = s."branch_id"
WHEN MATCHED AND (t."branch_name" IS DISTINCT FROM s."branch_name") THEN UPDATE SET "branch_name" = s."branch_name", _updated_at = TIMESTAMPTZ '2026-01-01T00:00:00.000Z', _run_id = 'run-golden';

SELECT count(*) AS members_added FROM "new_dim_branch";

-- step dim_dealer (dimension)

CREATE OR REPLACE TEMP TABLE "src_dim_dealer" AS SELECT "dealer_id", "dealer_name" FROM (SELECT r.*, row_number() OVER (PARTITION BY r."dealer_id" ORDER BY r._batch_id DESC, r._source_file DESC, r._row_number DESC) AS _rn FROM "silver"."car_sales" r JOIN (SELECT DISTINCT s."dealer_id" FROM (SELECT * FROM "changed_rows") s WHERE s."dealer_id" IS NOT NULL) m ON m."dealer_id" = r."dealer_id") x WHERE _rn = 1;

CREATE OR REPLACE TEMP TABLE "new_dim_dealer" AS SELECT s.*, row_number() OVER (ORDER BY s."dealer_id") AS _member_no FROM (SELECT s.* FROM "src_dim_dealer" s WHERE NOT EXISTS (SELECT 1 FROM "gold"."dim_dealer" t WHERE t."dealer_id" = s."dealer_id")) s;

INSERT INTO "gold"."dim_dealer" ("dim_dealer_key", "dealer_id", "dealer_name", _updated_at, _run_id)
SELECT m.mx + s._member_no, s."dealer_id", s."dealer_name", TIMESTAMPTZ '2026-01-01T00:00:00.000Z', 'run-golden'
FROM "new_dim_dealer" s CROSS JOIN (SELECT coalesce(max("dim_dealer_key"), 0) AS mx FROM "gold"."dim_dealer" WHERE "dim_dealer_key" > 0) m;

MERGE INTO "gold"."dim_dealer" AS t USING "src_dim_dealer" AS s ON t."dealer_id" = s."dealer_id"
WHEN MATCHED AND (t."dealer_name" IS DISTINCT FROM s."dealer_name") THEN UPDATE SET "dealer_name" = s."dealer_name", _updated_at = TIMESTAMPTZ '2026-01-01T00:00:00.000Z', _run_id = 'run-golden';

SELECT count(*) AS members_added FROM "new_dim_dealer";

-- step dim_model (dimension)

CREATE OR REPLACE TEMP TABLE "src_dim_model" AS SELECT "model_id", "product_name" FROM (SELECT r.*, row_number() OVER (PARTITION BY r."model_id" ORDER BY r._batch_id DESC, r._source_file DESC, r._row_number DESC) AS _rn FROM "silver"."car_sales" r JOIN (SELECT DISTINCT s."model_id" FROM (SELECT * FROM "changed_rows") s WHERE s."model_id" IS NOT NULL) m ON m."model_id" = r."model_id") x WHERE _rn = 1;

CREATE OR REPLACE TEMP TABLE "new_dim_model" AS SELECT s.*, row_number() OVER (ORDER BY s."model_id") AS _member_no FROM (SELECT s.* FROM "src_dim_model" s WHERE NOT EXISTS (SELECT 1 FROM "gold"."dim_model" t WHERE t."model_id" = s."model_id")) s;

INSERT INTO "gold"."dim_model" ("dim_model_key", "model_id", "product_name", _updated_at, _run_id)
SELECT m.mx + s._member_no, s."model_id", s."product_name", TIMESTAMPTZ '2026-01-01T00:00:00.000Z', 'run-golden'
FROM "new_dim_model" s CROSS JOIN (SELECT coalesce(max("dim_model_key"), 0) AS mx FROM "gold"."dim_model" WHERE "dim_model_key" > 0) m;

MERGE INTO "gold"."dim_model" AS t USING "src_dim_model" AS s ON t."model_id" = s."model_id"
WHEN MATCHED AND (t."product_name" IS DISTINCT FROM s."product_name") THEN UPDATE SET "product_name" = s."product_name", _updated_at = TIMESTAMPTZ '2026-01-01T00:00:00.000Z', _run_id = 'run-golden';

SELECT count(*) AS members_added FROM "new_dim_model";

-- step dim_date (dimension)

CREATE OR REPLACE TEMP TABLE "src_dim_date" AS SELECT DISTINCT CAST(s."sale_date" AS DATE) AS d FROM (SELECT * FROM "changed_rows") s WHERE s."sale_date" IS NOT NULL;

INSERT INTO "gold"."dim_date" ("dim_date_key", "date", "year", "quarter", "month", "month_name", "day", "day_of_week", "day_name", "week_of_year", "is_weekend")
SELECT (year(x.d) * 10000 + month(x.d) * 100 + day(x.d)), x.d, year(x.d), quarter(x.d), month(x.d), monthname(x.d), day(x.d), isodow(x.d), dayname(x.d), weekofyear(x.d), isodow(x.d) >= 6
FROM "src_dim_date" x WHERE NOT EXISTS (SELECT 1 FROM "gold"."dim_date" t WHERE t."dim_date_key" = (year(x.d) * 10000 + month(x.d) * 100 + day(x.d)));

SELECT count(*) AS members_seen FROM "src_dim_date";

-- step fact_sales (fact)

CREATE OR REPLACE TEMP TABLE "fact_src" AS SELECT s."branch_id", s."dealer_id", s."model_id", s."revenue", s."units_sold", s."date_id", s."sale_date", coalesce(d0."dim_branch_key", -1) AS "dim_branch_key", coalesce(d1."dim_dealer_key", -1) AS "dim_dealer_key", coalesce(d2."dim_model_key", -1) AS "dim_model_key", coalesce(year(CAST(s."sale_date" AS DATE)) * 10000 + month(CAST(s."sale_date" AS DATE)) * 100 + day(CAST(s."sale_date" AS DATE)), -1) AS "dim_date_key", false AS _deleted
FROM (SELECT * FROM "changed_rows") s LEFT JOIN "gold"."dim_branch" d0 ON d0."branch_id" = s."branch_id" LEFT JOIN "gold"."dim_dealer" d1 ON d1."dealer_id" = s."dealer_id" LEFT JOIN "gold"."dim_model" d2 ON d2."model_id" = s."model_id";

CREATE OR REPLACE TEMP TABLE "fact_stored" AS SELECT f."sale_date", f."dim_branch_key", f."dim_model_key", f."revenue", f."units_sold", f.rowid AS _stored_rowid FROM "gold"."fact_sales" f SEMI JOIN "changed_keys" c ON c."branch_id" = f."branch_id" AND c."dealer_id" = f."dealer_id" AND c."model_id" = f."model_id" AND c."date_id" = f."date_id";

CREATE OR REPLACE TEMP TABLE "agg_delta" AS SELECT day, "dim_branch_key", "dim_model_key", sum("revenue") AS "revenue", sum("units_sold") AS "units_sold", sum("sales_count") AS "sales_count" FROM (
SELECT CAST(f."sale_date" AS DATE) AS day, f."dim_branch_key", f."dim_model_key", -f."revenue" AS "revenue", -f."units_sold" AS "units_sold", CASE WHEN f."revenue" IS NULL THEN 0 ELSE -1 END AS "sales_count" FROM "fact_stored" f WHERE f."sale_date" IS NOT NULL
UNION ALL SELECT CAST(s."sale_date" AS DATE) AS day, s."dim_branch_key", s."dim_model_key", s."revenue" AS "revenue", s."units_sold" AS "units_sold", CASE WHEN s."revenue" IS NULL THEN 0 ELSE 1 END AS "sales_count" FROM "fact_src" s WHERE NOT s._deleted AND s."sale_date" IS NOT NULL) x
GROUP BY day, "dim_branch_key", "dim_model_key" HAVING sum("revenue") <> 0 OR sum("units_sold") <> 0 OR sum("sales_count") <> 0;

DELETE FROM "gold"."fact_sales" AS t USING (SELECT _stored_rowid FROM "fact_stored" WHERE _stored_rowid IS NOT NULL) AS s WHERE t.rowid = s._stored_rowid;

INSERT INTO "gold"."fact_sales" ("branch_id", "dealer_id", "model_id", "revenue", "units_sold", "date_id", "sale_date", "dim_branch_key", "dim_dealer_key", "dim_model_key", "dim_date_key", _updated_at, _run_id)
SELECT s."branch_id", s."dealer_id", s."model_id", s."revenue", s."units_sold", s."date_id", s."sale_date", s."dim_branch_key", s."dim_dealer_key", s."dim_model_key", s."dim_date_key", TIMESTAMPTZ '2026-01-01T00:00:00.000Z', 'run-golden' FROM "fact_src" s WHERE NOT s._deleted;

SELECT count(*) FILTER (WHERE NOT _deleted) AS rows_upserted, count(*) FILTER (WHERE _deleted) AS rows_deleted FROM "fact_src";

-- step agg_sales_daily (aggregate)

CREATE OR REPLACE TEMP TABLE "agg_next" AS SELECT d.day, d."dim_branch_key", d."dim_model_key", CAST(coalesce(t."revenue", 0) + d."revenue" AS DECIMAL(38, 0)) AS "revenue", CAST(coalesce(t."units_sold", 0) + d."units_sold" AS DECIMAL(38, 0)) AS "units_sold", CAST(coalesce(t."sales_count", 0) + d."sales_count" AS BIGINT) AS "sales_count", t.rowid AS _stored_rowid
FROM "agg_delta" d LEFT JOIN "gold"."agg_sales_daily" t ON t.day = d.day AND t."dim_branch_key" = d."dim_branch_key" AND t."dim_model_key" = d."dim_model_key";

DELETE FROM "gold"."agg_sales_daily" AS t USING (SELECT _stored_rowid FROM "agg_next" WHERE _stored_rowid IS NOT NULL) AS s WHERE t.rowid = s._stored_rowid;

INSERT INTO "gold"."agg_sales_daily" (day, "dim_branch_key", "dim_model_key", "revenue", "units_sold", "sales_count", _updated_at)
SELECT day, "dim_branch_key", "dim_model_key", "revenue", "units_sold", "sales_count", TIMESTAMPTZ '2026-01-01T00:00:00.000Z' FROM "agg_next" WHERE "sales_count" > 0;

SELECT count(*) AS groups_updated, count(DISTINCT day) AS days_updated FROM "agg_next";