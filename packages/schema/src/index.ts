// Public surface of @saleslake/schema.

export {
  duckdbFloatTextSql,
  type FloatParts,
  floatPartsSql,
  floatTextSql,
  isoDatetimeTextSql,
  normalizedRawSql,
  type ParseDialect,
  rawName,
  typedDatetimeTextSql,
  typedFromRawColumnSql,
  typedFromRawSql,
} from "./dialect/parse-sql.ts";
export { type SqlServerTimestampType, sqlServerColumnText } from "./dialect/sqlserver-text.ts";
export {
  DIALECTS,
  type Dialect,
  physicalType,
  quoteIdent,
  quoteString,
  TYPE_MAPS,
} from "./dialect/type-map.ts";
export { ColumnBuilder, type InferColumns, t } from "./dsl/column-builder.ts";
export {
  columnOf,
  defineEntity,
  durationSeconds,
  type EntityInput,
  type InferRow,
  type TypedEntity,
} from "./dsl/define-entity.ts";
export { defineStar, type StarInput } from "./dsl/define-star.ts";
export { SchemaError, type SchemaErrorCode } from "./errors.ts";
export {
  parseDatetimePattern,
  patternToSpark,
  patternToStrptime,
  typedDatetimeText,
} from "./formats/datetime-pattern.ts";
export { columnPattern } from "./formats/value-grammar.ts";
export {
  type AdfInterimType,
  type AdfStructureColumn,
  adfColumnMapping,
  adfDatasetStructure,
  composedParts,
} from "./generators/adf-structure.ts";
export { canonicalJson, schemaFingerprint } from "./generators/fingerprint.ts";
export { jsonSchema } from "./generators/json-schema.ts";
export { NOW_BOUND, type QualityRule, qualityRules, type RuleKind } from "./generators/quality-rules.ts";
export { rowTypeSource } from "./generators/row-type.ts";
export { schemaArtifacts } from "./generators/schema-artifacts.ts";
export { type ChangeKind, type SchemaChange, type SchemaDiff, schemaDiff } from "./generators/schema-diff.ts";
export { sparkStruct } from "./generators/spark-struct.ts";
export { type TableColumn, type TableShapeOptions, tableColumns } from "./generators/table-columns.ts";
export { type DdlOptions, PII_TAG, TSQL_CLASSIFICATIONS, tableDdl } from "./generators/table-ddl.ts";
export {
  columnIssues,
  parseValue,
  type RawValue,
  recordFromSource,
  zodValidator,
} from "./generators/zod-validator.ts";
export { assertSafeIdentifier, isSafeIdentifier, LINEAGE_COLUMNS } from "./identifiers.ts";
export {
  type ColumnMapping,
  csvHeaderNames,
  datetimeSources,
  mapSourceColumns,
  type SourceColumn,
  sourceColumnNames,
} from "./landing/column-mapping.ts";
export {
  batchIdAfter,
  batchIngestDate,
  batchPath,
  isBatchId,
  isLandedPartOf,
  LAKE_ZONES,
  LANDING_FORMATS,
  type LakeZone,
  type LandingFormat,
  type LandingManifest,
  landingManifestSchema,
  MANIFEST_FILE,
  type ManifestFile,
  manifestFileSchema,
  newBatchId,
  parseBatchPath,
  partFileName,
  type QuarantineEntry,
  quarantineEntrySchema,
} from "./landing/landing-layout.ts";
export { parquetSchemaSignatureSql } from "./landing/parquet-schema-signature.ts";
export type {
  Aggregation,
  Column,
  ColumnConstraints,
  ComposedFrom,
  Contract,
  CustomCheck,
  DialectSql,
  Dimension,
  Entity,
  LogicalKind,
  LogicalType,
  Measure,
  NumberFormat,
  PiiTag,
  RuleSeverity,
  Star,
  UnknownColumnPolicy,
  Watermark,
} from "./model.ts";
export {
  carSales,
  carSalesStar,
  customers,
  products,
  salesEntities,
  salesOrderLines,
  salesOrderStar,
  salesStars,
} from "./sales/sales-domain.ts";
export { carSalesSeedFiles } from "./sales/seed-files.ts";
