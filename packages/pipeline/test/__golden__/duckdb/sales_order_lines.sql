CREATE TABLE IF NOT EXISTS "bronze"."sales_order_lines" (
  "order_id" VARCHAR,
  "line_number" INTEGER,
  "order_date" DATE,
  "customer_id" VARCHAR,
  "product_id" VARCHAR,
  "quantity" INTEGER,
  "unit_price" DECIMAL(12, 2),
  "discount_pct" DECIMAL(5, 2),
  "currency" VARCHAR,
  "status" VARCHAR,
  "channel" VARCHAR,
  "updated_at" TIMESTAMPTZ,
  "is_deleted" BOOLEAN,
  "_batch_id" VARCHAR NOT NULL,
  "_source_file" VARCHAR NOT NULL,
  "_row_number" BIGINT NOT NULL,
  "_ingested_at" TIMESTAMPTZ NOT NULL,
  "_run_id" VARCHAR NOT NULL,
  "_rescued_data" VARCHAR
);

CREATE TABLE IF NOT EXISTS "quarantine"."sales_order_lines" (
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

CREATE TABLE IF NOT EXISTS "silver"."sales_order_lines" (
  "order_id" VARCHAR NOT NULL,
  "line_number" INTEGER NOT NULL,
  "order_date" DATE NOT NULL,
  "customer_id" VARCHAR NOT NULL,
  "product_id" VARCHAR NOT NULL,
  "quantity" INTEGER NOT NULL,
  "unit_price" DECIMAL(12, 2) NOT NULL,
  "discount_pct" DECIMAL(5, 2),
  "currency" VARCHAR NOT NULL,
  "status" VARCHAR NOT NULL,
  "channel" VARCHAR,
  "updated_at" TIMESTAMPTZ NOT NULL,
  "is_deleted" BOOLEAN,
  "_batch_id" VARCHAR NOT NULL,
  "_source_file" VARCHAR NOT NULL,
  "_row_number" BIGINT NOT NULL,
  "_ingested_at" TIMESTAMPTZ NOT NULL,
  "_run_id" VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS "gold"."dim_customer" (
  "dim_customer_key" BIGINT NOT NULL,
  "customer_id" VARCHAR,
  "_updated_at" TIMESTAMPTZ,
  "_run_id" VARCHAR
);

INSERT INTO "gold"."dim_customer" ("dim_customer_key") SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM "gold"."dim_customer" WHERE "dim_customer_key" = -1);

CREATE TABLE IF NOT EXISTS "gold"."dim_product" (
  "dim_product_key" BIGINT NOT NULL,
  "product_id" VARCHAR,
  "_updated_at" TIMESTAMPTZ,
  "_run_id" VARCHAR
);

INSERT INTO "gold"."dim_product" ("dim_product_key") SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM "gold"."dim_product" WHERE "dim_product_key" = -1);

CREATE TABLE IF NOT EXISTS "gold"."dim_channel" (
  "dim_channel_key" BIGINT NOT NULL,
  "channel" VARCHAR,
  "_updated_at" TIMESTAMPTZ,
  "_run_id" VARCHAR
);

INSERT INTO "gold"."dim_channel" ("dim_channel_key") SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM "gold"."dim_channel" WHERE "dim_channel_key" = -1);

CREATE TABLE IF NOT EXISTS "gold"."dim_order_date" (
  "dim_order_date_key" BIGINT NOT NULL,
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

INSERT INTO "gold"."dim_order_date" ("dim_order_date_key") SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM "gold"."dim_order_date" WHERE "dim_order_date_key" = -1);

CREATE TABLE IF NOT EXISTS "gold"."fact_order_lines" (
  "order_id" VARCHAR NOT NULL,
  "line_number" INTEGER NOT NULL,
  "order_date" DATE,
  "quantity" INTEGER,
  "unit_price" DECIMAL(12, 2),
  "currency" VARCHAR,
  "status" VARCHAR,
  "dim_customer_key" BIGINT NOT NULL,
  "dim_product_key" BIGINT NOT NULL,
  "dim_channel_key" BIGINT NOT NULL,
  "dim_order_date_key" BIGINT NOT NULL,
  "_updated_at" TIMESTAMPTZ NOT NULL,
  "_run_id" VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS "gold"."agg_orders_daily" (
  "day" DATE NOT NULL,
  "dim_product_key" BIGINT NOT NULL,
  "quantity" DECIMAL(38, 0) USING COMPRESSION uncompressed,
  "line_count" BIGINT,
  "_updated_at" TIMESTAMPTZ NOT NULL
);



-- step bronze (bronze)

CREATE OR REPLACE TEMP TABLE "bronze_stage_0" AS SELECT "order_id", "line_number", "order_date", "customer_id", "product_id", "quantity", "unit_price", "discount_pct", "currency", "status", "channel", "updated_at", "is_deleted", _batch_id, _source_file, _row_number, _rescued_data, _ok,
  CASE WHEN NOT _ok THEN list_filter([CASE WHEN NOT coalesce(_fields <= 0, false) THEN 'row.fields_extra' END, CASE WHEN NOT coalesce(_fields >= 0, false) THEN 'row.fields_missing' END, CASE WHEN NOT coalesce("_raw_order_id" IS NOT NULL, false) THEN 'order_id.not_null' END, CASE WHEN NOT coalesce(("order_id" IS NULL OR length("order_id") <= 10), false) THEN 'order_id.max_length' END, CASE WHEN NOT coalesce(("order_id" IS NULL OR regexp_full_match("order_id", 'SO[0-9]{8}')), false) THEN 'order_id.pattern' END, CASE WHEN NOT coalesce("_raw_line_number" IS NOT NULL, false) THEN 'line_number.not_null' END, CASE WHEN NOT coalesce(("_raw_line_number" IS NULL OR "line_number" IS NOT NULL), false) THEN 'line_number.parse' END, CASE WHEN NOT coalesce(("line_number" IS NULL OR "line_number" >= 1), false) THEN 'line_number.min' END, CASE WHEN NOT coalesce(("line_number" IS NULL OR "line_number" <= 9999), false) THEN 'line_number.max' END, CASE WHEN NOT coalesce("_raw_order_date" IS NOT NULL, false) THEN 'order_date.not_null' END, CASE WHEN NOT coalesce(("_raw_order_date" IS NULL OR "order_date" IS NOT NULL), false) THEN 'order_date.parse' END, CASE WHEN NOT coalesce("_raw_customer_id" IS NOT NULL, false) THEN 'customer_id.not_null' END, CASE WHEN NOT coalesce(("customer_id" IS NULL OR length("customer_id") <= 7), false) THEN 'customer_id.max_length' END, CASE WHEN NOT coalesce(("customer_id" IS NULL OR regexp_full_match("customer_id", 'C[0-9]{6}')), false) THEN 'customer_id.pattern' END, CASE WHEN NOT coalesce("_raw_product_id" IS NOT NULL, false) THEN 'product_id.not_null' END, CASE WHEN NOT coalesce(("product_id" IS NULL OR length("product_id") <= 7), false) THEN 'product_id.max_length' END, CASE WHEN NOT coalesce(("product_id" IS NULL OR regexp_full_match("product_id", 'P-[0-9]{5}')), false) THEN 'product_id.pattern' END, CASE WHEN NOT coalesce("_raw_quantity" IS NOT NULL, false) THEN 'quantity.not_null' END, CASE WHEN NOT coalesce(("_raw_quantity" IS NULL OR "quantity" IS NOT NULL), false) THEN 'quantity.parse' END, CASE WHEN NOT coalesce(("quantity" IS NULL OR "quantity" >= 1), false) THEN 'quantity.min' END, CASE WHEN NOT coalesce(("quantity" IS NULL OR "quantity" <= 100000), false) THEN 'quantity.max' END, CASE WHEN NOT coalesce("_raw_unit_price" IS NOT NULL, false) THEN 'unit_price.not_null' END, CASE WHEN NOT coalesce(("_raw_unit_price" IS NULL OR "unit_price" IS NOT NULL), false) THEN 'unit_price.parse' END, CASE WHEN NOT coalesce(("unit_price" IS NULL OR "unit_price" >= 0), false) THEN 'unit_price.min' END, CASE WHEN NOT coalesce(("_raw_discount_pct" IS NULL OR "discount_pct" IS NOT NULL), false) THEN 'discount_pct.parse' END, CASE WHEN NOT coalesce(("discount_pct" IS NULL OR "discount_pct" >= 0), false) THEN 'discount_pct.min' END, CASE WHEN NOT coalesce(("discount_pct" IS NULL OR "discount_pct" <= 100), false) THEN 'discount_pct.max' END, CASE WHEN NOT coalesce("_raw_currency" IS NOT NULL, false) THEN 'currency.not_null' END, CASE WHEN NOT coalesce(("currency" IS NULL OR "currency" IN ('EUR', 'USD', 'GBP')), false) THEN 'currency.enum' END, CASE WHEN NOT coalesce("_raw_status" IS NOT NULL, false) THEN 'status.not_null' END, CASE WHEN NOT coalesce(("status" IS NULL OR "status" IN ('open', 'shipped', 'invoiced', 'cancelled')), false) THEN 'status.enum' END, CASE WHEN NOT coalesce(("channel" IS NULL OR length("channel") <= 32), false) THEN 'channel.max_length' END, CASE WHEN NOT coalesce("_raw_updated_at" IS NOT NULL, false) THEN 'updated_at.not_null' END, CASE WHEN NOT coalesce(("_raw_updated_at" IS NULL OR "updated_at" IS NOT NULL), false) THEN 'updated_at.parse' END, CASE WHEN NOT coalesce(("updated_at" IS NULL OR "updated_at" <= current_timestamp), false) THEN 'updated_at.max' END, CASE WHEN NOT coalesce(("_raw_is_deleted" IS NULL OR "is_deleted" IS NOT NULL), false) THEN 'is_deleted.parse' END, CASE WHEN NOT coalesce(coalesce((quantity * unit_price <= 100000000), true), false) THEN 'row.net_amount_bounded' END], lambda x: x IS NOT NULL) END AS _rule_ids,
  CASE WHEN NOT _ok THEN list_filter([CASE WHEN NOT coalesce(_fields <= 0, false) THEN 'more fields than the file''s header: a delimiter at the end of the row, or in a value that is not quoted?' END, CASE WHEN NOT coalesce(_fields >= 0, false) THEN 'fewer fields than the file''s header: a row cut short, or a line break in a value that is not quoted?' END, CASE WHEN NOT coalesce("_raw_order_id" IS NOT NULL, false) THEN 'order_id: a value is required' END, CASE WHEN NOT coalesce(("order_id" IS NULL OR length("order_id") <= 10), false) THEN 'order_id: longer than 10 characters' END, CASE WHEN NOT coalesce(("order_id" IS NULL OR regexp_full_match("order_id", 'SO[0-9]{8}')), false) THEN 'order_id: does not match the pattern SO[0-9]{8}' END, CASE WHEN NOT coalesce("_raw_line_number" IS NOT NULL, false) THEN 'line_number: a value is required' END, CASE WHEN NOT coalesce(("_raw_line_number" IS NULL OR "line_number" IS NOT NULL), false) THEN 'line_number: not a valid int' END, CASE WHEN NOT coalesce(("line_number" IS NULL OR "line_number" >= 1), false) THEN 'line_number: below the minimum 1' END, CASE WHEN NOT coalesce(("line_number" IS NULL OR "line_number" <= 9999), false) THEN 'line_number: above the maximum 9999' END, CASE WHEN NOT coalesce("_raw_order_date" IS NOT NULL, false) THEN 'order_date: a value is required' END, CASE WHEN NOT coalesce(("_raw_order_date" IS NULL OR "order_date" IS NOT NULL), false) THEN 'order_date: not a valid date' END, CASE WHEN NOT coalesce("_raw_customer_id" IS NOT NULL, false) THEN 'customer_id: a value is required' END, CASE WHEN NOT coalesce(("customer_id" IS NULL OR length("customer_id") <= 7), false) THEN 'customer_id: longer than 7 characters' END, CASE WHEN NOT coalesce(("customer_id" IS NULL OR regexp_full_match("customer_id", 'C[0-9]{6}')), false) THEN 'customer_id: does not match the pattern C[0-9]{6}' END, CASE WHEN NOT coalesce("_raw_product_id" IS NOT NULL, false) THEN 'product_id: a value is required' END, CASE WHEN NOT coalesce(("product_id" IS NULL OR length("product_id") <= 7), false) THEN 'product_id: longer than 7 characters' END, CASE WHEN NOT coalesce(("product_id" IS NULL OR regexp_full_match("product_id", 'P-[0-9]{5}')), false) THEN 'product_id: does not match the pattern P-[0-9]{5}' END, CASE WHEN NOT coalesce("_raw_quantity" IS NOT NULL, false) THEN 'quantity: a value is required' END, CASE WHEN NOT coalesce(("_raw_quantity" IS NULL OR "quantity" IS NOT NULL), false) THEN 'quantity: not a valid int' END, CASE WHEN NOT coalesce(("quantity" IS NULL OR "quantity" >= 1), false) THEN 'quantity: below the minimum 1' END, CASE WHEN NOT coalesce(("quantity" IS NULL OR "quantity" <= 100000), false) THEN 'quantity: above the maximum 100000' END, CASE WHEN NOT coalesce("_raw_unit_price" IS NOT NULL, false) THEN 'unit_price: a value is required' END, CASE WHEN NOT coalesce(("_raw_unit_price" IS NULL OR "unit_price" IS NOT NULL), false) THEN 'unit_price: not a valid decimal(12,2)' END, CASE WHEN NOT coalesce(("unit_price" IS NULL OR "unit_price" >= 0), false) THEN 'unit_price: below the minimum 0' END, CASE WHEN NOT coalesce(("_raw_discount_pct" IS NULL OR "discount_pct" IS NOT NULL), false) THEN 'discount_pct: not a valid decimal(5,2)' END, CASE WHEN NOT coalesce(("discount_pct" IS NULL OR "discount_pct" >= 0), false) THEN 'discount_pct: below the minimum 0' END, CASE WHEN NOT coalesce(("discount_pct" IS NULL OR "discount_pct" <= 100), false) THEN 'discount_pct: above the maximum 100' END, CASE WHEN NOT coalesce("_raw_currency" IS NOT NULL, false) THEN 'currency: a value is required' END, CASE WHEN NOT coalesce(("currency" IS NULL OR "currency" IN ('EUR', 'USD', 'GBP')), false) THEN 'currency: not one of EUR, USD, GBP' END, CASE WHEN NOT coalesce("_raw_status" IS NOT NULL, false) THEN 'status: a value is required' END, CASE WHEN NOT coalesce(("status" IS NULL OR "status" IN ('open', 'shipped', 'invoiced', 'cancelled')), false) THEN 'status: not one of open, shipped, invoiced, cancelled' END, CASE WHEN NOT coalesce(("channel" IS NULL OR length("channel") <= 32), false) THEN 'channel: longer than 32 characters' END, CASE WHEN NOT coalesce("_raw_updated_at" IS NOT NULL, false) THEN 'updated_at: a value is required' END, CASE WHEN NOT coalesce(("_raw_updated_at" IS NULL OR "updated_at" IS NOT NULL), false) THEN 'updated_at: not a valid timestamp' END, CASE WHEN NOT coalesce(("updated_at" IS NULL OR "updated_at" <= current_timestamp), false) THEN 'updated_at: in the future' END, CASE WHEN NOT coalesce(("_raw_is_deleted" IS NULL OR "is_deleted" IS NOT NULL), false) THEN 'is_deleted: not a valid boolean' END, CASE WHEN NOT coalesce(coalesce((quantity * unit_price <= 100000000), true), false) THEN 'line amount exceeds 100,000,000' END], lambda x: x IS NOT NULL) END AS _messages,
  CASE WHEN NOT _ok THEN CASE WHEN _rescued_data IS NULL THEN CAST(json_object('OrderID', "_src_0", 'LineNo', "_src_1", 'order_date', "_src_2", 'customer_id', "_src_3", 'product_id', "_src_4", 'quantity', "_src_5", 'unit_price', "_src_6", 'discount_pct', "_src_7", 'currency', "_src_8", 'status', "_src_9", 'channel', "_src_10", 'updated_at', "_src_11", 'is_deleted', "_src_12") AS VARCHAR) ELSE substr(CAST(json_object('OrderID', "_src_0", 'LineNo', "_src_1", 'order_date', "_src_2", 'customer_id', "_src_3", 'product_id', "_src_4", 'quantity', "_src_5", 'unit_price', "_src_6", 'discount_pct', "_src_7", 'currency', "_src_8", 'status', "_src_9", 'channel', "_src_10", 'updated_at', "_src_11", 'is_deleted', "_src_12") AS VARCHAR), 1, length(CAST(json_object('OrderID', "_src_0", 'LineNo', "_src_1", 'order_date', "_src_2", 'customer_id', "_src_3", 'product_id', "_src_4", 'quantity', "_src_5", 'unit_price', "_src_6", 'discount_pct', "_src_7", 'currency', "_src_8", 'status', "_src_9", 'channel', "_src_10", 'updated_at', "_src_11", 'is_deleted', "_src_12") AS VARCHAR)) - 1) || ',' || substr(_rescued_data, 2) END END AS _raw
FROM (SELECT t.*, coalesce(_fields <= 0, false) AND coalesce(_fields >= 0, false) AND coalesce("_raw_order_id" IS NOT NULL, false) AND coalesce(("order_id" IS NULL OR length("order_id") <= 10), false) AND coalesce(("order_id" IS NULL OR regexp_full_match("order_id", 'SO[0-9]{8}')), false) AND coalesce("_raw_line_number" IS NOT NULL, false) AND coalesce(("_raw_line_number" IS NULL OR "line_number" IS NOT NULL), false) AND coalesce(("line_number" IS NULL OR "line_number" >= 1), false) AND coalesce(("line_number" IS NULL OR "line_number" <= 9999), false) AND coalesce("_raw_order_date" IS NOT NULL, false) AND coalesce(("_raw_order_date" IS NULL OR "order_date" IS NOT NULL), false) AND coalesce("_raw_customer_id" IS NOT NULL, false) AND coalesce(("customer_id" IS NULL OR length("customer_id") <= 7), false) AND coalesce(("customer_id" IS NULL OR regexp_full_match("customer_id", 'C[0-9]{6}')), false) AND coalesce("_raw_product_id" IS NOT NULL, false) AND coalesce(("product_id" IS NULL OR length("product_id") <= 7), false) AND coalesce(("product_id" IS NULL OR regexp_full_match("product_id", 'P-[0-9]{5}')), false) AND coalesce("_raw_quantity" IS NOT NULL, false) AND coalesce(("_raw_quantity" IS NULL OR "quantity" IS NOT NULL), false) AND coalesce(("quantity" IS NULL OR "quantity" >= 1), false) AND coalesce(("quantity" IS NULL OR "quantity" <= 100000), false) AND coalesce("_raw_unit_price" IS NOT NULL, false) AND coalesce(("_raw_unit_price" IS NULL OR "unit_price" IS NOT NULL), false) AND coalesce(("unit_price" IS NULL OR "unit_price" >= 0), false) AND coalesce(("_raw_discount_pct" IS NULL OR "discount_pct" IS NOT NULL), false) AND coalesce(("discount_pct" IS NULL OR "discount_pct" >= 0), false) AND coalesce(("discount_pct" IS NULL OR "discount_pct" <= 100), false) AND coalesce("_raw_currency" IS NOT NULL, false) AND coalesce(("currency" IS NULL OR "currency" IN ('EUR', 'USD', 'GBP')), false) AND coalesce("_raw_status" IS NOT NULL, false) AND coalesce(("status" IS NULL OR "status" IN ('open', 'shipped', 'invoiced', 'cancelled')), false) AND coalesce(("channel" IS NULL OR length("channel") <= 32), false) AND coalesce("_raw_updated_at" IS NOT NULL, false) AND coalesce(("_raw_updated_at" IS NULL OR "updated_at" IS NOT NULL), false) AND coalesce(("updated_at" IS NULL OR "updated_at" <= current_timestamp), false) AND coalesce(("_raw_is_deleted" IS NULL OR "is_deleted" IS NOT NULL), false) AND coalesce(coalesce((quantity * unit_price <= 100000000), true), false) AS _ok FROM (SELECT n.*, "_raw_order_id" AS "order_id",
  CASE WHEN regexp_full_match("_raw_line_number", '[+-]?[0-9]{1,10}') THEN TRY_CAST("_raw_line_number" AS INTEGER) END AS "line_number",
  CASE WHEN regexp_full_match("_raw_order_date", '(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])') THEN CAST(try_strptime("_raw_order_date", '%Y-%m-%d') AS DATE) END AS "order_date",
  "_raw_customer_id" AS "customer_id",
  "_raw_product_id" AS "product_id",
  CASE WHEN regexp_full_match("_raw_quantity", '[+-]?[0-9]{1,10}') THEN TRY_CAST("_raw_quantity" AS INTEGER) END AS "quantity",
  CASE WHEN regexp_full_match("_raw_unit_price", '[+-]?(?:0*[0-9]{1,10}(?:[.][0-9]{0,2}0*)?|[.][0-9]{1,2}0*)') THEN TRY_CAST("_raw_unit_price" AS DECIMAL(12, 2)) END AS "unit_price",
  CASE WHEN regexp_full_match("_raw_discount_pct", '[+-]?(?:0*[0-9]{1,3}(?:[.][0-9]{0,2}0*)?|[.][0-9]{1,2}0*)') THEN TRY_CAST("_raw_discount_pct" AS DECIMAL(5, 2)) END AS "discount_pct",
  "_raw_currency" AS "currency",
  "_raw_status" AS "status",
  "_raw_channel" AS "channel",
  CASE WHEN regexp_full_match("_raw_updated_at", '(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])(?:[T ](?:[01][0-9]|2[0-3]):(?:[0-5][0-9])(?::(?:[0-5][0-9])(?:[.][0-9]{1,9})?)?|[T ](?:[01][0-9]|2[0-3]):(?:[0-5][0-9]):(?:[0-5][0-9])(?:[.][0-9]{1,9})?(?:Z|[+-](?:(?:0[0-9]|1[0-7]):[0-5][0-9]|18:00)))?') THEN CASE WHEN TRY_CAST("_raw_updated_at" AS TIMESTAMPTZ) BETWEEN TIMESTAMPTZ '0001-01-01 00:00:00+00:00' AND TIMESTAMPTZ '9999-12-31 23:59:59.999999+00:00' THEN TRY_CAST("_raw_updated_at" AS TIMESTAMPTZ) END END AS "updated_at",
  CASE WHEN lower("_raw_is_deleted") IN ('true', 't', 'yes', 'y', '1') THEN true WHEN lower("_raw_is_deleted") IN ('false', 'f', 'no', 'n', '0') THEN false END AS "is_deleted" FROM (SELECT l._batch_id, l._source_file, l._row_number, l._rescued_data, l._fields, l."OrderID" AS "_src_0", l."LineNo" AS "_src_1", l."order_date" AS "_src_2", l."customer_id" AS "_src_3", l."product_id" AS "_src_4", l."quantity" AS "_src_5", l."unit_price" AS "_src_6", l."discount_pct" AS "_src_7", l."currency" AS "_src_8", l."status" AS "_src_9", l."channel" AS "_src_10", l."updated_at" AS "_src_11", l."is_deleted" AS "_src_12", NULLIF("OrderID", '') AS "_raw_order_id",
  NULLIF(trim("LineNo"), '') AS "_raw_line_number",
  NULLIF(trim("order_date"), '') AS "_raw_order_date",
  NULLIF("customer_id", '') AS "_raw_customer_id",
  NULLIF("product_id", '') AS "_raw_product_id",
  NULLIF(trim("quantity"), '') AS "_raw_quantity",
  NULLIF(trim("unit_price"), '') AS "_raw_unit_price",
  NULLIF(trim("discount_pct"), '') AS "_raw_discount_pct",
  NULLIF("currency", '') AS "_raw_currency",
  NULLIF("status", '') AS "_raw_status",
  NULLIF("channel", '') AS "_raw_channel",
  NULLIF(trim("updated_at"), '') AS "_raw_updated_at",
  NULLIF(trim("is_deleted"), '') AS "_raw_is_deleted" FROM "landing_raw_0" l) n) t) c;

CREATE OR REPLACE TEMP VIEW "bronze_stage" AS SELECT * EXCLUDE (_batch_id, _source_file) REPLACE (coalesce(_row_number, rowid + 1) AS _row_number), _batch_id, _source_file, rowid AS _stage_row FROM "bronze_stage_0";

INSERT INTO "quarantine"."sales_order_lines" ("_batch_id", "_source_file", "_row_number", "_run_id", "_quarantined_at", "rule_ids", "messages", "raw", "repeat_of")
SELECT s._batch_id, s._source_file, s._row_number, 'run-golden', TIMESTAMPTZ '2026-01-01T00:00:00.000Z', s._rule_ids, s._messages, s._raw, p.first_batch
FROM "bronze_stage" s LEFT JOIN (SELECT raw, min(_batch_id) AS first_batch FROM "quarantine"."sales_order_lines"
  WHERE raw IN (SELECT _raw FROM "bronze_stage" WHERE NOT _ok) GROUP BY raw) p ON p.raw = s._raw
WHERE NOT s._ok;

INSERT INTO "bronze"."sales_order_lines" ("order_id", "line_number", "order_date", "customer_id", "product_id", "quantity", "unit_price", "discount_pct", "currency", "status", "channel", "updated_at", "is_deleted", "_batch_id", "_source_file", "_row_number", "_ingested_at", "_run_id", "_rescued_data")
SELECT "order_id", "line_number", "order_date", "customer_id", "product_id", "quantity", "unit_price", "discount_pct", "currency", "status", "channel", "updated_at", "is_deleted", _batch_id, _source_file, _row_number, TIMESTAMPTZ '2026-01-01T00:00:00.000Z', 'run-golden', _rescued_data FROM "bronze_stage" WHERE _ok;

SELECT count(*) AS rows_read, count(*) FILTER (WHERE _ok) AS rows_accepted, count(*) FILTER (WHERE NOT _ok) AS rows_quarantined FROM "bronze_stage";

-- step silver (silver)

CREATE OR REPLACE TEMP TABLE "delta_superseded" AS SELECT _src_rowid FROM (SELECT d._src_rowid, row_number() OVER (PARTITION BY d."order_id", d."line_number" ORDER BY d."updated_at" DESC NULLS LAST, d._batch_id ASC, d._source_file ASC, d._row_number ASC) AS _rn
  FROM (SELECT CAST(b."order_id" AS VARCHAR) AS "order_id", CAST(b."line_number" AS INTEGER) AS "line_number", CAST(b."order_date" AS DATE) AS "order_date", CAST(b."customer_id" AS VARCHAR) AS "customer_id", CAST(b."product_id" AS VARCHAR) AS "product_id", CAST(b."quantity" AS INTEGER) AS "quantity", CAST(b."unit_price" AS DECIMAL(12, 2)) AS "unit_price", CAST(b."discount_pct" AS DECIMAL(5, 2)) AS "discount_pct", CAST(b."currency" AS VARCHAR) AS "currency", CAST(b."status" AS VARCHAR) AS "status", CAST(b."channel" AS VARCHAR) AS "channel", CAST(b."updated_at" AS TIMESTAMPTZ) AS "updated_at", CAST(b."is_deleted" AS BOOLEAN) AS "is_deleted", b._batch_id, b._source_file, b._row_number, TIMESTAMPTZ '2026-01-01T00:00:00.000Z' AS _ingested_at, 'run-golden' AS _run_id, b._rescued_data, b._stage_row AS _src_rowid FROM "bronze_stage" b WHERE b._ok) d SEMI JOIN (SELECT "order_id", "line_number" FROM (SELECT CAST(b."order_id" AS VARCHAR) AS "order_id", CAST(b."line_number" AS INTEGER) AS "line_number", CAST(b."order_date" AS DATE) AS "order_date", CAST(b."customer_id" AS VARCHAR) AS "customer_id", CAST(b."product_id" AS VARCHAR) AS "product_id", CAST(b."quantity" AS INTEGER) AS "quantity", CAST(b."unit_price" AS DECIMAL(12, 2)) AS "unit_price", CAST(b."discount_pct" AS DECIMAL(5, 2)) AS "discount_pct", CAST(b."currency" AS VARCHAR) AS "currency", CAST(b."status" AS VARCHAR) AS "status", CAST(b."channel" AS VARCHAR) AS "channel", CAST(b."updated_at" AS TIMESTAMPTZ) AS "updated_at", CAST(b."is_deleted" AS BOOLEAN) AS "is_deleted", b._batch_id, b._source_file, b._row_number, TIMESTAMPTZ '2026-01-01T00:00:00.000Z' AS _ingested_at, 'run-golden' AS _run_id, b._rescued_data FROM "bronze_stage" b WHERE b._ok) x GROUP BY "order_id", "line_number" HAVING count(*) > 1) r ON r."order_id" IS NOT DISTINCT FROM d."order_id" AND r."line_number" IS NOT DISTINCT FROM d."line_number") ranked WHERE _rn > 1;

CREATE OR REPLACE TEMP TABLE "silver_delta" AS SELECT s._src_rowid, s."order_id", s."line_number", s."is_deleted", CASE WHEN t."order_id" IS NULL THEN 'insert' WHEN t._run_id = 'run-golden' THEN 'applied' WHEN (s."updated_at" > t."updated_at" OR (t."updated_at" IS NULL AND s."updated_at" IS NOT NULL)) THEN 'update' ELSE 'stale' END AS _action, t.rowid AS _stored_rowid
FROM (SELECT d.* FROM (SELECT CAST(b."order_id" AS VARCHAR) AS "order_id", CAST(b."line_number" AS INTEGER) AS "line_number", CAST(b."order_date" AS DATE) AS "order_date", CAST(b."customer_id" AS VARCHAR) AS "customer_id", CAST(b."product_id" AS VARCHAR) AS "product_id", CAST(b."quantity" AS INTEGER) AS "quantity", CAST(b."unit_price" AS DECIMAL(12, 2)) AS "unit_price", CAST(b."discount_pct" AS DECIMAL(5, 2)) AS "discount_pct", CAST(b."currency" AS VARCHAR) AS "currency", CAST(b."status" AS VARCHAR) AS "status", CAST(b."channel" AS VARCHAR) AS "channel", CAST(b."updated_at" AS TIMESTAMPTZ) AS "updated_at", CAST(b."is_deleted" AS BOOLEAN) AS "is_deleted", b._batch_id, b._source_file, b._row_number, TIMESTAMPTZ '2026-01-01T00:00:00.000Z' AS _ingested_at, 'run-golden' AS _run_id, b._rescued_data, b._stage_row AS _src_rowid FROM "bronze_stage" b WHERE b._ok) d ANTI JOIN "delta_superseded" l ON l._src_rowid = d._src_rowid) s LEFT JOIN "silver"."sales_order_lines" t ON s."order_id" = t."order_id" AND s."line_number" = t."line_number";

DELETE FROM "silver"."sales_order_lines" AS t USING (SELECT _stored_rowid FROM "silver_delta" WHERE _action = 'update') AS s WHERE t.rowid = s._stored_rowid;

INSERT INTO "silver"."sales_order_lines" ("order_id", "line_number", "order_date", "customer_id", "product_id", "quantity", "unit_price", "discount_pct", "currency", "status", "channel", "updated_at", "is_deleted", _batch_id, _source_file, _row_number, _ingested_at, _run_id)
SELECT "order_id", "line_number", "order_date", "customer_id", "product_id", "quantity", "unit_price", "discount_pct", "currency", "status", "channel", "updated_at", "is_deleted", _batch_id, _source_file, _row_number, _ingested_at, 'run-golden' FROM (SELECT CAST(b."order_id" AS VARCHAR) AS "order_id", CAST(b."line_number" AS INTEGER) AS "line_number", CAST(b."order_date" AS DATE) AS "order_date", CAST(b."customer_id" AS VARCHAR) AS "customer_id", CAST(b."product_id" AS VARCHAR) AS "product_id", CAST(b."quantity" AS INTEGER) AS "quantity", CAST(b."unit_price" AS DECIMAL(12, 2)) AS "unit_price", CAST(b."discount_pct" AS DECIMAL(5, 2)) AS "discount_pct", CAST(b."currency" AS VARCHAR) AS "currency", CAST(b."status" AS VARCHAR) AS "status", CAST(b."channel" AS VARCHAR) AS "channel", CAST(b."updated_at" AS TIMESTAMPTZ) AS "updated_at", CAST(b."is_deleted" AS BOOLEAN) AS "is_deleted", b._batch_id, b._source_file, b._row_number, TIMESTAMPTZ '2026-01-01T00:00:00.000Z' AS _ingested_at, 'run-golden' AS _run_id, b._rescued_data, b._stage_row AS _src_rowid FROM "bronze_stage" b WHERE b._ok) d SEMI JOIN (SELECT _src_rowid FROM "silver_delta" WHERE _action IN ('insert', 'update')) c ON c._src_rowid = d._src_rowid;

CREATE OR REPLACE TEMP TABLE "changed_keys" AS SELECT "order_id", "line_number" FROM "silver_delta" WHERE _action <> 'stale';

SELECT count(*) AS rows_in, count(*) FILTER (WHERE _action = 'insert') AS rows_inserted, count(*) FILTER (WHERE _action = 'update') AS rows_updated, count(*) FILTER (WHERE _action = 'stale') AS rows_stale, (SELECT count(*) FROM "delta_superseded") AS rows_superseded, count(*) FILTER (WHERE _action IN ('insert', 'update') AND coalesce("is_deleted", false)) AS rows_deleted FROM "silver_delta";

-- step dim_customer (dimension)

CREATE OR REPLACE TEMP TABLE "changed_rows" AS SELECT s.* FROM "silver"."sales_order_lines" s WHERE s._ingested_at = TIMESTAMPTZ '2026-01-01T00:00:00.000Z' AND s._run_id = 'run-golden';

CREATE OR REPLACE TEMP TABLE "src_dim_customer" AS SELECT DISTINCT s."customer_id" FROM (SELECT * FROM "changed_rows") s WHERE s."customer_id" IS NOT NULL;

CREATE OR REPLACE TEMP TABLE "new_dim_customer" AS SELECT s.*, row_number() OVER (ORDER BY s."customer_id") AS _member_no FROM (SELECT s.* FROM "src_dim_customer" s WHERE NOT EXISTS (SELECT 1 FROM "gold"."dim_customer" t WHERE t."customer_id" = s."customer_id")) s;

INSERT INTO "gold"."dim_customer" ("dim_customer_key", "customer_id", _updated_at, _run_id)
SELECT m.mx + s._member_no, s."customer_id", TIMESTAMPTZ '2026-01-01T00:00:00.000Z', 'run-golden'
FROM "new_dim_customer" s CROSS JOIN (SELECT coalesce(max("dim_customer_key"), 0) AS mx FROM "gold"."dim_customer" WHERE "dim_customer_key" > 0) m;

SELECT count(*) AS members_added FROM "new_dim_customer";

-- step dim_product (dimension)

CREATE OR REPLACE TEMP TABLE "src_dim_product" AS SELECT DISTINCT s."product_id" FROM (SELECT * FROM "changed_rows") s WHERE s."product_id" IS NOT NULL;

CREATE OR REPLACE TEMP TABLE "new_dim_product" AS SELECT s.*, row_number() OVER (ORDER BY s."product_id") AS _member_no FROM (SELECT s.* FROM "src_dim_product" s WHERE NOT EXISTS (SELECT 1 FROM "gold"."dim_product" t WHERE t."product_id" = s."product_id")) s;

INSERT INTO "gold"."dim_product" ("dim_product_key", "product_id", _updated_at, _run_id)
SELECT m.mx + s._member_no, s."product_id", TIMESTAMPTZ '2026-01-01T00:00:00.000Z', 'run-golden'
FROM "new_dim_product" s CROSS JOIN (SELECT coalesce(max("dim_product_key"), 0) AS mx FROM "gold"."dim_product" WHERE "dim_product_key" > 0) m;

SELECT count(*) AS members_added FROM "new_dim_product";

-- step dim_channel (dimension)

CREATE OR REPLACE TEMP TABLE "src_dim_channel" AS SELECT DISTINCT s."channel" FROM (SELECT * FROM "changed_rows") s WHERE s."channel" IS NOT NULL;

CREATE OR REPLACE TEMP TABLE "new_dim_channel" AS SELECT s.*, row_number() OVER (ORDER BY s."channel") AS _member_no FROM (SELECT s.* FROM "src_dim_channel" s WHERE NOT EXISTS (SELECT 1 FROM "gold"."dim_channel" t WHERE t."channel" = s."channel")) s;

INSERT INTO "gold"."dim_channel" ("dim_channel_key", "channel", _updated_at, _run_id)
SELECT m.mx + s._member_no, s."channel", TIMESTAMPTZ '2026-01-01T00:00:00.000Z', 'run-golden'
FROM "new_dim_channel" s CROSS JOIN (SELECT coalesce(max("dim_channel_key"), 0) AS mx FROM "gold"."dim_channel" WHERE "dim_channel_key" > 0) m;

SELECT count(*) AS members_added FROM "new_dim_channel";

-- step dim_order_date (dimension)

CREATE OR REPLACE TEMP TABLE "src_dim_order_date" AS SELECT DISTINCT CAST(s."order_date" AS DATE) AS d FROM (SELECT * FROM "changed_rows") s WHERE s."order_date" IS NOT NULL;

INSERT INTO "gold"."dim_order_date" ("dim_order_date_key", "date", "year", "quarter", "month", "month_name", "day", "day_of_week", "day_name", "week_of_year", "is_weekend")
SELECT (year(x.d) * 10000 + month(x.d) * 100 + day(x.d)), x.d, year(x.d), quarter(x.d), month(x.d), monthname(x.d), day(x.d), isodow(x.d), dayname(x.d), weekofyear(x.d), isodow(x.d) >= 6
FROM "src_dim_order_date" x WHERE NOT EXISTS (SELECT 1 FROM "gold"."dim_order_date" t WHERE t."dim_order_date_key" = (year(x.d) * 10000 + month(x.d) * 100 + day(x.d)));

SELECT count(*) AS members_seen FROM "src_dim_order_date";

-- step fact_order_lines (fact)

CREATE OR REPLACE TEMP TABLE "fact_src" AS SELECT s."order_id", s."line_number", s."order_date", s."quantity", s."unit_price", s."currency", s."status", coalesce(d0."dim_customer_key", -1) AS "dim_customer_key", coalesce(d1."dim_product_key", -1) AS "dim_product_key", coalesce(d2."dim_channel_key", -1) AS "dim_channel_key", coalesce(year(CAST(s."order_date" AS DATE)) * 10000 + month(CAST(s."order_date" AS DATE)) * 100 + day(CAST(s."order_date" AS DATE)), -1) AS "dim_order_date_key", coalesce(s."is_deleted", false) AS _deleted
FROM (SELECT * FROM "changed_rows") s LEFT JOIN "gold"."dim_customer" d0 ON d0."customer_id" = s."customer_id" LEFT JOIN "gold"."dim_product" d1 ON d1."product_id" = s."product_id" LEFT JOIN "gold"."dim_channel" d2 ON d2."channel" = s."channel";

CREATE OR REPLACE TEMP TABLE "fact_stored" AS SELECT f."order_date", f."dim_product_key", f."quantity", f."order_id", f.rowid AS _stored_rowid FROM "gold"."fact_order_lines" f SEMI JOIN "changed_keys" c ON c."order_id" = f."order_id" AND c."line_number" = f."line_number";

CREATE OR REPLACE TEMP TABLE "agg_delta" AS SELECT day, "dim_product_key", sum("quantity") AS "quantity", sum("line_count") AS "line_count" FROM (
SELECT CAST(f."order_date" AS DATE) AS day, f."dim_product_key", -f."quantity" AS "quantity", CASE WHEN f."order_id" IS NULL THEN 0 ELSE -1 END AS "line_count" FROM "fact_stored" f WHERE f."order_date" IS NOT NULL
UNION ALL SELECT CAST(s."order_date" AS DATE) AS day, s."dim_product_key", s."quantity" AS "quantity", CASE WHEN s."order_id" IS NULL THEN 0 ELSE 1 END AS "line_count" FROM "fact_src" s WHERE NOT s._deleted AND s."order_date" IS NOT NULL) x
GROUP BY day, "dim_product_key" HAVING sum("quantity") <> 0 OR sum("line_count") <> 0;

DELETE FROM "gold"."fact_order_lines" AS t USING (SELECT _stored_rowid FROM "fact_stored" WHERE _stored_rowid IS NOT NULL) AS s WHERE t.rowid = s._stored_rowid;

INSERT INTO "gold"."fact_order_lines" ("order_id", "line_number", "order_date", "quantity", "unit_price", "currency", "status", "dim_customer_key", "dim_product_key", "dim_channel_key", "dim_order_date_key", _updated_at, _run_id)
SELECT s."order_id", s."line_number", s."order_date", s."quantity", s."unit_price", s."currency", s."status", s."dim_customer_key", s."dim_product_key", s."dim_channel_key", s."dim_order_date_key", TIMESTAMPTZ '2026-01-01T00:00:00.000Z', 'run-golden' FROM "fact_src" s WHERE NOT s._deleted;

SELECT count(*) FILTER (WHERE NOT _deleted) AS rows_upserted, count(*) FILTER (WHERE _deleted) AS rows_deleted FROM "fact_src";

-- step agg_orders_daily (aggregate)

CREATE OR REPLACE TEMP TABLE "agg_next" AS SELECT d.day, d."dim_product_key", CAST(coalesce(t."quantity", 0) + d."quantity" AS DECIMAL(38, 0)) AS "quantity", CAST(coalesce(t."line_count", 0) + d."line_count" AS BIGINT) AS "line_count", t.rowid AS _stored_rowid
FROM "agg_delta" d LEFT JOIN "gold"."agg_orders_daily" t ON t.day = d.day AND t."dim_product_key" = d."dim_product_key";

DELETE FROM "gold"."agg_orders_daily" AS t USING (SELECT _stored_rowid FROM "agg_next" WHERE _stored_rowid IS NOT NULL) AS s WHERE t.rowid = s._stored_rowid;

INSERT INTO "gold"."agg_orders_daily" (day, "dim_product_key", "quantity", "line_count", _updated_at)
SELECT day, "dim_product_key", "quantity", "line_count", TIMESTAMPTZ '2026-01-01T00:00:00.000Z' FROM "agg_next" WHERE "line_count" > 0;

SELECT count(*) AS groups_updated, count(DISTINCT day) AS days_updated FROM "agg_next";