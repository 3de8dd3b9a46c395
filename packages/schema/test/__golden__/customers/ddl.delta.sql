CREATE TABLE IF NOT EXISTS `saleslake`.`silver`.`customers` (
  `customer_id` STRING NOT NULL COMMENT 'CRM customer number.',
  `full_name` STRING NOT NULL,
  `email` STRING,
  `segment` STRING NOT NULL,
  `region` STRING NOT NULL,
  `updated_at` TIMESTAMP NOT NULL COMMENT 'Last change in the CRM, UTC.',
  `is_deleted` BOOLEAN,
  `valid_from` TIMESTAMP NOT NULL COMMENT 'Start of this version\'s validity (sequence value).',
  `valid_to` TIMESTAMP COMMENT 'End of validity; NULL while current.',
  `is_current` BOOLEAN NOT NULL COMMENT 'True for the current version of the key.',
  `_batch_id` STRING NOT NULL COMMENT 'Landing batch the row came from.',
  `_source_file` STRING NOT NULL COMMENT 'Landed file the row came from.',
  `_row_number` BIGINT NOT NULL COMMENT 'Row number within the source file (1-based, after the header).',
  `_ingested_at` TIMESTAMP NOT NULL COMMENT 'When the row was loaded into bronze (UTC).'
)
USING DELTA
COMMENT 'Customer master data from the CRM.'
TBLPROPERTIES (
  'delta.enableChangeDataFeed' = 'true',
  'delta.enableDeletionVectors' = 'true',
  'delta.autoOptimize.optimizeWrite' = 'true',
  'delta.autoOptimize.autoCompact' = 'true'
);
ALTER TABLE `saleslake`.`silver`.`customers` DROP CONSTRAINT IF EXISTS `ck_customer_id_pattern`;
ALTER TABLE `saleslake`.`silver`.`customers` ADD CONSTRAINT `ck_customer_id_pattern` CHECK ((`customer_id` IS NULL OR `customer_id` RLIKE '^(C[0-9]{6})$'));
ALTER TABLE `saleslake`.`silver`.`customers` DROP CONSTRAINT IF EXISTS `ck_full_name_max_length`;
ALTER TABLE `saleslake`.`silver`.`customers` ADD CONSTRAINT `ck_full_name_max_length` CHECK ((`full_name` IS NULL OR char_length(`full_name`) <= 200));
ALTER TABLE `saleslake`.`silver`.`customers` DROP CONSTRAINT IF EXISTS `ck_email_max_length`;
ALTER TABLE `saleslake`.`silver`.`customers` ADD CONSTRAINT `ck_email_max_length` CHECK ((`email` IS NULL OR char_length(`email`) <= 320));
ALTER TABLE `saleslake`.`silver`.`customers` DROP CONSTRAINT IF EXISTS `ck_email_pattern`;
ALTER TABLE `saleslake`.`silver`.`customers` ADD CONSTRAINT `ck_email_pattern` CHECK ((`email` IS NULL OR `email` RLIKE '^([^@ ]+@[^@ ]+)$'));
ALTER TABLE `saleslake`.`silver`.`customers` DROP CONSTRAINT IF EXISTS `ck_segment_enum`;
ALTER TABLE `saleslake`.`silver`.`customers` ADD CONSTRAINT `ck_segment_enum` CHECK ((`segment` IS NULL OR `segment` IN ('consumer', 'business', 'fleet')));
ALTER TABLE `saleslake`.`silver`.`customers` DROP CONSTRAINT IF EXISTS `ck_region_max_length`;
ALTER TABLE `saleslake`.`silver`.`customers` ADD CONSTRAINT `ck_region_max_length` CHECK ((`region` IS NULL OR char_length(`region`) <= 64));
ALTER TABLE `saleslake`.`silver`.`customers` ALTER COLUMN `full_name` SET TAGS ('pii' = 'name');
ALTER TABLE `saleslake`.`silver`.`customers` ALTER COLUMN `email` SET TAGS ('pii' = 'email');
