// Public surface of @saleslake/databricks.

export {
  CONTENT_TAG,
  type DeployAction,
  type DeployOptions,
  type DeployResult,
  deployJobs,
  deployWorkspace,
  getRun,
  type RunState,
  runNow,
  type TaskRunState,
  type WorkspaceNotebook,
  waitForRun,
  withContentTag,
} from "./deploy.ts";
export { DatabricksError, type DatabricksErrorCode } from "./errors.ts";
export {
  compareIncrements,
  type IncrementComparison,
  type IncrementComparisonOptions,
  type IncrementTiming,
} from "./increment-benchmark.ts";
export {
  DEFAULT_CLUSTER,
  type JobDefinition,
  type JobOptions,
  type JobSettings,
  type JobTask,
  jobDefinition,
} from "./jobs.ts";
export { type LocalSpark, startLocalSpark } from "./local-spark/local-spark.ts";
export {
  COMMIT_STEP,
  commitNotebook,
  DEFAULT_NOTEBOOK_ROOT,
  generateNotebooks,
  MAINTENANCE_PARAMS,
  MAINTENANCE_STEP,
  maintenanceNotebook,
  NOTEBOOK_PARAMS,
  type Notebook,
  type NotebookOptions,
  STATE_TABLES,
} from "./notebooks.ts";
export { DATABRICKS_SCOPE, type DatabricksClientOptions } from "./rest/databricks-client.ts";
