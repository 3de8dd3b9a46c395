CREATE TABLE IF NOT EXISTS `saleslake`.`silver`.`car_sales` (
  `branch_id` STRING NOT NULL COMMENT 'Selling branch code, e.g. BR0001.',
  `dealer_id` STRING NOT NULL COMMENT 'Dealer code, e.g. DLR0001.',
  `model_id` STRING NOT NULL COMMENT 'Car model code, e.g. BMW-M1.',
  `revenue` BIGINT NOT NULL COMMENT 'Revenue of the sale, in whole currency units.',
  `units_sold` INT NOT NULL COMMENT 'Number of cars sold.',
  `date_id` STRING NOT NULL COMMENT 'The source system\'s date surrogate (DTnnnnn); not in date order.',
  `day` INT NOT NULL,
  `month` INT NOT NULL,
  `year` INT NOT NULL,
  `sale_date` DATE NOT NULL COMMENT 'Calendar date of the sale, from Day/Month/Year.',
  `branch_name` STRING NOT NULL,
  `dealer_name` STRING,
  `product_name` STRING NOT NULL COMMENT 'Car make.',
  `_batch_id` STRING NOT NULL COMMENT 'Landing batch the row came from.',
  `_source_file` STRING NOT NULL COMMENT 'Landed file the row came from.',
  `_row_number` BIGINT NOT NULL COMMENT 'Row number within the source file (1-based, after the header).',
  `_ingested_at` TIMESTAMP NOT NULL COMMENT 'When the row was loaded into bronze (UTC).',
  CONSTRAINT `pk_car_sales` PRIMARY KEY (`branch_id`, `dealer_id`, `model_id`, `date_id`)
)
USING DELTA
CLUSTER BY (`sale_date`)
COMMENT 'Car sales per branch, dealer, model and day, as exported by the dealer network.'
TBLPROPERTIES (
  'delta.enableChangeDataFeed' = 'true',
  'delta.enableDeletionVectors' = 'true',
  'delta.autoOptimize.optimizeWrite' = 'true',
  'delta.autoOptimize.autoCompact' = 'true'
);
ALTER TABLE `saleslake`.`silver`.`car_sales` DROP CONSTRAINT IF EXISTS `ck_branch_id_min_length`;
ALTER TABLE `saleslake`.`silver`.`car_sales` ADD CONSTRAINT `ck_branch_id_min_length` CHECK ((`branch_id` IS NULL OR char_length(`branch_id`) >= 1));
ALTER TABLE `saleslake`.`silver`.`car_sales` DROP CONSTRAINT IF EXISTS `ck_branch_id_max_length`;
ALTER TABLE `saleslake`.`silver`.`car_sales` ADD CONSTRAINT `ck_branch_id_max_length` CHECK ((`branch_id` IS NULL OR char_length(`branch_id`) <= 16));
ALTER TABLE `saleslake`.`silver`.`car_sales` DROP CONSTRAINT IF EXISTS `ck_dealer_id_min_length`;
ALTER TABLE `saleslake`.`silver`.`car_sales` ADD CONSTRAINT `ck_dealer_id_min_length` CHECK ((`dealer_id` IS NULL OR char_length(`dealer_id`) >= 1));
ALTER TABLE `saleslake`.`silver`.`car_sales` DROP CONSTRAINT IF EXISTS `ck_dealer_id_max_length`;
ALTER TABLE `saleslake`.`silver`.`car_sales` ADD CONSTRAINT `ck_dealer_id_max_length` CHECK ((`dealer_id` IS NULL OR char_length(`dealer_id`) <= 16));
ALTER TABLE `saleslake`.`silver`.`car_sales` DROP CONSTRAINT IF EXISTS `ck_model_id_min_length`;
ALTER TABLE `saleslake`.`silver`.`car_sales` ADD CONSTRAINT `ck_model_id_min_length` CHECK ((`model_id` IS NULL OR char_length(`model_id`) >= 1));
ALTER TABLE `saleslake`.`silver`.`car_sales` DROP CONSTRAINT IF EXISTS `ck_model_id_max_length`;
ALTER TABLE `saleslake`.`silver`.`car_sales` ADD CONSTRAINT `ck_model_id_max_length` CHECK ((`model_id` IS NULL OR char_length(`model_id`) <= 16));
ALTER TABLE `saleslake`.`silver`.`car_sales` DROP CONSTRAINT IF EXISTS `ck_revenue_min`;
ALTER TABLE `saleslake`.`silver`.`car_sales` ADD CONSTRAINT `ck_revenue_min` CHECK ((`revenue` IS NULL OR `revenue` >= 0));
ALTER TABLE `saleslake`.`silver`.`car_sales` DROP CONSTRAINT IF EXISTS `ck_units_sold_min`;
ALTER TABLE `saleslake`.`silver`.`car_sales` ADD CONSTRAINT `ck_units_sold_min` CHECK ((`units_sold` IS NULL OR `units_sold` >= 0));
ALTER TABLE `saleslake`.`silver`.`car_sales` DROP CONSTRAINT IF EXISTS `ck_date_id_min_length`;
ALTER TABLE `saleslake`.`silver`.`car_sales` ADD CONSTRAINT `ck_date_id_min_length` CHECK ((`date_id` IS NULL OR char_length(`date_id`) >= 1));
ALTER TABLE `saleslake`.`silver`.`car_sales` DROP CONSTRAINT IF EXISTS `ck_date_id_max_length`;
ALTER TABLE `saleslake`.`silver`.`car_sales` ADD CONSTRAINT `ck_date_id_max_length` CHECK ((`date_id` IS NULL OR char_length(`date_id`) <= 16));
ALTER TABLE `saleslake`.`silver`.`car_sales` DROP CONSTRAINT IF EXISTS `ck_day_min`;
ALTER TABLE `saleslake`.`silver`.`car_sales` ADD CONSTRAINT `ck_day_min` CHECK ((`day` IS NULL OR `day` >= 1));
ALTER TABLE `saleslake`.`silver`.`car_sales` DROP CONSTRAINT IF EXISTS `ck_day_max`;
ALTER TABLE `saleslake`.`silver`.`car_sales` ADD CONSTRAINT `ck_day_max` CHECK ((`day` IS NULL OR `day` <= 31));
ALTER TABLE `saleslake`.`silver`.`car_sales` DROP CONSTRAINT IF EXISTS `ck_month_min`;
ALTER TABLE `saleslake`.`silver`.`car_sales` ADD CONSTRAINT `ck_month_min` CHECK ((`month` IS NULL OR `month` >= 1));
ALTER TABLE `saleslake`.`silver`.`car_sales` DROP CONSTRAINT IF EXISTS `ck_month_max`;
ALTER TABLE `saleslake`.`silver`.`car_sales` ADD CONSTRAINT `ck_month_max` CHECK ((`month` IS NULL OR `month` <= 12));
ALTER TABLE `saleslake`.`silver`.`car_sales` DROP CONSTRAINT IF EXISTS `ck_year_min`;
ALTER TABLE `saleslake`.`silver`.`car_sales` ADD CONSTRAINT `ck_year_min` CHECK ((`year` IS NULL OR `year` >= 1900));
ALTER TABLE `saleslake`.`silver`.`car_sales` DROP CONSTRAINT IF EXISTS `ck_year_max`;
ALTER TABLE `saleslake`.`silver`.`car_sales` ADD CONSTRAINT `ck_year_max` CHECK ((`year` IS NULL OR `year` <= 2999));
ALTER TABLE `saleslake`.`silver`.`car_sales` DROP CONSTRAINT IF EXISTS `ck_branch_name_max_length`;
ALTER TABLE `saleslake`.`silver`.`car_sales` ADD CONSTRAINT `ck_branch_name_max_length` CHECK ((`branch_name` IS NULL OR char_length(`branch_name`) <= 200));
ALTER TABLE `saleslake`.`silver`.`car_sales` DROP CONSTRAINT IF EXISTS `ck_dealer_name_max_length`;
ALTER TABLE `saleslake`.`silver`.`car_sales` ADD CONSTRAINT `ck_dealer_name_max_length` CHECK ((`dealer_name` IS NULL OR char_length(`dealer_name`) <= 200));
ALTER TABLE `saleslake`.`silver`.`car_sales` DROP CONSTRAINT IF EXISTS `ck_product_name_max_length`;
ALTER TABLE `saleslake`.`silver`.`car_sales` ADD CONSTRAINT `ck_product_name_max_length` CHECK ((`product_name` IS NULL OR char_length(`product_name`) <= 200));
ALTER TABLE `saleslake`.`silver`.`car_sales` ALTER COLUMN `dealer_name` SET TAGS ('pii' = 'name');
