// Test helpers of @saleslake/adf-templates, for this package's tests and other packages' deploy tests.
export {
  ArmRecorder,
  type ArmRecorderOptions,
  type ArmReply,
  type ArmRoute,
  armError,
  type RecordedRequest,
  startArmRecorder,
} from "./arm-recorder.ts";
export { DataFactoryFake, type ScriptedRun } from "./data-factory-routes.ts";
