// Test helpers of @saleslake/databricks, for this package's tests and other packages' deploy tests.
export { DatabricksRecorder, type RecordedRequest } from "./databricks-recorder.ts";
