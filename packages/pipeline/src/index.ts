// Public surface of @saleslake/pipeline.

export { DuckdbCompiler, duckdbContext, type ReplayBatch } from "./dialect/duckdb/duckdb-compiler.ts";
export {
  DEFAULT_DATABRICKS_RUNTIME,
  SparkCompiler,
  sparkNotebookContext,
} from "./dialect/spark/spark-compiler.ts";
export { PipelineError, type PipelineErrorCode } from "./errors.ts";
export { buildPlan, type Plan, type PlanStep, type PlanStepKind } from "./plan/plan.ts";
export {
  BRONZE_LINEAGE,
  type ColumnSpec,
  type CompileContext,
  type CompiledStep,
  FIELD_COUNT_RULES,
  factValueColumns,
  PlanCompiler,
  type Statement,
  surrogateKey,
  type TableSpec,
} from "./query-compiler/plan-compiler.ts";
export { CRASH_POINTS, type CrashPoint } from "./runner/crash-points.ts";
export {
  datetimeTargets,
  EXTRA_FIELDS,
  type LandedBatch,
  listLandedBatches,
  MAX_EXTRA_FIELDS,
  parquetText,
} from "./runner/landing-batches.ts";
export {
  type BatchCounts,
  type EntityRunResult,
  type PlannedRun,
  type ProgressEvent,
  planRun,
  REPLAY_SOURCE_PREFIX,
  type RunMode,
  type RunOptions,
  type RunResult,
  runPipeline,
  type StepResult,
} from "./runner/local-runner.ts";
export { acquireRunLock, type LockHolder } from "./runner/run-lock.ts";
export {
  type EngineOptions,
  MIN_MEMORY_LIMIT_BYTES,
  projectPaths,
  type Row,
  sizeInBytes,
  Warehouse,
} from "./runner/warehouse.ts";
