CREATE SCHEMA IF NOT EXISTS "silver";
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
  "_ingested_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE "silver"."car_sales" IS 'Car sales per branch, dealer, model and day, as exported by the dealer network.';
COMMENT ON COLUMN "silver"."car_sales"."branch_id" IS 'Selling branch code, e.g. BR0001.';
COMMENT ON COLUMN "silver"."car_sales"."dealer_id" IS 'Dealer code, e.g. DLR0001.';
COMMENT ON COLUMN "silver"."car_sales"."model_id" IS 'Car model code, e.g. BMW-M1.';
COMMENT ON COLUMN "silver"."car_sales"."revenue" IS 'Revenue of the sale, in whole currency units.';
COMMENT ON COLUMN "silver"."car_sales"."units_sold" IS 'Number of cars sold.';
COMMENT ON COLUMN "silver"."car_sales"."date_id" IS 'The source system''s date surrogate (DTnnnnn); not in date order.';
COMMENT ON COLUMN "silver"."car_sales"."sale_date" IS 'Calendar date of the sale, from Day/Month/Year.';
COMMENT ON COLUMN "silver"."car_sales"."product_name" IS 'Car make.';
COMMENT ON COLUMN "silver"."car_sales"."_batch_id" IS 'Landing batch the row came from.';
COMMENT ON COLUMN "silver"."car_sales"."_source_file" IS 'Landed file the row came from.';
COMMENT ON COLUMN "silver"."car_sales"."_row_number" IS 'Row number within the source file (1-based, after the header).';
COMMENT ON COLUMN "silver"."car_sales"."_ingested_at" IS 'When the row was loaded into bronze (UTC).';
