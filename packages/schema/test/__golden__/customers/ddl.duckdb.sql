CREATE SCHEMA IF NOT EXISTS "silver";
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
  "_ingested_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE "silver"."customers" IS 'Customer master data from the CRM.';
COMMENT ON COLUMN "silver"."customers"."customer_id" IS 'CRM customer number.';
COMMENT ON COLUMN "silver"."customers"."updated_at" IS 'Last change in the CRM, UTC.';
COMMENT ON COLUMN "silver"."customers"."valid_from" IS 'Start of this version''s validity (sequence value).';
COMMENT ON COLUMN "silver"."customers"."valid_to" IS 'End of validity; NULL while current.';
COMMENT ON COLUMN "silver"."customers"."is_current" IS 'True for the current version of the key.';
COMMENT ON COLUMN "silver"."customers"."_batch_id" IS 'Landing batch the row came from.';
COMMENT ON COLUMN "silver"."customers"."_source_file" IS 'Landed file the row came from.';
COMMENT ON COLUMN "silver"."customers"."_row_number" IS 'Row number within the source file (1-based, after the header).';
COMMENT ON COLUMN "silver"."customers"."_ingested_at" IS 'When the row was loaded into bronze (UTC).';
