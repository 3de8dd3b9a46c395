// Public surface of @saleslake/databricks.

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
