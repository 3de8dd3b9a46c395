// Public surface of @saleslake/ingest.

export {
  type PostgresWindow,
  type PostgresWindowOptions,
  readPostgresWindow,
} from "./database/postgres-source.ts";
export {
  readSqlServerWindow,
  type SqlServerWindow,
  type SqlServerWindowOptions,
} from "./database/sqlserver-source.ts";
export type { SqlServerTimestampType } from "./database/sqlserver-window-query.ts";
export type { WindowQuery } from "./database/window-query-compiler.ts";
export type { RunWindowQuery } from "./database/window-reader.ts";
export { IngestError, type IngestErrorCode } from "./errors.ts";
export { exactValue, parseExactJson } from "./files/exact-json.ts";
export { type FileFormat, formatOf } from "./files/file-format.ts";
export type { FileInspection, InspectOptions } from "./files/file-inspection.ts";
export { inspectFile } from "./files/inspect-file.ts";
export { jsonArrayElements } from "./files/json-array-elements.ts";
export {
  type LandingThroughputOptions,
  type LandingThroughputReport,
  measureLandingThroughput,
} from "./files/land-throughput.ts";
export {
  type ResolveSourceOptions,
  resolveSourceFileNames,
  resolveSourceFiles,
  type SourceFile,
} from "./files/resolve-source-files.ts";
export type { HttpAuth, HttpSecretSource, KeyVaultSecretRef, SecretSource } from "./http/auth-secret.ts";
export type { HttpSourceEvent } from "./http/fetch-json.ts";
export {
  type HttpPagination,
  type HttpReadStats,
  type HttpWindow,
  type HttpWindowOptions,
  type InvalidHttpRecord,
  readHttpWindow,
} from "./http/http-source.ts";
export { HttpSourceError } from "./http/http-source-error.ts";
export {
  type InvalidLandedRecord,
  type LandHttpWindowOptions,
  type LandHttpWindowResult,
  landHttpWindow,
} from "./http/land-http-window.ts";
export type { RetryOptions } from "./http/retry-policy.ts";
export { AdlsLakeStore, type AdlsLakeStoreOptions, defaultCacheDir } from "./lake/adls-lake-store.ts";
export {
  assertLakePath,
  type LakeStore,
  type PutBody,
  type PutResult,
  type StagedWrite,
} from "./lake/lake-store.ts";
export { LocalLakeStore } from "./lake/local-lake-store.ts";
export { CLAIM_STALE_MS, type ClaimHolder, claimPath } from "./landing/content-claim.ts";
export {
  type BatchInput,
  type LandBatchOptions,
  type LandingFile,
  type LandResult,
  landBatch,
} from "./landing/land-batch.ts";
export {
  type ColumnDrift,
  checkColumns,
  type LandFilesOptions,
  type LandFilesResult,
  landFiles,
} from "./landing/land-files.ts";
export { type LandRecordsOptions, landRecords } from "./landing/land-records.ts";
export {
  type HttpSource,
  type LandSourceWindowOptions,
  type LandSourceWindowResult,
  landSourceWindow,
  type PostgresSource,
  type SourceDefinition,
  type SqlServerSource,
} from "./landing/land-source-window.ts";
export {
  type LandedBatch,
  listLandedBatches,
  listLandedManifests,
  readLandedManifest,
} from "./landing/landed-batches.ts";
export { lastLandedWindow, windowLowAfter } from "./landing/next-window.ts";
