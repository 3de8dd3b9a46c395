CREATE TABLE IF NOT EXISTS `saleslake`.`silver`.`sales_order_lines` (
  `order_id` STRING NOT NULL,
  `line_number` INT NOT NULL,
  `order_date` DATE NOT NULL COMMENT 'Date the order was placed.',
  `customer_id` STRING NOT NULL,
  `product_id` STRING NOT NULL,
  `quantity` INT NOT NULL,
  `unit_price` DECIMAL(12, 2) NOT NULL,
  `discount_pct` DECIMAL(5, 2),
  `currency` STRING NOT NULL,
  `status` STRING NOT NULL,
  `channel` STRING,
  `updated_at` TIMESTAMP NOT NULL COMMENT 'Last change of the line, UTC. Never in the future.',
  `is_deleted` BOOLEAN,
  `_batch_id` STRING NOT NULL COMMENT 'Landing batch the row came from.',
  `_source_file` STRING NOT NULL COMMENT 'Landed file the row came from.',
  `_row_number` BIGINT NOT NULL COMMENT 'Row number within the source file (1-based, after the header).',
  `_ingested_at` TIMESTAMP NOT NULL COMMENT 'When the row was loaded into bronze (UTC).',
  CONSTRAINT `pk_sales_order_lines` PRIMARY KEY (`order_id`, `line_number`)
)
USING DELTA
CLUSTER BY (`order_date`, `customer_id`)
COMMENT 'One row per order line, as maintained by the order system.'
TBLPROPERTIES (
  'delta.enableChangeDataFeed' = 'true',
  'delta.enableDeletionVectors' = 'true',
  'delta.autoOptimize.optimizeWrite' = 'true',
  'delta.autoOptimize.autoCompact' = 'true'
);
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` DROP CONSTRAINT IF EXISTS `ck_order_id_max_length`;
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` ADD CONSTRAINT `ck_order_id_max_length` CHECK ((`order_id` IS NULL OR char_length(`order_id`) <= 10));
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` DROP CONSTRAINT IF EXISTS `ck_order_id_pattern`;
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` ADD CONSTRAINT `ck_order_id_pattern` CHECK ((`order_id` IS NULL OR `order_id` RLIKE '^(SO[0-9]{8})$'));
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` DROP CONSTRAINT IF EXISTS `ck_line_number_min`;
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` ADD CONSTRAINT `ck_line_number_min` CHECK ((`line_number` IS NULL OR `line_number` >= 1));
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` DROP CONSTRAINT IF EXISTS `ck_line_number_max`;
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` ADD CONSTRAINT `ck_line_number_max` CHECK ((`line_number` IS NULL OR `line_number` <= 9999));
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` DROP CONSTRAINT IF EXISTS `ck_customer_id_max_length`;
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` ADD CONSTRAINT `ck_customer_id_max_length` CHECK ((`customer_id` IS NULL OR char_length(`customer_id`) <= 7));
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` DROP CONSTRAINT IF EXISTS `ck_customer_id_pattern`;
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` ADD CONSTRAINT `ck_customer_id_pattern` CHECK ((`customer_id` IS NULL OR `customer_id` RLIKE '^(C[0-9]{6})$'));
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` DROP CONSTRAINT IF EXISTS `ck_product_id_max_length`;
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` ADD CONSTRAINT `ck_product_id_max_length` CHECK ((`product_id` IS NULL OR char_length(`product_id`) <= 7));
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` DROP CONSTRAINT IF EXISTS `ck_product_id_pattern`;
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` ADD CONSTRAINT `ck_product_id_pattern` CHECK ((`product_id` IS NULL OR `product_id` RLIKE '^(P-[0-9]{5})$'));
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` DROP CONSTRAINT IF EXISTS `ck_quantity_min`;
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` ADD CONSTRAINT `ck_quantity_min` CHECK ((`quantity` IS NULL OR `quantity` >= 1));
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` DROP CONSTRAINT IF EXISTS `ck_quantity_max`;
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` ADD CONSTRAINT `ck_quantity_max` CHECK ((`quantity` IS NULL OR `quantity` <= 100000));
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` DROP CONSTRAINT IF EXISTS `ck_unit_price_min`;
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` ADD CONSTRAINT `ck_unit_price_min` CHECK ((`unit_price` IS NULL OR `unit_price` >= 0));
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` DROP CONSTRAINT IF EXISTS `ck_discount_pct_min`;
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` ADD CONSTRAINT `ck_discount_pct_min` CHECK ((`discount_pct` IS NULL OR `discount_pct` >= 0));
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` DROP CONSTRAINT IF EXISTS `ck_discount_pct_max`;
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` ADD CONSTRAINT `ck_discount_pct_max` CHECK ((`discount_pct` IS NULL OR `discount_pct` <= 100));
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` DROP CONSTRAINT IF EXISTS `ck_currency_enum`;
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` ADD CONSTRAINT `ck_currency_enum` CHECK ((`currency` IS NULL OR `currency` IN ('EUR', 'USD', 'GBP')));
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` DROP CONSTRAINT IF EXISTS `ck_status_enum`;
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` ADD CONSTRAINT `ck_status_enum` CHECK ((`status` IS NULL OR `status` IN ('open', 'shipped', 'invoiced', 'cancelled')));
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` DROP CONSTRAINT IF EXISTS `ck_channel_max_length`;
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` ADD CONSTRAINT `ck_channel_max_length` CHECK ((`channel` IS NULL OR char_length(`channel`) <= 32));
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` DROP CONSTRAINT IF EXISTS `ck_row_net_amount_bounded`;
ALTER TABLE `saleslake`.`silver`.`sales_order_lines` ADD CONSTRAINT `ck_row_net_amount_bounded` CHECK (coalesce((quantity * unit_price <= 100000000), true));
