// Public surface of @saleslake/infra: the offline Bicep checks and the deploy orchestrator.
export {
  type BicepFinding,
  checkBicep,
  type ResolvedResource,
  resolveResources,
} from "./bicep/bicep-check.ts";
export { readBicep, readBicepFolder } from "./bicep/bicep-reader.ts";
export {
  BicepExpression,
  type BicepFile,
  type BicepLoad,
  BicepLoop,
  type BicepModule,
  type BicepParam,
  type BicepResource,
  type BicepValue,
} from "./bicep/bicep-syntax.ts";
export {
  ALLOWED_ROLES,
  BASELINE_RULES,
  checkSecurityBaseline,
  DIAGNOSED_TYPES,
} from "./bicep/security-baseline.ts";
export { type DefaultStepsOptions, defaultSteps } from "./deploy/default-steps.ts";
export { type DeployMainOptions, deployMain } from "./deploy/deploy-main.ts";
export { type DeployReport, formatPlan, type RunDeployOptions, runDeploy } from "./deploy/deploy-runner.ts";
export {
  type AzureClientOptions,
  type DeployContext,
  type DeployStep,
  type DeployTarget,
  ENVIRONMENTS,
  type Environment,
  type StepResult,
} from "./deploy/deploy-step.ts";
export { type DeployedFactory, deployedFactory } from "./deploy/deployed-factory.ts";
export { redact } from "./deploy/redact.ts";
export type { SqlConnect, SqlTarget } from "./deploy/sql/sql-target.ts";
export { factoryJobs } from "./deploy/steps/databricks-step.ts";
export { type FactoryStepOptions, projectOptions } from "./deploy/steps/factory-step.ts";
export { type GeneratedFilesProject, generatedFiles } from "./generated-files.ts";
export { InfraError, type InfraErrorCode, type InfraErrorDetails } from "./infra-error.ts";
