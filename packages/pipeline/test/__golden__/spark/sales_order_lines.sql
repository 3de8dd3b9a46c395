CREATE TABLE IF NOT EXISTS `${catalog}`.`bronze`.`sales_order_lines` (
  `order_id` STRING,
  `line_number` INT,
  `order_date` DATE,
  `customer_id` STRING,
  `product_id` STRING,
  `quantity` INT,
  `unit_price` DECIMAL(12, 2),
  `discount_pct` DECIMAL(5, 2),
  `currency` STRING,
  `status` STRING,
  `channel` STRING,
  `updated_at` TIMESTAMP,
  `is_deleted` BOOLEAN,
  `_batch_id` STRING NOT NULL,
  `_source_file` STRING NOT NULL,
  `_row_number` BIGINT NOT NULL,
  `_ingested_at` TIMESTAMP NOT NULL,
  `_run_id` STRING NOT NULL,
  `_rescued_data` STRING
) USING DELTA;

CREATE TABLE IF NOT EXISTS `${catalog}`.`quarantine`.`sales_order_lines` (
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

CREATE TABLE IF NOT EXISTS `${catalog}`.`silver`.`sales_order_lines` (
  `order_id` STRING NOT NULL,
  `line_number` INT NOT NULL,
  `order_date` DATE NOT NULL,
  `customer_id` STRING NOT NULL,
  `product_id` STRING NOT NULL,
  `quantity` INT NOT NULL,
  `unit_price` DECIMAL(12, 2) NOT NULL,
  `discount_pct` DECIMAL(5, 2),
  `currency` STRING NOT NULL,
  `status` STRING NOT NULL,
  `channel` STRING,
  `updated_at` TIMESTAMP NOT NULL,
  `is_deleted` BOOLEAN,
  `_batch_id` STRING NOT NULL,
  `_source_file` STRING NOT NULL,
  `_row_number` BIGINT NOT NULL,
  `_ingested_at` TIMESTAMP NOT NULL,
  `_run_id` STRING NOT NULL
) USING DELTA;

CREATE TABLE IF NOT EXISTS `${catalog}`.`gold`.`dim_customer` (
  `dim_customer_key` BIGINT NOT NULL,
  `customer_id` STRING,
  `_updated_at` TIMESTAMP,
  `_run_id` STRING
) USING DELTA;

INSERT INTO `${catalog}`.`gold`.`dim_customer` (`dim_customer_key`) SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_customer` WHERE `dim_customer_key` = -1);

CREATE TABLE IF NOT EXISTS `${catalog}`.`gold`.`dim_product` (
  `dim_product_key` BIGINT NOT NULL,
  `product_id` STRING,
  `_updated_at` TIMESTAMP,
  `_run_id` STRING
) USING DELTA;

INSERT INTO `${catalog}`.`gold`.`dim_product` (`dim_product_key`) SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_product` WHERE `dim_product_key` = -1);

CREATE TABLE IF NOT EXISTS `${catalog}`.`gold`.`dim_channel` (
  `dim_channel_key` BIGINT NOT NULL,
  `channel` STRING,
  `_updated_at` TIMESTAMP,
  `_run_id` STRING
) USING DELTA;

INSERT INTO `${catalog}`.`gold`.`dim_channel` (`dim_channel_key`) SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_channel` WHERE `dim_channel_key` = -1);

CREATE TABLE IF NOT EXISTS `${catalog}`.`gold`.`dim_order_date` (
  `dim_order_date_key` BIGINT NOT NULL,
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

INSERT INTO `${catalog}`.`gold`.`dim_order_date` (`dim_order_date_key`) SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_order_date` WHERE `dim_order_date_key` = -1);

CREATE TABLE IF NOT EXISTS `${catalog}`.`gold`.`fact_order_lines` (
  `order_id` STRING NOT NULL,
  `line_number` INT NOT NULL,
  `order_date` DATE,
  `quantity` INT,
  `unit_price` DECIMAL(12, 2),
  `currency` STRING,
  `status` STRING,
  `dim_customer_key` BIGINT NOT NULL,
  `dim_product_key` BIGINT NOT NULL,
  `dim_channel_key` BIGINT NOT NULL,
  `dim_order_date_key` BIGINT NOT NULL,
  `_updated_at` TIMESTAMP NOT NULL,
  `_run_id` STRING NOT NULL
) USING DELTA;

CREATE TABLE IF NOT EXISTS `${catalog}`.`gold`.`agg_orders_daily` (
  `day` DATE NOT NULL,
  `dim_product_key` BIGINT NOT NULL,
  `quantity` DECIMAL(38, 0),
  `line_count` BIGINT,
  `_updated_at` TIMESTAMP NOT NULL
) USING DELTA;



-- step bronze (bronze)

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`bronze_stage_sales_order_lines` USING DELTA AS SELECT `order_id`, `line_number`, `order_date`, `customer_id`, `product_id`, `quantity`, `unit_price`, `discount_pct`, `currency`, `status`, `channel`, `updated_at`, `is_deleted`, _batch_id, _source_file, _row_number, _rescued_data, _ok,
  CASE WHEN NOT _ok THEN filter(array(CASE WHEN NOT coalesce(_fields <= 0, false) THEN 'row.fields_extra' END, CASE WHEN NOT coalesce(_fields >= 0, false) THEN 'row.fields_missing' END, CASE WHEN NOT coalesce(`_raw_order_id` IS NOT NULL, false) THEN 'order_id.not_null' END, CASE WHEN NOT coalesce((`order_id` IS NULL OR char_length(`order_id`) <= 10), false) THEN 'order_id.max_length' END, CASE WHEN NOT coalesce((`order_id` IS NULL OR `order_id` RLIKE '^(SO[0-9]{8})$'), false) THEN 'order_id.pattern' END, CASE WHEN NOT coalesce(`_raw_line_number` IS NOT NULL, false) THEN 'line_number.not_null' END, CASE WHEN NOT coalesce((`_raw_line_number` IS NULL OR `line_number` IS NOT NULL), false) THEN 'line_number.parse' END, CASE WHEN NOT coalesce((`line_number` IS NULL OR `line_number` >= 1), false) THEN 'line_number.min' END, CASE WHEN NOT coalesce((`line_number` IS NULL OR `line_number` <= 9999), false) THEN 'line_number.max' END, CASE WHEN NOT coalesce(`_raw_order_date` IS NOT NULL, false) THEN 'order_date.not_null' END, CASE WHEN NOT coalesce((`_raw_order_date` IS NULL OR `order_date` IS NOT NULL), false) THEN 'order_date.parse' END, CASE WHEN NOT coalesce(`_raw_customer_id` IS NOT NULL, false) THEN 'customer_id.not_null' END, CASE WHEN NOT coalesce((`customer_id` IS NULL OR char_length(`customer_id`) <= 7), false) THEN 'customer_id.max_length' END, CASE WHEN NOT coalesce((`customer_id` IS NULL OR `customer_id` RLIKE '^(C[0-9]{6})$'), false) THEN 'customer_id.pattern' END, CASE WHEN NOT coalesce(`_raw_product_id` IS NOT NULL, false) THEN 'product_id.not_null' END, CASE WHEN NOT coalesce((`product_id` IS NULL OR char_length(`product_id`) <= 7), false) THEN 'product_id.max_length' END, CASE WHEN NOT coalesce((`product_id` IS NULL OR `product_id` RLIKE '^(P-[0-9]{5})$'), false) THEN 'product_id.pattern' END, CASE WHEN NOT coalesce(`_raw_quantity` IS NOT NULL, false) THEN 'quantity.not_null' END, CASE WHEN NOT coalesce((`_raw_quantity` IS NULL OR `quantity` IS NOT NULL), false) THEN 'quantity.parse' END, CASE WHEN NOT coalesce((`quantity` IS NULL OR `quantity` >= 1), false) THEN 'quantity.min' END, CASE WHEN NOT coalesce((`quantity` IS NULL OR `quantity` <= 100000), false) THEN 'quantity.max' END, CASE WHEN NOT coalesce(`_raw_unit_price` IS NOT NULL, false) THEN 'unit_price.not_null' END, CASE WHEN NOT coalesce((`_raw_unit_price` IS NULL OR `unit_price` IS NOT NULL), false) THEN 'unit_price.parse' END, CASE WHEN NOT coalesce((`unit_price` IS NULL OR `unit_price` >= 0), false) THEN 'unit_price.min' END, CASE WHEN NOT coalesce((`_raw_discount_pct` IS NULL OR `discount_pct` IS NOT NULL), false) THEN 'discount_pct.parse' END, CASE WHEN NOT coalesce((`discount_pct` IS NULL OR `discount_pct` >= 0), false) THEN 'discount_pct.min' END, CASE WHEN NOT coalesce((`discount_pct` IS NULL OR `discount_pct` <= 100), false) THEN 'discount_pct.max' END, CASE WHEN NOT coalesce(`_raw_currency` IS NOT NULL, false) THEN 'currency.not_null' END, CASE WHEN NOT coalesce((`currency` IS NULL OR `currency` IN ('EUR', 'USD', 'GBP')), false) THEN 'currency.enum' END, CASE WHEN NOT coalesce(`_raw_status` IS NOT NULL, false) THEN 'status.not_null' END, CASE WHEN NOT coalesce((`status` IS NULL OR `status` IN ('open', 'shipped', 'invoiced', 'cancelled')), false) THEN 'status.enum' END, CASE WHEN NOT coalesce((`channel` IS NULL OR char_length(`channel`) <= 32), false) THEN 'channel.max_length' END, CASE WHEN NOT coalesce(`_raw_updated_at` IS NOT NULL, false) THEN 'updated_at.not_null' END, CASE WHEN NOT coalesce((`_raw_updated_at` IS NULL OR `updated_at` IS NOT NULL), false) THEN 'updated_at.parse' END, CASE WHEN NOT coalesce((`updated_at` IS NULL OR `updated_at` <= current_timestamp), false) THEN 'updated_at.max' END, CASE WHEN NOT coalesce((`_raw_is_deleted` IS NULL OR `is_deleted` IS NOT NULL), false) THEN 'is_deleted.parse' END, CASE WHEN NOT coalesce(coalesce((quantity * unit_price <= 100000000), true), false) THEN 'row.net_amount_bounded' END), x -> x IS NOT NULL) END AS _rule_ids,
  CASE WHEN NOT _ok THEN filter(array(CASE WHEN NOT coalesce(_fields <= 0, false) THEN 'more fields than the file\'s header: a delimiter at the end of the row, or in a value that is not quoted?' END, CASE WHEN NOT coalesce(_fields >= 0, false) THEN 'fewer fields than the file\'s header: a row cut short, or a line break in a value that is not quoted?' END, CASE WHEN NOT coalesce(`_raw_order_id` IS NOT NULL, false) THEN 'order_id: a value is required' END, CASE WHEN NOT coalesce((`order_id` IS NULL OR char_length(`order_id`) <= 10), false) THEN 'order_id: longer than 10 characters' END, CASE WHEN NOT coalesce((`order_id` IS NULL OR `order_id` RLIKE '^(SO[0-9]{8})$'), false) THEN 'order_id: does not match the pattern SO[0-9]{8}' END, CASE WHEN NOT coalesce(`_raw_line_number` IS NOT NULL, false) THEN 'line_number: a value is required' END, CASE WHEN NOT coalesce((`_raw_line_number` IS NULL OR `line_number` IS NOT NULL), false) THEN 'line_number: not a valid int' END, CASE WHEN NOT coalesce((`line_number` IS NULL OR `line_number` >= 1), false) THEN 'line_number: below the minimum 1' END, CASE WHEN NOT coalesce((`line_number` IS NULL OR `line_number` <= 9999), false) THEN 'line_number: above the maximum 9999' END, CASE WHEN NOT coalesce(`_raw_order_date` IS NOT NULL, false) THEN 'order_date: a value is required' END, CASE WHEN NOT coalesce((`_raw_order_date` IS NULL OR `order_date` IS NOT NULL), false) THEN 'order_date: not a valid date' END, CASE WHEN NOT coalesce(`_raw_customer_id` IS NOT NULL, false) THEN 'customer_id: a value is required' END, CASE WHEN NOT coalesce((`customer_id` IS NULL OR char_length(`customer_id`) <= 7), false) THEN 'customer_id: longer than 7 characters' END, CASE WHEN NOT coalesce((`customer_id` IS NULL OR `customer_id` RLIKE '^(C[0-9]{6})$'), false) THEN 'customer_id: does not match the pattern C[0-9]{6}' END, CASE WHEN NOT coalesce(`_raw_product_id` IS NOT NULL, false) THEN 'product_id: a value is required' END, CASE WHEN NOT coalesce((`product_id` IS NULL OR char_length(`product_id`) <= 7), false) THEN 'product_id: longer than 7 characters' END, CASE WHEN NOT coalesce((`product_id` IS NULL OR `product_id` RLIKE '^(P-[0-9]{5})$'), false) THEN 'product_id: does not match the pattern P-[0-9]{5}' END, CASE WHEN NOT coalesce(`_raw_quantity` IS NOT NULL, false) THEN 'quantity: a value is required' END, CASE WHEN NOT coalesce((`_raw_quantity` IS NULL OR `quantity` IS NOT NULL), false) THEN 'quantity: not a valid int' END, CASE WHEN NOT coalesce((`quantity` IS NULL OR `quantity` >= 1), false) THEN 'quantity: below the minimum 1' END, CASE WHEN NOT coalesce((`quantity` IS NULL OR `quantity` <= 100000), false) THEN 'quantity: above the maximum 100000' END, CASE WHEN NOT coalesce(`_raw_unit_price` IS NOT NULL, false) THEN 'unit_price: a value is required' END, CASE WHEN NOT coalesce((`_raw_unit_price` IS NULL OR `unit_price` IS NOT NULL), false) THEN 'unit_price: not a valid decimal(12,2)' END, CASE WHEN NOT coalesce((`unit_price` IS NULL OR `unit_price` >= 0), false) THEN 'unit_price: below the minimum 0' END, CASE WHEN NOT coalesce((`_raw_discount_pct` IS NULL OR `discount_pct` IS NOT NULL), false) THEN 'discount_pct: not a valid decimal(5,2)' END, CASE WHEN NOT coalesce((`discount_pct` IS NULL OR `discount_pct` >= 0), false) THEN 'discount_pct: below the minimum 0' END, CASE WHEN NOT coalesce((`discount_pct` IS NULL OR `discount_pct` <= 100), false) THEN 'discount_pct: above the maximum 100' END, CASE WHEN NOT coalesce(`_raw_currency` IS NOT NULL, false) THEN 'currency: a value is required' END, CASE WHEN NOT coalesce((`currency` IS NULL OR `currency` IN ('EUR', 'USD', 'GBP')), false) THEN 'currency: not one of EUR, USD, GBP' END, CASE WHEN NOT coalesce(`_raw_status` IS NOT NULL, false) THEN 'status: a value is required' END, CASE WHEN NOT coalesce((`status` IS NULL OR `status` IN ('open', 'shipped', 'invoiced', 'cancelled')), false) THEN 'status: not one of open, shipped, invoiced, cancelled' END, CASE WHEN NOT coalesce((`channel` IS NULL OR char_length(`channel`) <= 32), false) THEN 'channel: longer than 32 characters' END, CASE WHEN NOT coalesce(`_raw_updated_at` IS NOT NULL, false) THEN 'updated_at: a value is required' END, CASE WHEN NOT coalesce((`_raw_updated_at` IS NULL OR `updated_at` IS NOT NULL), false) THEN 'updated_at: not a valid timestamp' END, CASE WHEN NOT coalesce((`updated_at` IS NULL OR `updated_at` <= current_timestamp), false) THEN 'updated_at: in the future' END, CASE WHEN NOT coalesce((`_raw_is_deleted` IS NULL OR `is_deleted` IS NOT NULL), false) THEN 'is_deleted: not a valid boolean' END, CASE WHEN NOT coalesce(coalesce((quantity * unit_price <= 100000000), true), false) THEN 'line amount exceeds 100,000,000' END), x -> x IS NOT NULL) END AS _messages,
  CASE WHEN NOT _ok THEN CASE WHEN _rescued_data IS NULL THEN to_json(named_struct('OrderID', `_src_0`, 'LineNo', `_src_1`, 'order_date', `_src_2`, 'customer_id', `_src_3`, 'product_id', `_src_4`, 'quantity', `_src_5`, 'unit_price', `_src_6`, 'discount_pct', `_src_7`, 'currency', `_src_8`, 'status', `_src_9`, 'channel', `_src_10`, 'updated_at', `_src_11`, 'is_deleted', `_src_12`), map('ignoreNullFields', 'false')) ELSE substr(to_json(named_struct('OrderID', `_src_0`, 'LineNo', `_src_1`, 'order_date', `_src_2`, 'customer_id', `_src_3`, 'product_id', `_src_4`, 'quantity', `_src_5`, 'unit_price', `_src_6`, 'discount_pct', `_src_7`, 'currency', `_src_8`, 'status', `_src_9`, 'channel', `_src_10`, 'updated_at', `_src_11`, 'is_deleted', `_src_12`), map('ignoreNullFields', 'false')), 1, length(to_json(named_struct('OrderID', `_src_0`, 'LineNo', `_src_1`, 'order_date', `_src_2`, 'customer_id', `_src_3`, 'product_id', `_src_4`, 'quantity', `_src_5`, 'unit_price', `_src_6`, 'discount_pct', `_src_7`, 'currency', `_src_8`, 'status', `_src_9`, 'channel', `_src_10`, 'updated_at', `_src_11`, 'is_deleted', `_src_12`), map('ignoreNullFields', 'false'))) - 1) || ',' || substr(_rescued_data, 2) END END AS _raw
FROM (SELECT t.*, coalesce(_fields <= 0, false) AND coalesce(_fields >= 0, false) AND coalesce(`_raw_order_id` IS NOT NULL, false) AND coalesce((`order_id` IS NULL OR char_length(`order_id`) <= 10), false) AND coalesce((`order_id` IS NULL OR `order_id` RLIKE '^(SO[0-9]{8})$'), false) AND coalesce(`_raw_line_number` IS NOT NULL, false) AND coalesce((`_raw_line_number` IS NULL OR `line_number` IS NOT NULL), false) AND coalesce((`line_number` IS NULL OR `line_number` >= 1), false) AND coalesce((`line_number` IS NULL OR `line_number` <= 9999), false) AND coalesce(`_raw_order_date` IS NOT NULL, false) AND coalesce((`_raw_order_date` IS NULL OR `order_date` IS NOT NULL), false) AND coalesce(`_raw_customer_id` IS NOT NULL, false) AND coalesce((`customer_id` IS NULL OR char_length(`customer_id`) <= 7), false) AND coalesce((`customer_id` IS NULL OR `customer_id` RLIKE '^(C[0-9]{6})$'), false) AND coalesce(`_raw_product_id` IS NOT NULL, false) AND coalesce((`product_id` IS NULL OR char_length(`product_id`) <= 7), false) AND coalesce((`product_id` IS NULL OR `product_id` RLIKE '^(P-[0-9]{5})$'), false) AND coalesce(`_raw_quantity` IS NOT NULL, false) AND coalesce((`_raw_quantity` IS NULL OR `quantity` IS NOT NULL), false) AND coalesce((`quantity` IS NULL OR `quantity` >= 1), false) AND coalesce((`quantity` IS NULL OR `quantity` <= 100000), false) AND coalesce(`_raw_unit_price` IS NOT NULL, false) AND coalesce((`_raw_unit_price` IS NULL OR `unit_price` IS NOT NULL), false) AND coalesce((`unit_price` IS NULL OR `unit_price` >= 0), false) AND coalesce((`_raw_discount_pct` IS NULL OR `discount_pct` IS NOT NULL), false) AND coalesce((`discount_pct` IS NULL OR `discount_pct` >= 0), false) AND coalesce((`discount_pct` IS NULL OR `discount_pct` <= 100), false) AND coalesce(`_raw_currency` IS NOT NULL, false) AND coalesce((`currency` IS NULL OR `currency` IN ('EUR', 'USD', 'GBP')), false) AND coalesce(`_raw_status` IS NOT NULL, false) AND coalesce((`status` IS NULL OR `status` IN ('open', 'shipped', 'invoiced', 'cancelled')), false) AND coalesce((`channel` IS NULL OR char_length(`channel`) <= 32), false) AND coalesce(`_raw_updated_at` IS NOT NULL, false) AND coalesce((`_raw_updated_at` IS NULL OR `updated_at` IS NOT NULL), false) AND coalesce((`updated_at` IS NULL OR `updated_at` <= current_timestamp), false) AND coalesce((`_raw_is_deleted` IS NULL OR `is_deleted` IS NOT NULL), false) AND coalesce(coalesce((quantity * unit_price <= 100000000), true), false) AS _ok FROM (SELECT n.*, `_raw_order_id` AS `order_id`,
  CASE WHEN `_raw_line_number` RLIKE '^([+-]?[0-9]{1,10})$' THEN try_cast(`_raw_line_number` AS INT) END AS `line_number`,
  CASE WHEN `_raw_order_date` RLIKE '^((?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01]))$' THEN to_date(try_to_timestamp(`_raw_order_date`, 'yyyy-MM-dd')) END AS `order_date`,
  `_raw_customer_id` AS `customer_id`,
  `_raw_product_id` AS `product_id`,
  CASE WHEN `_raw_quantity` RLIKE '^([+-]?[0-9]{1,10})$' THEN try_cast(`_raw_quantity` AS INT) END AS `quantity`,
  CASE WHEN `_raw_unit_price` RLIKE '^([+-]?(?:0*[0-9]{1,10}(?:[.][0-9]{0,2}0*)?|[.][0-9]{1,2}0*))$' THEN try_cast(`_raw_unit_price` AS DECIMAL(12, 2)) END AS `unit_price`,
  CASE WHEN `_raw_discount_pct` RLIKE '^([+-]?(?:0*[0-9]{1,3}(?:[.][0-9]{0,2}0*)?|[.][0-9]{1,2}0*))$' THEN try_cast(`_raw_discount_pct` AS DECIMAL(5, 2)) END AS `discount_pct`,
  `_raw_currency` AS `currency`,
  `_raw_status` AS `status`,
  `_raw_channel` AS `channel`,
  CASE WHEN `_raw_updated_at` RLIKE '^((?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])(?:[T ](?:[01][0-9]|2[0-3]):(?:[0-5][0-9])(?::(?:[0-5][0-9])(?:[.][0-9]{1,9})?)?|[T ](?:[01][0-9]|2[0-3]):(?:[0-5][0-9]):(?:[0-5][0-9])(?:[.][0-9]{1,9})?(?:Z|[+-](?:(?:0[0-9]|1[0-7]):[0-5][0-9]|18:00)))?)$' THEN CASE WHEN try_cast(`_raw_updated_at` AS TIMESTAMP) BETWEEN TIMESTAMP '0001-01-01 00:00:00+00:00' AND TIMESTAMP '9999-12-31 23:59:59.999999+00:00' THEN try_cast(`_raw_updated_at` AS TIMESTAMP) END END AS `updated_at`,
  CASE WHEN lower(`_raw_is_deleted`) IN ('true', 't', 'yes', 'y', '1') THEN true WHEN lower(`_raw_is_deleted`) IN ('false', 'f', 'no', 'n', '0') THEN false END AS `is_deleted` FROM (SELECT l._batch_id, l._source_file, l._row_number, l._rescued_data, l._fields, l.`OrderID` AS `_src_0`, l.`LineNo` AS `_src_1`, l.`order_date` AS `_src_2`, l.`customer_id` AS `_src_3`, l.`product_id` AS `_src_4`, l.`quantity` AS `_src_5`, l.`unit_price` AS `_src_6`, l.`discount_pct` AS `_src_7`, l.`currency` AS `_src_8`, l.`status` AS `_src_9`, l.`channel` AS `_src_10`, l.`updated_at` AS `_src_11`, l.`is_deleted` AS `_src_12`, NULLIF(`OrderID`, '') AS `_raw_order_id`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `LineNo`), '') AS `_raw_line_number`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `order_date`), '') AS `_raw_order_date`,
  NULLIF(`customer_id`, '') AS `_raw_customer_id`,
  NULLIF(`product_id`, '') AS `_raw_product_id`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `quantity`), '') AS `_raw_quantity`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `unit_price`), '') AS `_raw_unit_price`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `discount_pct`), '') AS `_raw_discount_pct`,
  NULLIF(`currency`, '') AS `_raw_currency`,
  NULLIF(`status`, '') AS `_raw_status`,
  NULLIF(`channel`, '') AS `_raw_channel`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `updated_at`), '') AS `_raw_updated_at`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `is_deleted`), '') AS `_raw_is_deleted` FROM landing_raw l) n) t) c;

INSERT INTO `${catalog}`.`quarantine`.`sales_order_lines` (`_batch_id`, `_source_file`, `_row_number`, `_run_id`, `_quarantined_at`, `rule_ids`, `messages`, `raw`, `repeat_of`)
SELECT s._batch_id, s._source_file, s._row_number, '${run_id}', current_timestamp(), s._rule_ids, s._messages, s._raw, p.first_batch
FROM `${catalog}`.`saleslake`.`bronze_stage_sales_order_lines` s LEFT JOIN (SELECT raw, min(_batch_id) AS first_batch FROM `${catalog}`.`quarantine`.`sales_order_lines`
  WHERE raw IN (SELECT _raw FROM `${catalog}`.`saleslake`.`bronze_stage_sales_order_lines` WHERE NOT _ok) GROUP BY raw) p ON p.raw = s._raw
WHERE NOT s._ok;

INSERT INTO `${catalog}`.`bronze`.`sales_order_lines` (`order_id`, `line_number`, `order_date`, `customer_id`, `product_id`, `quantity`, `unit_price`, `discount_pct`, `currency`, `status`, `channel`, `updated_at`, `is_deleted`, `_batch_id`, `_source_file`, `_row_number`, `_ingested_at`, `_run_id`, `_rescued_data`)
SELECT `order_id`, `line_number`, `order_date`, `customer_id`, `product_id`, `quantity`, `unit_price`, `discount_pct`, `currency`, `status`, `channel`, `updated_at`, `is_deleted`, _batch_id, _source_file, _row_number, current_timestamp(), '${run_id}', _rescued_data FROM `${catalog}`.`saleslake`.`bronze_stage_sales_order_lines` WHERE _ok;

SELECT count(*) AS rows_read, count(*) FILTER (WHERE _ok) AS rows_accepted, count(*) FILTER (WHERE NOT _ok) AS rows_quarantined FROM `${catalog}`.`saleslake`.`bronze_stage_sales_order_lines`;

-- step silver (silver)

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`silver_delta_sales_order_lines` USING DELTA AS SELECT s.*, CASE WHEN t.`order_id` IS NULL THEN 'insert' WHEN t._run_id = '${run_id}' THEN 'applied' WHEN (s.`updated_at` > t.`updated_at` OR (t.`updated_at` IS NULL AND s.`updated_at` IS NOT NULL)) THEN 'update' ELSE 'stale' END AS _action
FROM (SELECT * FROM (SELECT d.*, row_number() OVER (PARTITION BY d.`order_id`, d.`line_number` ORDER BY d.`updated_at` DESC NULLS LAST, d._batch_id ASC, d._source_file ASC, d._row_number ASC) AS _rn, count(*) OVER (PARTITION BY d.`order_id`, d.`line_number` ORDER BY d.`updated_at` DESC NULLS LAST, d._batch_id ASC, d._source_file ASC, d._row_number ASC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS _versions FROM (SELECT b.* FROM `${catalog}`.`bronze`.`sales_order_lines` b WHERE b._run_id = '${run_id}') d) x WHERE _rn = 1) s LEFT JOIN `${catalog}`.`silver`.`sales_order_lines` t ON s.`order_id` = t.`order_id` AND s.`line_number` = t.`line_number`;

MERGE INTO `${catalog}`.`silver`.`sales_order_lines` AS t
USING (SELECT * FROM `${catalog}`.`saleslake`.`silver_delta_sales_order_lines` WHERE _action IN ('insert', 'update')) AS s
ON t.`order_id` = s.`order_id` AND t.`line_number` = s.`line_number`
WHEN MATCHED THEN UPDATE SET `order_id` = s.`order_id`, `line_number` = s.`line_number`, `order_date` = s.`order_date`, `customer_id` = s.`customer_id`, `product_id` = s.`product_id`, `quantity` = s.`quantity`, `unit_price` = s.`unit_price`, `discount_pct` = s.`discount_pct`, `currency` = s.`currency`, `status` = s.`status`, `channel` = s.`channel`, `updated_at` = s.`updated_at`, `is_deleted` = s.`is_deleted`, `_batch_id` = s.`_batch_id`, `_source_file` = s.`_source_file`, `_row_number` = s.`_row_number`, `_ingested_at` = s.`_ingested_at`, `_run_id` = '${run_id}'
WHEN NOT MATCHED THEN INSERT (`order_id`, `line_number`, `order_date`, `customer_id`, `product_id`, `quantity`, `unit_price`, `discount_pct`, `currency`, `status`, `channel`, `updated_at`, `is_deleted`, `_batch_id`, `_source_file`, `_row_number`, `_ingested_at`, `_run_id`) VALUES (s.`order_id`, s.`line_number`, s.`order_date`, s.`customer_id`, s.`product_id`, s.`quantity`, s.`unit_price`, s.`discount_pct`, s.`currency`, s.`status`, s.`channel`, s.`updated_at`, s.`is_deleted`, s.`_batch_id`, s.`_source_file`, s.`_row_number`, s.`_ingested_at`, '${run_id}');

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`changed_keys_sales_order_lines` USING DELTA AS SELECT `order_id`, `line_number` FROM `${catalog}`.`saleslake`.`silver_delta_sales_order_lines` WHERE _action <> 'stale';

SELECT count(*) AS rows_in, count(*) FILTER (WHERE _action = 'insert') AS rows_inserted, count(*) FILTER (WHERE _action = 'update') AS rows_updated, count(*) FILTER (WHERE _action = 'stale') AS rows_stale, coalesce(sum(_versions - 1), 0) AS rows_superseded, count(*) FILTER (WHERE _action IN ('insert', 'update') AND coalesce(`is_deleted`, false)) AS rows_deleted FROM `${catalog}`.`saleslake`.`silver_delta_sales_order_lines`;

-- step dim_customer (dimension)

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`src_dim_customer_sales_order_lines` USING DELTA AS SELECT DISTINCT s.`customer_id` FROM (SELECT s.* FROM `${catalog}`.`silver`.`sales_order_lines` s LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_sales_order_lines` c ON c.`order_id` = s.`order_id` AND c.`line_number` = s.`line_number`) s WHERE s.`customer_id` IS NOT NULL;

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`new_dim_customer_sales_order_lines` USING DELTA AS SELECT s.* FROM `${catalog}`.`saleslake`.`src_dim_customer_sales_order_lines` s WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_customer` t WHERE t.`customer_id` = s.`customer_id`);

INSERT INTO `${catalog}`.`gold`.`dim_customer` (`dim_customer_key`, `customer_id`, _updated_at, _run_id)
SELECT m.mx + row_number() OVER (ORDER BY s.`customer_id`), s.`customer_id`, current_timestamp(), '${run_id}'
FROM `${catalog}`.`saleslake`.`new_dim_customer_sales_order_lines` s CROSS JOIN (SELECT coalesce(max(`dim_customer_key`), 0) AS mx FROM `${catalog}`.`gold`.`dim_customer` WHERE `dim_customer_key` > 0) m;

SELECT count(*) AS members_added FROM `${catalog}`.`saleslake`.`new_dim_customer_sales_order_lines`;

-- step dim_product (dimension)

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`src_dim_product_sales_order_lines` USING DELTA AS SELECT DISTINCT s.`product_id` FROM (SELECT s.* FROM `${catalog}`.`silver`.`sales_order_lines` s LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_sales_order_lines` c ON c.`order_id` = s.`order_id` AND c.`line_number` = s.`line_number`) s WHERE s.`product_id` IS NOT NULL;

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`new_dim_product_sales_order_lines` USING DELTA AS SELECT s.* FROM `${catalog}`.`saleslake`.`src_dim_product_sales_order_lines` s WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_product` t WHERE t.`product_id` = s.`product_id`);

INSERT INTO `${catalog}`.`gold`.`dim_product` (`dim_product_key`, `product_id`, _updated_at, _run_id)
SELECT m.mx + row_number() OVER (ORDER BY s.`product_id`), s.`product_id`, current_timestamp(), '${run_id}'
FROM `${catalog}`.`saleslake`.`new_dim_product_sales_order_lines` s CROSS JOIN (SELECT coalesce(max(`dim_product_key`), 0) AS mx FROM `${catalog}`.`gold`.`dim_product` WHERE `dim_product_key` > 0) m;

SELECT count(*) AS members_added FROM `${catalog}`.`saleslake`.`new_dim_product_sales_order_lines`;

-- step dim_channel (dimension)

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`src_dim_channel_sales_order_lines` USING DELTA AS SELECT DISTINCT s.`channel` FROM (SELECT s.* FROM `${catalog}`.`silver`.`sales_order_lines` s LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_sales_order_lines` c ON c.`order_id` = s.`order_id` AND c.`line_number` = s.`line_number`) s WHERE s.`channel` IS NOT NULL;

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`new_dim_channel_sales_order_lines` USING DELTA AS SELECT s.* FROM `${catalog}`.`saleslake`.`src_dim_channel_sales_order_lines` s WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_channel` t WHERE t.`channel` = s.`channel`);

INSERT INTO `${catalog}`.`gold`.`dim_channel` (`dim_channel_key`, `channel`, _updated_at, _run_id)
SELECT m.mx + row_number() OVER (ORDER BY s.`channel`), s.`channel`, current_timestamp(), '${run_id}'
FROM `${catalog}`.`saleslake`.`new_dim_channel_sales_order_lines` s CROSS JOIN (SELECT coalesce(max(`dim_channel_key`), 0) AS mx FROM `${catalog}`.`gold`.`dim_channel` WHERE `dim_channel_key` > 0) m;

SELECT count(*) AS members_added FROM `${catalog}`.`saleslake`.`new_dim_channel_sales_order_lines`;

-- step dim_order_date (dimension)

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`src_dim_order_date_sales_order_lines` USING DELTA AS SELECT DISTINCT CAST(s.`order_date` AS DATE) AS d FROM (SELECT s.* FROM `${catalog}`.`silver`.`sales_order_lines` s LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_sales_order_lines` c ON c.`order_id` = s.`order_id` AND c.`line_number` = s.`line_number`) s WHERE s.`order_date` IS NOT NULL;

INSERT INTO `${catalog}`.`gold`.`dim_order_date` (`dim_order_date_key`, `date`, `year`, `quarter`, `month`, `month_name`, `day`, `day_of_week`, `day_name`, `week_of_year`, `is_weekend`)
SELECT (year(x.d) * 10000 + month(x.d) * 100 + day(x.d)), x.d, year(x.d), quarter(x.d), month(x.d), date_format(x.d, 'MMMM'), day(x.d), (weekday(x.d) + 1), date_format(x.d, 'EEEE'), weekofyear(x.d), (weekday(x.d) + 1) >= 6
FROM `${catalog}`.`saleslake`.`src_dim_order_date_sales_order_lines` x WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_order_date` t WHERE t.`dim_order_date_key` = (year(x.d) * 10000 + month(x.d) * 100 + day(x.d)));

SELECT count(*) AS members_seen FROM `${catalog}`.`saleslake`.`src_dim_order_date_sales_order_lines`;

-- step fact_order_lines (fact)

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`agg_days_sales_order_lines` USING DELTA AS SELECT DISTINCT CAST(f.`order_date` AS DATE) AS day FROM `${catalog}`.`gold`.`fact_order_lines` f LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_sales_order_lines` c ON c.`order_id` = f.`order_id` AND c.`line_number` = f.`line_number` WHERE f.`order_date` IS NOT NULL
UNION SELECT DISTINCT CAST(s.`order_date` AS DATE) FROM (SELECT s.* FROM `${catalog}`.`silver`.`sales_order_lines` s LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_sales_order_lines` c ON c.`order_id` = s.`order_id` AND c.`line_number` = s.`line_number`) s WHERE s.`order_date` IS NOT NULL;

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`fact_src_sales_order_lines` USING DELTA AS SELECT s.`order_id`, s.`line_number`, s.`order_date`, s.`quantity`, s.`unit_price`, s.`currency`, s.`status`, coalesce(d0.`dim_customer_key`, -1) AS `dim_customer_key`, coalesce(d1.`dim_product_key`, -1) AS `dim_product_key`, coalesce(d2.`dim_channel_key`, -1) AS `dim_channel_key`, coalesce(year(CAST(s.`order_date` AS DATE)) * 10000 + month(CAST(s.`order_date` AS DATE)) * 100 + day(CAST(s.`order_date` AS DATE)), -1) AS `dim_order_date_key`, coalesce(s.`is_deleted`, false) AS _deleted
FROM (SELECT s.* FROM `${catalog}`.`silver`.`sales_order_lines` s LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_sales_order_lines` c ON c.`order_id` = s.`order_id` AND c.`line_number` = s.`line_number`) s LEFT JOIN `${catalog}`.`gold`.`dim_customer` d0 ON d0.`customer_id` = s.`customer_id` LEFT JOIN `${catalog}`.`gold`.`dim_product` d1 ON d1.`product_id` = s.`product_id` LEFT JOIN `${catalog}`.`gold`.`dim_channel` d2 ON d2.`channel` = s.`channel`;

MERGE INTO `${catalog}`.`gold`.`fact_order_lines` AS t USING `${catalog}`.`saleslake`.`fact_src_sales_order_lines` AS s ON t.`order_id` = s.`order_id` AND t.`line_number` = s.`line_number`
WHEN MATCHED AND s._deleted THEN DELETE
WHEN MATCHED THEN UPDATE SET `order_id` = s.`order_id`, `line_number` = s.`line_number`, `order_date` = s.`order_date`, `quantity` = s.`quantity`, `unit_price` = s.`unit_price`, `currency` = s.`currency`, `status` = s.`status`, `dim_customer_key` = s.`dim_customer_key`, `dim_product_key` = s.`dim_product_key`, `dim_channel_key` = s.`dim_channel_key`, `dim_order_date_key` = s.`dim_order_date_key`, _updated_at = current_timestamp(), _run_id = '${run_id}'
WHEN NOT MATCHED AND NOT s._deleted THEN INSERT (`order_id`, `line_number`, `order_date`, `quantity`, `unit_price`, `currency`, `status`, `dim_customer_key`, `dim_product_key`, `dim_channel_key`, `dim_order_date_key`, _updated_at, _run_id) VALUES (s.`order_id`, s.`line_number`, s.`order_date`, s.`quantity`, s.`unit_price`, s.`currency`, s.`status`, s.`dim_customer_key`, s.`dim_product_key`, s.`dim_channel_key`, s.`dim_order_date_key`, current_timestamp(), '${run_id}');

SELECT count(*) FILTER (WHERE NOT _deleted) AS rows_upserted, count(*) FILTER (WHERE _deleted) AS rows_deleted FROM `${catalog}`.`saleslake`.`fact_src_sales_order_lines`;

-- step agg_orders_daily (aggregate)

MERGE INTO `${catalog}`.`gold`.`agg_orders_daily` AS t USING `${catalog}`.`saleslake`.`agg_days_sales_order_lines` AS d ON t.day = d.day WHEN MATCHED THEN DELETE;

INSERT INTO `${catalog}`.`gold`.`agg_orders_daily` (day, `dim_product_key`, `quantity`, `line_count`, _updated_at)
SELECT CAST(f.`order_date` AS DATE) AS day, f.`dim_product_key`, sum(f.`quantity`) AS `quantity`, count(f.`order_id`) AS `line_count`, current_timestamp()
FROM `${catalog}`.`gold`.`fact_order_lines` f WHERE CAST(f.`order_date` AS DATE) IN (SELECT day FROM `${catalog}`.`saleslake`.`agg_days_sales_order_lines`)
GROUP BY CAST(f.`order_date` AS DATE), f.`dim_product_key`;

SELECT count(*) AS days_recomputed FROM `${catalog}`.`saleslake`.`agg_days_sales_order_lines`;