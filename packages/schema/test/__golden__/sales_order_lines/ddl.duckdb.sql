CREATE SCHEMA IF NOT EXISTS "silver";
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
  "_ingested_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE "silver"."sales_order_lines" IS 'One row per order line, as maintained by the order system.';
COMMENT ON COLUMN "silver"."sales_order_lines"."order_date" IS 'Date the order was placed.';
COMMENT ON COLUMN "silver"."sales_order_lines"."updated_at" IS 'Last change of the line, UTC. Never in the future.';
COMMENT ON COLUMN "silver"."sales_order_lines"."_batch_id" IS 'Landing batch the row came from.';
COMMENT ON COLUMN "silver"."sales_order_lines"."_source_file" IS 'Landed file the row came from.';
COMMENT ON COLUMN "silver"."sales_order_lines"."_row_number" IS 'Row number within the source file (1-based, after the header).';
COMMENT ON COLUMN "silver"."sales_order_lines"."_ingested_at" IS 'When the row was loaded into bronze (UTC).';
