CREATE TABLE IF NOT EXISTS `saleslake`.`silver`.`products` (
  `product_id` STRING NOT NULL,
  `product_name` STRING NOT NULL,
  `category` STRING NOT NULL,
  `list_price` DECIMAL(12, 2) NOT NULL,
  `updated_at` TIMESTAMP NOT NULL,
  `_batch_id` STRING NOT NULL COMMENT 'Landing batch the row came from.',
  `_source_file` STRING NOT NULL COMMENT 'Landed file the row came from.',
  `_row_number` BIGINT NOT NULL COMMENT 'Row number within the source file (1-based, after the header).',
  `_ingested_at` TIMESTAMP NOT NULL COMMENT 'When the row was loaded into bronze (UTC).',
  CONSTRAINT `pk_products` PRIMARY KEY (`product_id`)
)
USING DELTA
CLUSTER BY (`category`)
COMMENT 'Products that can be sold, with list prices.'
TBLPROPERTIES (
  'delta.enableChangeDataFeed' = 'true',
  'delta.enableDeletionVectors' = 'true',
  'delta.autoOptimize.optimizeWrite' = 'true',
  'delta.autoOptimize.autoCompact' = 'true'
);
ALTER TABLE `saleslake`.`silver`.`products` DROP CONSTRAINT IF EXISTS `ck_product_id_pattern`;
ALTER TABLE `saleslake`.`silver`.`products` ADD CONSTRAINT `ck_product_id_pattern` CHECK ((`product_id` IS NULL OR `product_id` RLIKE '^(P-[0-9]{5})$'));
ALTER TABLE `saleslake`.`silver`.`products` DROP CONSTRAINT IF EXISTS `ck_product_name_max_length`;
ALTER TABLE `saleslake`.`silver`.`products` ADD CONSTRAINT `ck_product_name_max_length` CHECK ((`product_name` IS NULL OR char_length(`product_name`) <= 200));
ALTER TABLE `saleslake`.`silver`.`products` DROP CONSTRAINT IF EXISTS `ck_category_max_length`;
ALTER TABLE `saleslake`.`silver`.`products` ADD CONSTRAINT `ck_category_max_length` CHECK ((`category` IS NULL OR char_length(`category`) <= 64));
ALTER TABLE `saleslake`.`silver`.`products` DROP CONSTRAINT IF EXISTS `ck_list_price_min`;
ALTER TABLE `saleslake`.`silver`.`products` ADD CONSTRAINT `ck_list_price_min` CHECK ((`list_price` IS NULL OR `list_price` >= 0));
