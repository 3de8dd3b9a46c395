// Public surface of @saleslake/databricks.

export { type LocalSpark, startLocalSpark } from "./local-spark/local-spark.ts";
export { generateNotebooks, NOTEBOOK_PARAMS, type Notebook } from "./notebooks.ts";
