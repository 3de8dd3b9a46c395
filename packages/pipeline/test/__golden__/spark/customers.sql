CREATE TABLE IF NOT EXISTS `${catalog}`.`bronze`.`customers` (
  `customer_id` STRING,
  `full_name` STRING,
  `email` STRING,
  `segment` STRING,
  `region` STRING,
  `updated_at` TIMESTAMP,
  `is_deleted` BOOLEAN,
  `_batch_id` STRING NOT NULL,
  `_source_file` STRING NOT NULL,
  `_row_number` BIGINT NOT NULL,
  `_ingested_at` TIMESTAMP NOT NULL,
  `_run_id` STRING NOT NULL,
  `_rescued_data` STRING
) USING DELTA;

CREATE TABLE IF NOT EXISTS `${catalog}`.`quarantine`.`customers` (
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

CREATE TABLE IF NOT EXISTS `${catalog}`.`silver`.`customers` (
  `customer_id` STRING NOT NULL,
  `full_name` STRING NOT NULL,
  `email` STRING,
  `segment` STRING NOT NULL,
  `region` STRING NOT NULL,
  `updated_at` TIMESTAMP NOT NULL,
  `is_deleted` BOOLEAN,
  `valid_from` TIMESTAMP NOT NULL,
  `valid_to` TIMESTAMP,
  `is_current` BOOLEAN NOT NULL,
  `_batch_id` STRING NOT NULL,
  `_source_file` STRING NOT NULL,
  `_row_number` BIGINT NOT NULL,
  `_ingested_at` TIMESTAMP NOT NULL,
  `_run_id` STRING NOT NULL
) USING DELTA;



-- step bronze (bronze)

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`bronze_stage_customers` USING DELTA AS SELECT `customer_id`, `full_name`, `email`, `segment`, `region`, `updated_at`, `is_deleted`, _batch_id, _source_file, _row_number, _rescued_data, _ok,
  CASE WHEN NOT _ok THEN filter(array(CASE WHEN NOT coalesce(_fields <= 0, false) THEN 'row.fields_extra' END, CASE WHEN NOT coalesce(_fields >= 0, false) THEN 'row.fields_missing' END, CASE WHEN NOT coalesce(`_raw_customer_id` IS NOT NULL, false) THEN 'customer_id.not_null' END, CASE WHEN NOT coalesce((`customer_id` IS NULL OR `customer_id` RLIKE '^(C[0-9]{6})$'), false) THEN 'customer_id.pattern' END, CASE WHEN NOT coalesce(`_raw_full_name` IS NOT NULL, false) THEN 'full_name.not_null' END, CASE WHEN NOT coalesce((`full_name` IS NULL OR char_length(`full_name`) <= 200), false) THEN 'full_name.max_length' END, CASE WHEN NOT coalesce((`email` IS NULL OR char_length(`email`) <= 320), false) THEN 'email.max_length' END, CASE WHEN NOT coalesce((`email` IS NULL OR `email` RLIKE '^([^@ ]+@[^@ ]+)$'), false) THEN 'email.pattern' END, CASE WHEN NOT coalesce(`_raw_segment` IS NOT NULL, false) THEN 'segment.not_null' END, CASE WHEN NOT coalesce((`segment` IS NULL OR `segment` IN ('consumer', 'business', 'fleet')), false) THEN 'segment.enum' END, CASE WHEN NOT coalesce(`_raw_region` IS NOT NULL, false) THEN 'region.not_null' END, CASE WHEN NOT coalesce((`region` IS NULL OR char_length(`region`) <= 64), false) THEN 'region.max_length' END, CASE WHEN NOT coalesce(`_raw_updated_at` IS NOT NULL, false) THEN 'updated_at.not_null' END, CASE WHEN NOT coalesce((`_raw_updated_at` IS NULL OR `updated_at` IS NOT NULL), false) THEN 'updated_at.parse' END, CASE WHEN NOT coalesce((`_raw_is_deleted` IS NULL OR `is_deleted` IS NOT NULL), false) THEN 'is_deleted.parse' END), x -> x IS NOT NULL) END AS _rule_ids,
  CASE WHEN NOT _ok THEN filter(array(CASE WHEN NOT coalesce(_fields <= 0, false) THEN 'more fields than the file\'s header: a delimiter at the end of the row, or in a value that is not quoted?' END, CASE WHEN NOT coalesce(_fields >= 0, false) THEN 'fewer fields than the file\'s header: a row cut short, or a line break in a value that is not quoted?' END, CASE WHEN NOT coalesce(`_raw_customer_id` IS NOT NULL, false) THEN 'customer_id: a value is required' END, CASE WHEN NOT coalesce((`customer_id` IS NULL OR `customer_id` RLIKE '^(C[0-9]{6})$'), false) THEN 'customer_id: does not match the pattern C[0-9]{6}' END, CASE WHEN NOT coalesce(`_raw_full_name` IS NOT NULL, false) THEN 'full_name: a value is required' END, CASE WHEN NOT coalesce((`full_name` IS NULL OR char_length(`full_name`) <= 200), false) THEN 'full_name: longer than 200 characters' END, CASE WHEN NOT coalesce((`email` IS NULL OR char_length(`email`) <= 320), false) THEN 'email: longer than 320 characters' END, CASE WHEN NOT coalesce((`email` IS NULL OR `email` RLIKE '^([^@ ]+@[^@ ]+)$'), false) THEN 'email: does not match the pattern [^@ ]+@[^@ ]+' END, CASE WHEN NOT coalesce(`_raw_segment` IS NOT NULL, false) THEN 'segment: a value is required' END, CASE WHEN NOT coalesce((`segment` IS NULL OR `segment` IN ('consumer', 'business', 'fleet')), false) THEN 'segment: not one of consumer, business, fleet' END, CASE WHEN NOT coalesce(`_raw_region` IS NOT NULL, false) THEN 'region: a value is required' END, CASE WHEN NOT coalesce((`region` IS NULL OR char_length(`region`) <= 64), false) THEN 'region: longer than 64 characters' END, CASE WHEN NOT coalesce(`_raw_updated_at` IS NOT NULL, false) THEN 'updated_at: a value is required' END, CASE WHEN NOT coalesce((`_raw_updated_at` IS NULL OR `updated_at` IS NOT NULL), false) THEN 'updated_at: not a valid timestamp' END, CASE WHEN NOT coalesce((`_raw_is_deleted` IS NULL OR `is_deleted` IS NOT NULL), false) THEN 'is_deleted: not a valid boolean' END), x -> x IS NOT NULL) END AS _messages,
  CASE WHEN NOT _ok THEN CASE WHEN _rescued_data IS NULL THEN to_json(named_struct('CustomerID', `_src_0`, 'full_name', `_src_1`, 'email', `_src_2`, 'segment', `_src_3`, 'region', `_src_4`, 'updated_at', `_src_5`, 'is_deleted', `_src_6`), map('ignoreNullFields', 'false')) ELSE substr(to_json(named_struct('CustomerID', `_src_0`, 'full_name', `_src_1`, 'email', `_src_2`, 'segment', `_src_3`, 'region', `_src_4`, 'updated_at', `_src_5`, 'is_deleted', `_src_6`), map('ignoreNullFields', 'false')), 1, length(to_json(named_struct('CustomerID', `_src_0`, 'full_name', `_src_1`, 'email', `_src_2`, 'segment', `_src_3`, 'region', `_src_4`, 'updated_at', `_src_5`, 'is_deleted', `_src_6`), map('ignoreNullFields', 'false'))) - 1) || ',' || substr(_rescued_data, 2) END END AS _raw
FROM (SELECT t.*, coalesce(_fields <= 0, false) AND coalesce(_fields >= 0, false) AND coalesce(`_raw_customer_id` IS NOT NULL, false) AND coalesce((`customer_id` IS NULL OR `customer_id` RLIKE '^(C[0-9]{6})$'), false) AND coalesce(`_raw_full_name` IS NOT NULL, false) AND coalesce((`full_name` IS NULL OR char_length(`full_name`) <= 200), false) AND coalesce((`email` IS NULL OR char_length(`email`) <= 320), false) AND coalesce((`email` IS NULL OR `email` RLIKE '^([^@ ]+@[^@ ]+)$'), false) AND coalesce(`_raw_segment` IS NOT NULL, false) AND coalesce((`segment` IS NULL OR `segment` IN ('consumer', 'business', 'fleet')), false) AND coalesce(`_raw_region` IS NOT NULL, false) AND coalesce((`region` IS NULL OR char_length(`region`) <= 64), false) AND coalesce(`_raw_updated_at` IS NOT NULL, false) AND coalesce((`_raw_updated_at` IS NULL OR `updated_at` IS NOT NULL), false) AND coalesce((`_raw_is_deleted` IS NULL OR `is_deleted` IS NOT NULL), false) AS _ok FROM (SELECT n.*, `_raw_customer_id` AS `customer_id`,
  `_raw_full_name` AS `full_name`,
  `_raw_email` AS `email`,
  `_raw_segment` AS `segment`,
  `_raw_region` AS `region`,
  CASE WHEN `_raw_updated_at` RLIKE '^((?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])(?:[T ](?:[01][0-9]|2[0-3]):(?:[0-5][0-9])(?::(?:[0-5][0-9])(?:[.][0-9]{1,9})?)?|[T ](?:[01][0-9]|2[0-3]):(?:[0-5][0-9]):(?:[0-5][0-9])(?:[.][0-9]{1,9})?(?:Z|[+-](?:(?:0[0-9]|1[0-7]):[0-5][0-9]|18:00)))?)$' THEN CASE WHEN try_cast(`_raw_updated_at` AS TIMESTAMP) BETWEEN TIMESTAMP '0001-01-01 00:00:00+00:00' AND TIMESTAMP '9999-12-31 23:59:59.999999+00:00' THEN try_cast(`_raw_updated_at` AS TIMESTAMP) END END AS `updated_at`,
  CASE WHEN lower(`_raw_is_deleted`) IN ('true', 't', 'yes', 'y', '1') THEN true WHEN lower(`_raw_is_deleted`) IN ('false', 'f', 'no', 'n', '0') THEN false END AS `is_deleted` FROM (SELECT l._batch_id, l._source_file, l._row_number, l._rescued_data, l._fields, l.`CustomerID` AS `_src_0`, l.`full_name` AS `_src_1`, l.`email` AS `_src_2`, l.`segment` AS `_src_3`, l.`region` AS `_src_4`, l.`updated_at` AS `_src_5`, l.`is_deleted` AS `_src_6`, NULLIF(`CustomerID`, '') AS `_raw_customer_id`,
  NULLIF(`full_name`, '') AS `_raw_full_name`,
  NULLIF(`email`, '') AS `_raw_email`,
  NULLIF(`segment`, '') AS `_raw_segment`,
  NULLIF(`region`, '') AS `_raw_region`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `updated_at`), '') AS `_raw_updated_at`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `is_deleted`), '') AS `_raw_is_deleted` FROM landing_raw l) n) t) c;

INSERT INTO `${catalog}`.`quarantine`.`customers` (`_batch_id`, `_source_file`, `_row_number`, `_run_id`, `_quarantined_at`, `rule_ids`, `messages`, `raw`, `repeat_of`)
SELECT s._batch_id, s._source_file, s._row_number, '${run_id}', current_timestamp(), s._rule_ids, s._messages, s._raw, p.first_batch
FROM `${catalog}`.`saleslake`.`bronze_stage_customers` s LEFT JOIN (SELECT raw, min(_batch_id) AS first_batch FROM `${catalog}`.`quarantine`.`customers`
  WHERE raw IN (SELECT _raw FROM `${catalog}`.`saleslake`.`bronze_stage_customers` WHERE NOT _ok) GROUP BY raw) p ON p.raw = s._raw
WHERE NOT s._ok;

INSERT INTO `${catalog}`.`bronze`.`customers` (`customer_id`, `full_name`, `email`, `segment`, `region`, `updated_at`, `is_deleted`, `_batch_id`, `_source_file`, `_row_number`, `_ingested_at`, `_run_id`, `_rescued_data`)
SELECT `customer_id`, `full_name`, `email`, `segment`, `region`, `updated_at`, `is_deleted`, _batch_id, _source_file, _row_number, current_timestamp(), '${run_id}', _rescued_data FROM `${catalog}`.`saleslake`.`bronze_stage_customers` WHERE _ok;

SELECT count(*) AS rows_read, count(*) FILTER (WHERE _ok) AS rows_accepted, count(*) FILTER (WHERE NOT _ok) AS rows_quarantined FROM `${catalog}`.`saleslake`.`bronze_stage_customers`;

-- step silver (silver)

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`silver_delta_customers` USING DELTA AS SELECT s.*, CASE WHEN t.`customer_id` IS NULL AND s._earlier = 0 THEN 'insert' WHEN t._run_id = '${run_id}' THEN 'applied' WHEN s.`updated_at` > greatest(t.`updated_at`, s._earlier_seq) OR (greatest(t.`updated_at`, s._earlier_seq) IS NULL AND s.`updated_at` IS NOT NULL) THEN 'update' ELSE 'stale' END AS _action, t.`customer_id` IS NOT NULL AS _stored
FROM (SELECT v.*, max(v.`updated_at`) OVER (PARTITION BY v.`customer_id` ORDER BY v._batch_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS _earlier_seq, count(*) OVER (PARTITION BY v.`customer_id` ORDER BY v._batch_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS _earlier FROM (SELECT * FROM (SELECT d.*, row_number() OVER (PARTITION BY d.`customer_id`, d._batch_id ORDER BY d.`updated_at` DESC NULLS LAST, d._batch_id ASC, d._source_file ASC, d._row_number ASC) AS _rn, count(*) OVER (PARTITION BY d.`customer_id`, d._batch_id ORDER BY d.`updated_at` DESC NULLS LAST, d._batch_id ASC, d._source_file ASC, d._row_number ASC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS _versions FROM (SELECT b.* FROM `${catalog}`.`bronze`.`customers` b WHERE b._run_id = '${run_id}') d) x WHERE _rn = 1) v) s LEFT JOIN (SELECT * FROM `${catalog}`.`silver`.`customers` c WHERE c.is_current) t ON s.`customer_id` = t.`customer_id`;

MERGE INTO `${catalog}`.`silver`.`customers` AS t
USING (SELECT s.`customer_id`, min_by(CAST(s.`updated_at` AS TIMESTAMP), s._batch_id) AS _valid_to FROM `${catalog}`.`saleslake`.`silver_delta_customers` s WHERE s._action = 'update' AND s._stored GROUP BY s.`customer_id`) AS s
ON t.`customer_id` = s.`customer_id` AND t.is_current
WHEN MATCHED THEN UPDATE SET valid_to = s._valid_to, is_current = false;

INSERT INTO `${catalog}`.`silver`.`customers` (`customer_id`, `full_name`, `email`, `segment`, `region`, `updated_at`, `is_deleted`, valid_from, valid_to, is_current, `_batch_id`, `_source_file`, `_row_number`, `_ingested_at`, `_run_id`)
SELECT s.`customer_id`, s.`full_name`, s.`email`, s.`segment`, s.`region`, s.`updated_at`, s.`is_deleted`, CAST(s.`updated_at` AS TIMESTAMP), lead(CAST(s.`updated_at` AS TIMESTAMP)) OVER (PARTITION BY s.`customer_id` ORDER BY s._batch_id), lead(s._batch_id) OVER (PARTITION BY s.`customer_id` ORDER BY s._batch_id) IS NULL, s.`_batch_id`, s.`_source_file`, s.`_row_number`, s.`_ingested_at`, '${run_id}'
FROM `${catalog}`.`saleslake`.`silver_delta_customers` s WHERE s._action IN ('insert', 'update');

CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`changed_keys_customers` USING DELTA AS SELECT `customer_id` FROM `${catalog}`.`saleslake`.`silver_delta_customers` WHERE _action <> 'stale';

SELECT count(*) AS rows_in, count(*) FILTER (WHERE _action = 'insert') AS rows_inserted, count(*) FILTER (WHERE _action = 'update') AS rows_updated, count(*) FILTER (WHERE _action = 'stale') AS rows_stale, coalesce(sum(_versions - 1), 0) AS rows_superseded, count(*) FILTER (WHERE _action IN ('insert', 'update') AND coalesce(`is_deleted`, false)) AS rows_deleted FROM `${catalog}`.`saleslake`.`silver_delta_customers`;