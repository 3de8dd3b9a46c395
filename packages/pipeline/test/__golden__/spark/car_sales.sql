CREATE TABLE IF NOT EXISTS `${catalog}`.`bronze`.`car_sales` (
  `branch_id` STRING,
  `dealer_id` STRING,
  `model_id` STRING,
  `revenue` BIGINT,
  `units_sold` INT,
  `date_id` STRING,
  `day` INT,
  `month` INT,
  `year` INT,
  `sale_date` DATE,
  `branch_name` STRING,
  `dealer_name` STRING,
  `product_name` STRING,
  `_batch_id` STRING NOT NULL,
  `_source_file` STRING NOT NULL,
  `_row_number` BIGINT NOT NULL,
  `_ingested_at` TIMESTAMP NOT NULL,
  `_run_id` STRING NOT NULL,
  `_rescued_data` STRING
) USING DELTA;

CREATE TABLE IF NOT EXISTS `${catalog}`.`quarantine`.`car_sales` (
  `_batch_id` STRING NOT NULL,
  `_source_file` STRING NOT NULL,
  `_row_number` BIGINT NOT NULL,
  `_run_id` STRING NOT NULL,
  `_quarantined_at` TIMESTAMP NOT NULL,
  `rule_ids` ARRAY<STRING> NOT NULL,
  `messages` ARRAY<STRING> NOT NULL,
  `raw` STRING NOT NULL,
  `replayed_run_id` STRING,
  `repeat_of` STRING
) USING DELTA;

CREATE TABLE IF NOT EXISTS `${catalog}`.`silver`.`car_sales` (
  `branch_id` STRING NOT NULL,
  `dealer_id` STRING NOT NULL,
  `model_id` STRING NOT NULL,
  `revenue` BIGINT NOT NULL,
  `units_sold` INT NOT NULL,
  `date_id` STRING NOT NULL,
  `day` INT NOT NULL,
  `month` INT NOT NULL,
  `year` INT NOT NULL,
  `sale_date` DATE NOT NULL,
  `branch_name` STRING NOT NULL,
  `dealer_name` STRING,
  `product_name` STRING NOT NULL,
  `_batch_id` STRING NOT NULL,
  `_source_file` STRING NOT NULL,
  `_row_number` BIGINT NOT NULL,
  `_ingested_at` TIMESTAMP NOT NULL,
  `_run_id` STRING NOT NULL
) USING DELTA;

CREATE TABLE IF NOT EXISTS `${catalog}`.`gold`.`dim_branch` (
  `dim_branch_key` BIGINT NOT NULL,
  `branch_id` STRING,
  `branch_name` STRING,
  `_updated_at` TIMESTAMP,
  `_run_id` STRING
) USING DELTA;

INSERT INTO `${catalog}`.`gold`.`dim_branch` (`dim_branch_key`) SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_branch` WHERE `dim_branch_key` = -1);

CREATE TABLE IF NOT EXISTS `${catalog}`.`gold`.`dim_dealer` (
  `dim_dealer_key` BIGINT NOT NULL,
  `dealer_id` STRING,
  `dealer_name` STRING,
  `_updated_at` TIMESTAMP,
  `_run_id` STRING
) USING DELTA;

INSERT INTO `${catalog}`.`gold`.`dim_dealer` (`dim_dealer_key`) SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_dealer` WHERE `dim_dealer_key` = -1);

CREATE TABLE IF NOT EXISTS `${catalog}`.`gold`.`dim_model` (
  `dim_model_key` BIGINT NOT NULL,
  `model_id` STRING,
  `product_name` STRING,
  `_updated_at` TIMESTAMP,
  `_run_id` STRING
) USING DELTA;

INSERT INTO `${catalog}`.`gold`.`dim_model` (`dim_model_key`) SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_model` WHERE `dim_model_key` = -1);

CREATE TABLE IF NOT EXISTS `${catalog}`.`gold`.`dim_date` (
  `dim_date_key` BIGINT NOT NULL,
  `date` DATE,
  `year` INT,
  `quarter` INT,
  `month` INT,
  `month_name` STRING,
  `day` INT,
  `day_of_week` INT,
  `day_name` STRING,
  `week_of_year` INT,
  `is_weekend` BOOLEAN
) USING DELTA;

INSERT INTO `${catalog}`.`gold`.`dim_date` (`dim_date_key`) SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_date` WHERE `dim_date_key` = -1);

CREATE TABLE IF NOT EXISTS `${catalog}`.`gold`.`fact_sales` (
  `branch_id` STRING NOT NULL,
  `dealer_id` STRING NOT NULL,
  `model_id` STRING NOT NULL,
  `revenue` BIGINT,
  `units_sold` INT,
  `date_id` STRING NOT NULL,
  `sale_date` DATE,
  `dim_branch_key` BIGINT NOT NULL,
  `dim_dealer_key` BIGINT NOT NULL,
  `dim_model_key` BIGINT NOT NULL,
  `dim_date_key` BIGINT NOT NULL,
  `_updated_at` TIMESTAMP NOT NULL,
  `_run_id` STRING NOT NULL
) USING DELTA;

CREATE TABLE IF NOT EXISTS `${catalog}`.`gold`.`agg_sales_daily` (
  `day` DATE NOT NULL,
  `dim_branch_key` BIGINT NOT NULL,
  `dim_model_key` BIGINT NOT NULL,
  `revenue` DECIMAL(38, 0),
  `units_sold` DECIMAL(38, 0),
  `sales_count` BIGINT,
  `_updated_at` TIMESTAMP NOT NULL
) USING DELTA;



-- step bronze (bronze)

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`bronze_stage_car_sales` USING DELTA AS SELECT `branch_id`, `dealer_id`, `model_id`, `revenue`, `units_sold`, `date_id`, `day`, `month`, `year`, `sale_date`, `branch_name`, `dealer_name`, `product_name`, _batch_id, _source_file, _row_number, _rescued_data, _ok, `_warn_0`,
  CASE WHEN NOT _ok THEN filter(array(CASE WHEN NOT coalesce(_fields <= 0, false) THEN 'row.fields_extra' END, CASE WHEN NOT coalesce(_fields >= 0, false) THEN 'row.fields_missing' END, CASE WHEN NOT coalesce(`_raw_branch_id` IS NOT NULL, false) THEN 'branch_id.not_null' END, CASE WHEN NOT coalesce((`branch_id` IS NULL OR char_length(`branch_id`) >= 1), false) THEN 'branch_id.min_length' END, CASE WHEN NOT coalesce((`branch_id` IS NULL OR char_length(`branch_id`) <= 16), false) THEN 'branch_id.max_length' END, CASE WHEN NOT coalesce(`_raw_dealer_id` IS NOT NULL, false) THEN 'dealer_id.not_null' END, CASE WHEN NOT coalesce((`dealer_id` IS NULL OR char_length(`dealer_id`) >= 1), false) THEN 'dealer_id.min_length' END, CASE WHEN NOT coalesce((`dealer_id` IS NULL OR char_length(`dealer_id`) <= 16), false) THEN 'dealer_id.max_length' END, CASE WHEN NOT coalesce(`_raw_model_id` IS NOT NULL, false) THEN 'model_id.not_null' END, CASE WHEN NOT coalesce((`model_id` IS NULL OR char_length(`model_id`) >= 1), false) THEN 'model_id.min_length' END, CASE WHEN NOT coalesce((`model_id` IS NULL OR char_length(`model_id`) <= 16), false) THEN 'model_id.max_length' END, CASE WHEN NOT coalesce(`_raw_revenue` IS NOT NULL, false) THEN 'revenue.not_null' END, CASE WHEN NOT coalesce((`_raw_revenue` IS NULL OR `revenue` IS NOT NULL), false) THEN 'revenue.parse' END, CASE WHEN NOT coalesce((`revenue` IS NULL OR `revenue` >= 0), false) THEN 'revenue.min' END, CASE WHEN NOT coalesce(`_raw_units_sold` IS NOT NULL, false) THEN 'units_sold.not_null' END, CASE WHEN NOT coalesce((`_raw_units_sold` IS NULL OR `units_sold` IS NOT NULL), false) THEN 'units_sold.parse' END, CASE WHEN NOT coalesce((`units_sold` IS NULL OR `units_sold` >= 0), false) THEN 'units_sold.min' END, CASE WHEN NOT coalesce(`_raw_date_id` IS NOT NULL, false) THEN 'date_id.not_null' END, CASE WHEN NOT coalesce((`date_id` IS NULL OR char_length(`date_id`) >= 1), false) THEN 'date_id.min_length' END, CASE WHEN NOT coalesce((`date_id` IS NULL OR char_length(`date_id`) <= 16), false) THEN 'date_id.max_length' END, CASE WHEN NOT coalesce(`_raw_day` IS NOT NULL, false) THEN 'day.not_null' END, CASE WHEN NOT coalesce((`_raw_day` IS NULL OR `day` IS NOT NULL), false) THEN 'day.parse' END, CASE WHEN NOT coalesce((`day` IS NULL OR `day` >= 1), false) THEN 'day.min' END, CASE WHEN NOT coalesce((`day` IS NULL OR `day` <= 31), false) THEN 'day.max' END, CASE WHEN NOT coalesce(`_raw_month` IS NOT NULL, false) THEN 'month.not_null' END, CASE WHEN NOT coalesce((`_raw_month` IS NULL OR `month` IS NOT NULL), false) THEN 'month.parse' END, CASE WHEN NOT coalesce((`month` IS NULL OR `month` >= 1), false) THEN 'month.min' END, CASE WHEN NOT coalesce((`month` IS NULL OR `month` <= 12), false) THEN 'month.max' END, CASE WHEN NOT coalesce(`_raw_year` IS NOT NULL, false) THEN 'year.not_null' END, CASE WHEN NOT coalesce((`_raw_year` IS NULL OR `year` IS NOT NULL), false) THEN 'year.parse' END, CASE WHEN NOT coalesce((`year` IS NULL OR `year` >= 1900), false) THEN 'year.min' END, CASE WHEN NOT coalesce((`year` IS NULL OR `year` <= 2999), false) THEN 'year.max' END, CASE WHEN NOT coalesce(`_raw_sale_date` IS NOT NULL, false) THEN 'sale_date.not_null' END, CASE WHEN NOT coalesce((`_raw_sale_date` IS NULL OR `sale_date` IS NOT NULL), false) THEN 'sale_date.parse' END, CASE WHEN NOT coalesce(`_raw_branch_name` IS NOT NULL, false) THEN 'branch_name.not_null' END, CASE WHEN NOT coalesce((`branch_name` IS NULL OR char_length(`branch_name`) <= 200), false) THEN 'branch_name.max_length' END, CASE WHEN NOT coalesce((`dealer_name` IS NULL OR char_length(`dealer_name`) <= 200), false) THEN 'dealer_name.max_length' END, CASE WHEN NOT coalesce(`_raw_product_name` IS NOT NULL, false) THEN 'product_name.not_null' END, CASE WHEN NOT coalesce((`product_name` IS NULL OR char_length(`product_name`) <= 200), false) THEN 'product_name.max_length' END), x -> x IS NOT NULL) END AS _rule_ids,
  CASE WHEN NOT _ok THEN filter(array(CASE WHEN NOT coalesce(_fields <= 0, false) THEN 'more fields than the file\'s header: a delimiter at the end of the row, or in a value that is not quoted?' END, CASE WHEN NOT coalesce(_fields >= 0, false) THEN 'fewer fields than the file\'s header: a row cut short, or a line break in a value that is not quoted?' END, CASE WHEN NOT coalesce(`_raw_branch_id` IS NOT NULL, false) THEN 'branch_id: a value is required' END, CASE WHEN NOT coalesce((`branch_id` IS NULL OR char_length(`branch_id`) >= 1), false) THEN 'branch_id: shorter than 1 characters' END, CASE WHEN NOT coalesce((`branch_id` IS NULL OR char_length(`branch_id`) <= 16), false) THEN 'branch_id: longer than 16 characters' END, CASE WHEN NOT coalesce(`_raw_dealer_id` IS NOT NULL, false) THEN 'dealer_id: a value is required' END, CASE WHEN NOT coalesce((`dealer_id` IS NULL OR char_length(`dealer_id`) >= 1), false) THEN 'dealer_id: shorter than 1 characters' END, CASE WHEN NOT coalesce((`dealer_id` IS NULL OR char_length(`dealer_id`) <= 16), false) THEN 'dealer_id: longer than 16 characters' END, CASE WHEN NOT coalesce(`_raw_model_id` IS NOT NULL, false) THEN 'model_id: a value is required' END, CASE WHEN NOT coalesce((`model_id` IS NULL OR char_length(`model_id`) >= 1), false) THEN 'model_id: shorter than 1 characters' END, CASE WHEN NOT coalesce((`model_id` IS NULL OR char_length(`model_id`) <= 16), false) THEN 'model_id: longer than 16 characters' END, CASE WHEN NOT coalesce(`_raw_revenue` IS NOT NULL, false) THEN 'revenue: a value is required' END, CASE WHEN NOT coalesce((`_raw_revenue` IS NULL OR `revenue` IS NOT NULL), false) THEN 'revenue: not a valid bigint' END, CASE WHEN NOT coalesce((`revenue` IS NULL OR `revenue` >= 0), false) THEN 'revenue: below the minimum 0' END, CASE WHEN NOT coalesce(`_raw_units_sold` IS NOT NULL, false) THEN 'units_sold: a value is required' END, CASE WHEN NOT coalesce((`_raw_units_sold` IS NULL OR `units_sold` IS NOT NULL), false) THEN 'units_sold: not a valid int' END, CASE WHEN NOT coalesce((`units_sold` IS NULL OR `units_sold` >= 0), false) THEN 'units_sold: below the minimum 0' END, CASE WHEN NOT coalesce(`_raw_date_id` IS NOT NULL, false) THEN 'date_id: a value is required' END, CASE WHEN NOT coalesce((`date_id` IS NULL OR char_length(`date_id`) >= 1), false) THEN 'date_id: shorter than 1 characters' END, CASE WHEN NOT coalesce((`date_id` IS NULL OR char_length(`date_id`) <= 16), false) THEN 'date_id: longer than 16 characters' END, CASE WHEN NOT coalesce(`_raw_day` IS NOT NULL, false) THEN 'day: a value is required' END, CASE WHEN NOT coalesce((`_raw_day` IS NULL OR `day` IS NOT NULL), false) THEN 'day: not a valid int' END, CASE WHEN NOT coalesce((`day` IS NULL OR `day` >= 1), false) THEN 'day: below the minimum 1' END, CASE WHEN NOT coalesce((`day` IS NULL OR `day` <= 31), false) THEN 'day: above the maximum 31' END, CASE WHEN NOT coalesce(`_raw_month` IS NOT NULL, false) THEN 'month: a value is required' END, CASE WHEN NOT coalesce((`_raw_month` IS NULL OR `month` IS NOT NULL), false) THEN 'month: not a valid int' END, CASE WHEN NOT coalesce((`month` IS NULL OR `month` >= 1), false) THEN 'month: below the minimum 1' END, CASE WHEN NOT coalesce((`month` IS NULL OR `month` <= 12), false) THEN 'month: above the maximum 12' END, CASE WHEN NOT coalesce(`_raw_year` IS NOT NULL, false) THEN 'year: a value is required' END, CASE WHEN NOT coalesce((`_raw_year` IS NULL OR `year` IS NOT NULL), false) THEN 'year: not a valid int' END, CASE WHEN NOT coalesce((`year` IS NULL OR `year` >= 1900), false) THEN 'year: below the minimum 1900' END, CASE WHEN NOT coalesce((`year` IS NULL OR `year` <= 2999), false) THEN 'year: above the maximum 2999' END, CASE WHEN NOT coalesce(`_raw_sale_date` IS NOT NULL, false) THEN 'sale_date: a value is required' END, CASE WHEN NOT coalesce((`_raw_sale_date` IS NULL OR `sale_date` IS NOT NULL), false) THEN 'sale_date: not a valid date in format d/M/yyyy' END, CASE WHEN NOT coalesce(`_raw_branch_name` IS NOT NULL, false) THEN 'branch_name: a value is required' END, CASE WHEN NOT coalesce((`branch_name` IS NULL OR char_length(`branch_name`) <= 200), false) THEN 'branch_name: longer than 200 characters' END, CASE WHEN NOT coalesce((`dealer_name` IS NULL OR char_length(`dealer_name`) <= 200), false) THEN 'dealer_name: longer than 200 characters' END, CASE WHEN NOT coalesce(`_raw_product_name` IS NOT NULL, false) THEN 'product_name: a value is required' END, CASE WHEN NOT coalesce((`product_name` IS NULL OR char_length(`product_name`) <= 200), false) THEN 'product_name: longer than 200 characters' END), x -> x IS NOT NULL) END AS _messages,
  CASE WHEN NOT _ok THEN CASE WHEN _rescued_data IS NULL THEN to_json(named_struct('Branch_ID', `_src_0`, 'Dealer_ID', `_src_1`, 'Model_ID', `_src_2`, 'Revenue', `_src_3`, 'Units_Sold', `_src_4`, 'Date_ID', `_src_5`, 'Day', `_src_6`, 'Month', `_src_7`, 'Year', `_src_8`, 'BranchName', `_src_9`, 'DealerName', `_src_10`, 'Product_Name', `_src_11`), map('ignoreNullFields', 'false')) ELSE substr(to_json(named_struct('Branch_ID', `_src_0`, 'Dealer_ID', `_src_1`, 'Model_ID', `_src_2`, 'Revenue', `_src_3`, 'Units_Sold', `_src_4`, 'Date_ID', `_src_5`, 'Day', `_src_6`, 'Month', `_src_7`, 'Year', `_src_8`, 'BranchName', `_src_9`, 'DealerName', `_src_10`, 'Product_Name', `_src_11`), map('ignoreNullFields', 'false')), 1, length(to_json(named_struct('Branch_ID', `_src_0`, 'Dealer_ID', `_src_1`, 'Model_ID', `_src_2`, 'Revenue', `_src_3`, 'Units_Sold', `_src_4`, 'Date_ID', `_src_5`, 'Day', `_src_6`, 'Month', `_src_7`, 'Year', `_src_8`, 'BranchName', `_src_9`, 'DealerName', `_src_10`, 'Product_Name', `_src_11`), map('ignoreNullFields', 'false'))) - 1) || ',' || substr(_rescued_data, 2) END END AS _raw
FROM (SELECT t.*, coalesce(_fields <= 0, false) AND coalesce(_fields >= 0, false) AND coalesce(`_raw_branch_id` IS NOT NULL, false) AND coalesce((`branch_id` IS NULL OR char_length(`branch_id`) >= 1), false) AND coalesce((`branch_id` IS NULL OR char_length(`branch_id`) <= 16), false) AND coalesce(`_raw_dealer_id` IS NOT NULL, false) AND coalesce((`dealer_id` IS NULL OR char_length(`dealer_id`) >= 1), false) AND coalesce((`dealer_id` IS NULL OR char_length(`dealer_id`) <= 16), false) AND coalesce(`_raw_model_id` IS NOT NULL, false) AND coalesce((`model_id` IS NULL OR char_length(`model_id`) >= 1), false) AND coalesce((`model_id` IS NULL OR char_length(`model_id`) <= 16), false) AND coalesce(`_raw_revenue` IS NOT NULL, false) AND coalesce((`_raw_revenue` IS NULL OR `revenue` IS NOT NULL), false) AND coalesce((`revenue` IS NULL OR `revenue` >= 0), false) AND coalesce(`_raw_units_sold` IS NOT NULL, false) AND coalesce((`_raw_units_sold` IS NULL OR `units_sold` IS NOT NULL), false) AND coalesce((`units_sold` IS NULL OR `units_sold` >= 0), false) AND coalesce(`_raw_date_id` IS NOT NULL, false) AND coalesce((`date_id` IS NULL OR char_length(`date_id`) >= 1), false) AND coalesce((`date_id` IS NULL OR char_length(`date_id`) <= 16), false) AND coalesce(`_raw_day` IS NOT NULL, false) AND coalesce((`_raw_day` IS NULL OR `day` IS NOT NULL), false) AND coalesce((`day` IS NULL OR `day` >= 1), false) AND coalesce((`day` IS NULL OR `day` <= 31), false) AND coalesce(`_raw_month` IS NOT NULL, false) AND coalesce((`_raw_month` IS NULL OR `month` IS NOT NULL), false) AND coalesce((`month` IS NULL OR `month` >= 1), false) AND coalesce((`month` IS NULL OR `month` <= 12), false) AND coalesce(`_raw_year` IS NOT NULL, false) AND coalesce((`_raw_year` IS NULL OR `year` IS NOT NULL), false) AND coalesce((`year` IS NULL OR `year` >= 1900), false) AND coalesce((`year` IS NULL OR `year` <= 2999), false) AND coalesce(`_raw_sale_date` IS NOT NULL, false) AND coalesce((`_raw_sale_date` IS NULL OR `sale_date` IS NOT NULL), false) AND coalesce(`_raw_branch_name` IS NOT NULL, false) AND coalesce((`branch_name` IS NULL OR char_length(`branch_name`) <= 200), false) AND coalesce((`dealer_name` IS NULL OR char_length(`dealer_name`) <= 200), false) AND coalesce(`_raw_product_name` IS NOT NULL, false) AND coalesce((`product_name` IS NULL OR char_length(`product_name`) <= 200), false) AS _ok, NOT coalesce(`_raw_dealer_name` IS NOT NULL, false) AS `_warn_0` FROM (SELECT n.*, `_raw_branch_id` AS `branch_id`,
  `_raw_dealer_id` AS `dealer_id`,
  `_raw_model_id` AS `model_id`,
  CASE WHEN `_raw_revenue` RLIKE '^([+-]?[0-9]{1,19})$' THEN try_cast(`_raw_revenue` AS BIGINT) END AS `revenue`,
  CASE WHEN `_raw_units_sold` RLIKE '^([+-]?[0-9]{1,10})$' THEN try_cast(`_raw_units_sold` AS INT) END AS `units_sold`,
  `_raw_date_id` AS `date_id`,
  CASE WHEN `_raw_day` RLIKE '^([+-]?[0-9]{1,10})$' THEN try_cast(`_raw_day` AS INT) END AS `day`,
  CASE WHEN `_raw_month` RLIKE '^([+-]?[0-9]{1,10})$' THEN try_cast(`_raw_month` AS INT) END AS `month`,
  CASE WHEN `_raw_year` RLIKE '^([+-]?[0-9]{1,10})$' THEN try_cast(`_raw_year` AS INT) END AS `year`,
  CASE WHEN `_raw_sale_date` RLIKE '^((?:0?[1-9]|[12][0-9]|3[01])/(?:0?[1-9]|1[0-2])/(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3}))$' THEN to_date(try_to_timestamp(`_raw_sale_date`, 'd/M/yyyy')) END AS `sale_date`,
  `_raw_branch_name` AS `branch_name`,
  `_raw_dealer_name` AS `dealer_name`,
  `_raw_product_name` AS `product_name` FROM (SELECT l._batch_id, l._source_file, l._row_number, l._rescued_data, l._fields, l.`Branch_ID` AS `_src_0`, l.`Dealer_ID` AS `_src_1`, l.`Model_ID` AS `_src_2`, l.`Revenue` AS `_src_3`, l.`Units_Sold` AS `_src_4`, l.`Date_ID` AS `_src_5`, l.`Day` AS `_src_6`, l.`Month` AS `_src_7`, l.`Year` AS `_src_8`, l.`BranchName` AS `_src_9`, l.`DealerName` AS `_src_10`, l.`Product_Name` AS `_src_11`, NULLIF(`Branch_ID`, '') AS `_raw_branch_id`,
  NULLIF(`Dealer_ID`, '') AS `_raw_dealer_id`,
  NULLIF(`Model_ID`, '') AS `_raw_model_id`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `Revenue`), '') AS `_raw_revenue`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `Units_Sold`), '') AS `_raw_units_sold`,
  NULLIF(`Date_ID`, '') AS `_raw_date_id`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `Day`), '') AS `_raw_day`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `Month`), '') AS `_raw_month`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `Year`), '') AS `_raw_year`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `Day`), '') || '/' || NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `Month`), '') || '/' || NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `Year`), '') AS `_raw_sale_date`,
  NULLIF(`BranchName`, '') AS `_raw_branch_name`,
  NULLIF(`DealerName`, '') AS `_raw_dealer_name`,
  NULLIF(`Product_Name`, '') AS `_raw_product_name` FROM landing_raw l) n) t) c;

INSERT INTO `${catalog}`.`quarantine`.`car_sales` (`_batch_id`, `_source_file`, `_row_number`, `_run_id`, `_quarantined_at`, `rule_ids`, `messages`, `raw`, `repeat_of`)
SELECT s._batch_id, s._source_file, s._row_number, '${run_id}', current_timestamp(), s._rule_ids, s._messages, s._raw, p.first_batch
FROM `${catalog}`.`saleslake`.`bronze_stage_car_sales` s LEFT JOIN (SELECT raw, min(_batch_id) AS first_batch FROM `${catalog}`.`quarantine`.`car_sales`
  WHERE raw IN (SELECT _raw FROM `${catalog}`.`saleslake`.`bronze_stage_car_sales` WHERE NOT _ok) GROUP BY raw) p ON p.raw = s._raw
WHERE NOT s._ok;

INSERT INTO `${catalog}`.`bronze`.`car_sales` (`branch_id`, `dealer_id`, `model_id`, `revenue`, `units_sold`, `date_id`, `day`, `month`, `year`, `sale_date`, `branch_name`, `dealer_name`, `product_name`, `_batch_id`, `_source_file`, `_row_number`, `_ingested_at`, `_run_id`, `_rescued_data`)
SELECT `branch_id`, `dealer_id`, `model_id`, `revenue`, `units_sold`, `date_id`, `day`, `month`, `year`, `sale_date`, `branch_name`, `dealer_name`, `product_name`, _batch_id, _source_file, _row_number, current_timestamp(), '${run_id}', _rescued_data FROM `${catalog}`.`saleslake`.`bronze_stage_car_sales` WHERE _ok;

SELECT count(*) AS rows_read, count(*) FILTER (WHERE _ok) AS rows_accepted, count(*) FILTER (WHERE NOT _ok) AS rows_quarantined, count(*) FILTER (WHERE `_warn_0`) AS `warn_0` FROM `${catalog}`.`saleslake`.`bronze_stage_car_sales`;

-- step silver (silver)

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`silver_delta_car_sales` USING DELTA AS SELECT s.*, CASE WHEN t.`branch_id` IS NULL THEN 'insert' WHEN t._run_id = '${run_id}' THEN 'applied' WHEN (s._batch_id > t._batch_id OR (s._batch_id = t._batch_id AND (s._source_file > t._source_file OR (s._source_file = t._source_file AND s._row_number > t._row_number)))) THEN 'update' ELSE 'stale' END AS _action
FROM (SELECT * FROM (SELECT d.*, row_number() OVER (PARTITION BY d.`branch_id`, d.`dealer_id`, d.`model_id`, d.`date_id` ORDER BY d._batch_id DESC, d._source_file DESC, d._row_number DESC) AS _rn, count(*) OVER (PARTITION BY d.`branch_id`, d.`dealer_id`, d.`model_id`, d.`date_id` ORDER BY d._batch_id DESC, d._source_file DESC, d._row_number DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS _versions FROM (SELECT b.* FROM `${catalog}`.`bronze`.`car_sales` b WHERE b._run_id = '${run_id}') d) x WHERE _rn = 1) s LEFT JOIN `${catalog}`.`silver`.`car_sales` t ON s.`branch_id` = t.`branch_id` AND s.`dealer_id` = t.`dealer_id` AND s.`model_id` = t.`model_id` AND s.`date_id` = t.`date_id`;

MERGE INTO `${catalog}`.`silver`.`car_sales` AS t
USING (SELECT * FROM `${catalog}`.`saleslake`.`silver_delta_car_sales` WHERE _action IN ('insert', 'update')) AS s
ON t.`branch_id` = s.`branch_id` AND t.`dealer_id` = s.`dealer_id` AND t.`model_id` = s.`model_id` AND t.`date_id` = s.`date_id`
WHEN MATCHED THEN UPDATE SET `branch_id` = s.`branch_id`, `dealer_id` = s.`dealer_id`, `model_id` = s.`model_id`, `revenue` = s.`revenue`, `units_sold` = s.`units_sold`, `date_id` = s.`date_id`, `day` = s.`day`, `month` = s.`month`, `year` = s.`year`, `sale_date` = s.`sale_date`, `branch_name` = s.`branch_name`, `dealer_name` = s.`dealer_name`, `product_name` = s.`product_name`, `_batch_id` = s.`_batch_id`, `_source_file` = s.`_source_file`, `_row_number` = s.`_row_number`, `_ingested_at` = s.`_ingested_at`, `_run_id` = '${run_id}'
WHEN NOT MATCHED THEN INSERT (`branch_id`, `dealer_id`, `model_id`, `revenue`, `units_sold`, `date_id`, `day`, `month`, `year`, `sale_date`, `branch_name`, `dealer_name`, `product_name`, `_batch_id`, `_source_file`, `_row_number`, `_ingested_at`, `_run_id`) VALUES (s.`branch_id`, s.`dealer_id`, s.`model_id`, s.`revenue`, s.`units_sold`, s.`date_id`, s.`day`, s.`month`, s.`year`, s.`sale_date`, s.`branch_name`, s.`dealer_name`, s.`product_name`, s.`_batch_id`, s.`_source_file`, s.`_row_number`, s.`_ingested_at`, '${run_id}');

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`changed_keys_car_sales` USING DELTA AS SELECT `branch_id`, `dealer_id`, `model_id`, `date_id` FROM `${catalog}`.`saleslake`.`silver_delta_car_sales` WHERE _action <> 'stale';

SELECT count(*) AS rows_in, count(*) FILTER (WHERE _action = 'insert') AS rows_inserted, count(*) FILTER (WHERE _action = 'update') AS rows_updated, count(*) FILTER (WHERE _action = 'stale') AS rows_stale, coalesce(sum(_versions - 1), 0) AS rows_superseded FROM `${catalog}`.`saleslake`.`silver_delta_car_sales`;

-- step dim_branch (dimension)

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`src_dim_branch_car_sales` USING DELTA AS SELECT `branch_id`, `branch_name` FROM (SELECT r.*, row_number() OVER (PARTITION BY r.`branch_id` ORDER BY r._batch_id DESC, r._source_file DESC, r._row_number DESC) AS _rn FROM `${catalog}`.`silver`.`car_sales` r JOIN (SELECT DISTINCT s.`branch_id` FROM (SELECT s.* FROM `${catalog}`.`silver`.`car_sales` s LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_car_sales` c ON c.`branch_id` = s.`branch_id` AND c.`dealer_id` = s.`dealer_id` AND c.`model_id` = s.`model_id` AND c.`date_id` = s.`date_id`) s WHERE s.`branch_id` IS NOT NULL) m ON m.`branch_id` = r.`branch_id`) x WHERE _rn = 1;

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`new_dim_branch_car_sales` USING DELTA AS SELECT s.* FROM `${catalog}`.`saleslake`.`src_dim_branch_car_sales` s WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_branch` t WHERE t.`branch_id` = s.`branch_id`);

INSERT INTO `${catalog}`.`gold`.`dim_branch` (`dim_branch_key`, `branch_id`, `branch_name`, _updated_at, _run_id)
SELECT m.mx + row_number() OVER (ORDER BY s.`branch_id`), s.`branch_id`, s.`branch_name`, current_timestamp(), '${run_id}'
FROM `${catalog}`.`saleslake`.`new_dim_branch_car_sales` s CROSS JOIN (SELECT coalesce(max(`dim_branch_key`), 0) AS mx FROM `${catalog}`.`gold`.`dim_branch` WHERE `dim_branch_key` > 0) m;

MERGE INTO `${catalog}`.`gold`.`dim_branch` AS t USING `${catalog}`.`saleslake`.`src_dim_branch_car_sales` AS s ON t.`branch_id` = s.`branch_id`
WHEN MATCHED AND (t.`branch_name` IS DISTINCT FROM s.`branch_name`) THEN UPDATE SET `branch_name` = s.`branch_name`, _updated_at = current_timestamp(), _run_id = '${run_id}';

SELECT count(*) AS members_added FROM `${catalog}`.`saleslake`.`new_dim_branch_car_sales`;

-- step dim_dealer (dimension)

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`src_dim_dealer_car_sales` USING DELTA AS SELECT `dealer_id`, `dealer_name` FROM (SELECT r.*, row_number() OVER (PARTITION BY r.`dealer_id` ORDER BY r._batch_id DESC, r._source_file DESC, r._row_number DESC) AS _rn FROM `${catalog}`.`silver`.`car_sales` r JOIN (SELECT DISTINCT s.`dealer_id` FROM (SELECT s.* FROM `${catalog}`.`silver`.`car_sales` s LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_car_sales` c ON c.`branch_id` = s.`branch_id` AND c.`dealer_id` = s.`dealer_id` AND c.`model_id` = s.`model_id` AND c.`date_id` = s.`date_id`) s WHERE s.`dealer_id` IS NOT NULL) m ON m.`dealer_id` = r.`dealer_id`) x WHERE _rn = 1;

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`new_dim_dealer_car_sales` USING DELTA AS SELECT s.* FROM `${catalog}`.`saleslake`.`src_dim_dealer_car_sales` s WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_dealer` t WHERE t.`dealer_id` = s.`dealer_id`);

INSERT INTO `${catalog}`.`gold`.`dim_dealer` (`dim_dealer_key`, `dealer_id`, `dealer_name`, _updated_at, _run_id)
SELECT m.mx + row_number() OVER (ORDER BY s.`dealer_id`), s.`dealer_id`, s.`dealer_name`, current_timestamp(), '${run_id}'
FROM `${catalog}`.`saleslake`.`new_dim_dealer_car_sales` s CROSS JOIN (SELECT coalesce(max(`dim_dealer_key`), 0) AS mx FROM `${catalog}`.`gold`.`dim_dealer` WHERE `dim_dealer_key` > 0) m;

MERGE INTO `${catalog}`.`gold`.`dim_dealer` AS t USING `${catalog}`.`saleslake`.`src_dim_dealer_car_sales` AS s ON t.`dealer_id` = s.`dealer_id`
WHEN MATCHED AND (t.`dealer_name` IS DISTINCT FROM s.`dealer_name`) THEN UPDATE SET `dealer_name` = s.`dealer_name`, _updated_at = current_timestamp(), _run_id = '${run_id}';

SELECT count(*) AS members_added FROM `${catalog}`.`saleslake`.`new_dim_dealer_car_sales`;

-- step dim_model (dimension)

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`src_dim_model_car_sales` USING DELTA AS SELECT `model_id`, `product_name` FROM (SELECT r.*, row_number() OVER (PARTITION BY r.`model_id` ORDER BY r._batch_id DESC, r._source_file DESC, r._row_number DESC) AS _rn FROM `${catalog}`.`silver`.`car_sales` r JOIN (SELECT DISTINCT s.`model_id` FROM (SELECT s.* FROM `${catalog}`.`silver`.`car_sales` s LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_car_sales` c ON c.`branch_id` = s.`branch_id` AND c.`dealer_id` = s.`dealer_id` AND c.`model_id` = s.`model_id` AND c.`date_id` = s.`date_id`) s WHERE s.`model_id` IS NOT NULL) m ON m.`model_id` = r.`model_id`) x WHERE _rn = 1;

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`new_dim_model_car_sales` USING DELTA AS SELECT s.* FROM `${catalog}`.`saleslake`.`src_dim_model_car_sales` s WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_model` t WHERE t.`model_id` = s.`model_id`);

INSERT INTO `${catalog}`.`gold`.`dim_model` (`dim_model_key`, `model_id`, `product_name`, _updated_at, _run_id)
SELECT m.mx + row_number() OVER (ORDER BY s.`model_id`), s.`model_id`, s.`product_name`, current_timestamp(), '${run_id}'
FROM `${catalog}`.`saleslake`.`new_dim_model_car_sales` s CROSS JOIN (SELECT coalesce(max(`dim_model_key`), 0) AS mx FROM `${catalog}`.`gold`.`dim_model` WHERE `dim_model_key` > 0) m;

MERGE INTO `${catalog}`.`gold`.`dim_model` AS t USING `${catalog}`.`saleslake`.`src_dim_model_car_sales` AS s ON t.`model_id` = s.`model_id`
WHEN MATCHED AND (t.`product_name` IS DISTINCT FROM s.`product_name`) THEN UPDATE SET `product_name` = s.`product_name`, _updated_at = current_timestamp(), _run_id = '${run_id}';

SELECT count(*) AS members_added FROM `${catalog}`.`saleslake`.`new_dim_model_car_sales`;

-- step dim_date (dimension)

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`src_dim_date_car_sales` USING DELTA AS SELECT DISTINCT CAST(s.`sale_date` AS DATE) AS d FROM (SELECT s.* FROM `${catalog}`.`silver`.`car_sales` s LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_car_sales` c ON c.`branch_id` = s.`branch_id` AND c.`dealer_id` = s.`dealer_id` AND c.`model_id` = s.`model_id` AND c.`date_id` = s.`date_id`) s WHERE s.`sale_date` IS NOT NULL;

INSERT INTO `${catalog}`.`gold`.`dim_date` (`dim_date_key`, `date`, `year`, `quarter`, `month`, `month_name`, `day`, `day_of_week`, `day_name`, `week_of_year`, `is_weekend`)
SELECT (year(x.d) * 10000 + month(x.d) * 100 + day(x.d)), x.d, year(x.d), quarter(x.d), month(x.d), date_format(x.d, 'MMMM'), day(x.d), (weekday(x.d) + 1), date_format(x.d, 'EEEE'), weekofyear(x.d), (weekday(x.d) + 1) >= 6
FROM `${catalog}`.`saleslake`.`src_dim_date_car_sales` x WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_date` t WHERE t.`dim_date_key` = (year(x.d) * 10000 + month(x.d) * 100 + day(x.d)));

SELECT count(*) AS members_seen FROM `${catalog}`.`saleslake`.`src_dim_date_car_sales`;

-- step fact_sales (fact)

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`agg_days_car_sales` USING DELTA AS SELECT DISTINCT CAST(f.`sale_date` AS DATE) AS day FROM `${catalog}`.`gold`.`fact_sales` f LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_car_sales` c ON c.`branch_id` = f.`branch_id` AND c.`dealer_id` = f.`dealer_id` AND c.`model_id` = f.`model_id` AND c.`date_id` = f.`date_id` WHERE f.`sale_date` IS NOT NULL
UNION SELECT DISTINCT CAST(s.`sale_date` AS DATE) FROM (SELECT s.* FROM `${catalog}`.`silver`.`car_sales` s LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_car_sales` c ON c.`branch_id` = s.`branch_id` AND c.`dealer_id` = s.`dealer_id` AND c.`model_id` = s.`model_id` AND c.`date_id` = s.`date_id`) s WHERE s.`sale_date` IS NOT NULL;

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`fact_src_car_sales` USING DELTA AS SELECT s.`branch_id`, s.`dealer_id`, s.`model_id`, s.`revenue`, s.`units_sold`, s.`date_id`, s.`sale_date`, coalesce(d0.`dim_branch_key`, -1) AS `dim_branch_key`, coalesce(d1.`dim_dealer_key`, -1) AS `dim_dealer_key`, coalesce(d2.`dim_model_key`, -1) AS `dim_model_key`, coalesce(year(CAST(s.`sale_date` AS DATE)) * 10000 + month(CAST(s.`sale_date` AS DATE)) * 100 + day(CAST(s.`sale_date` AS DATE)), -1) AS `dim_date_key`, false AS _deleted
FROM (SELECT s.* FROM `${catalog}`.`silver`.`car_sales` s LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_car_sales` c ON c.`branch_id` = s.`branch_id` AND c.`dealer_id` = s.`dealer_id` AND c.`model_id` = s.`model_id` AND c.`date_id` = s.`date_id`) s LEFT JOIN `${catalog}`.`gold`.`dim_branch` d0 ON d0.`branch_id` = s.`branch_id` LEFT JOIN `${catalog}`.`gold`.`dim_dealer` d1 ON d1.`dealer_id` = s.`dealer_id` LEFT JOIN `${catalog}`.`gold`.`dim_model` d2 ON d2.`model_id` = s.`model_id`;

MERGE INTO `${catalog}`.`gold`.`fact_sales` AS t USING `${catalog}`.`saleslake`.`fact_src_car_sales` AS s ON t.`branch_id` = s.`branch_id` AND t.`dealer_id` = s.`dealer_id` AND t.`model_id` = s.`model_id` AND t.`date_id` = s.`date_id`
WHEN MATCHED AND s._deleted THEN DELETE
WHEN MATCHED THEN UPDATE SET `branch_id` = s.`branch_id`, `dealer_id` = s.`dealer_id`, `model_id` = s.`model_id`, `revenue` = s.`revenue`, `units_sold` = s.`units_sold`, `date_id` = s.`date_id`, `sale_date` = s.`sale_date`, `dim_branch_key` = s.`dim_branch_key`, `dim_dealer_key` = s.`dim_dealer_key`, `dim_model_key` = s.`dim_model_key`, `dim_date_key` = s.`dim_date_key`, _updated_at = current_timestamp(), _run_id = '${run_id}'
WHEN NOT MATCHED AND NOT s._deleted THEN INSERT (`branch_id`, `dealer_id`, `model_id`, `revenue`, `units_sold`, `date_id`, `sale_date`, `dim_branch_key`, `dim_dealer_key`, `dim_model_key`, `dim_date_key`, _updated_at, _run_id) VALUES (s.`branch_id`, s.`dealer_id`, s.`model_id`, s.`revenue`, s.`units_sold`, s.`date_id`, s.`sale_date`, s.`dim_branch_key`, s.`dim_dealer_key`, s.`dim_model_key`, s.`dim_date_key`, current_timestamp(), '${run_id}');

SELECT count(*) FILTER (WHERE NOT _deleted) AS rows_upserted, count(*) FILTER (WHERE _deleted) AS rows_deleted FROM `${catalog}`.`saleslake`.`fact_src_car_sales`;

-- step agg_sales_daily (aggregate)

MERGE INTO `${catalog}`.`gold`.`agg_sales_daily` AS t USING `${catalog}`.`saleslake`.`agg_days_car_sales` AS d ON t.day = d.day WHEN MATCHED THEN DELETE;

INSERT INTO `${catalog}`.`gold`.`agg_sales_daily` (day, `dim_branch_key`, `dim_model_key`, `revenue`, `units_sold`, `sales_count`, _updated_at)
SELECT CAST(f.`sale_date` AS DATE) AS day, f.`dim_branch_key`, f.`dim_model_key`, sum(f.`revenue`) AS `revenue`, sum(f.`units_sold`) AS `units_sold`, count(f.`revenue`) AS `sales_count`, current_timestamp()
FROM `${catalog}`.`gold`.`fact_sales` f WHERE CAST(f.`sale_date` AS DATE) IN (SELECT day FROM `${catalog}`.`saleslake`.`agg_days_car_sales`)
GROUP BY CAST(f.`sale_date` AS DATE), f.`dim_branch_key`, f.`dim_model_key`;

SELECT count(*) AS days_recomputed FROM `${catalog}`.`saleslake`.`agg_days_car_sales`;