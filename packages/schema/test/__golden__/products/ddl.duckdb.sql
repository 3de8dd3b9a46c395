CREATE SCHEMA IF NOT EXISTS "silver";
CREATE TABLE IF NOT EXISTS "silver"."products" (
  "product_id" VARCHAR NOT NULL,
  "product_name" VARCHAR NOT NULL,
  "category" VARCHAR NOT NULL,
  "list_price" DECIMAL(12, 2) NOT NULL,
  "updated_at" TIMESTAMPTZ NOT NULL,
  "_batch_id" VARCHAR NOT NULL,
  "_source_file" VARCHAR NOT NULL,
  "_row_number" BIGINT NOT NULL,
  "_ingested_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE "silver"."products" IS 'Products that can be sold, with list prices.';
COMMENT ON COLUMN "silver"."products"."_batch_id" IS 'Landing batch the row came from.';
COMMENT ON COLUMN "silver"."products"."_source_file" IS 'Landed file the row came from.';
COMMENT ON COLUMN "silver"."products"."_row_number" IS 'Row number within the source file (1-based, after the header).';
COMMENT ON COLUMN "silver"."products"."_ingested_at" IS 'When the row was loaded into bronze (UTC).';
