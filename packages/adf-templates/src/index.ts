// Public surface of @saleslake/adf-templates.

export {
  type AzureTypeFinding,
  type AzureTypeFindingCode,
  resourceApiVersions,
  resourceTypeExists,
  type ValidateResourceBodyOptions,
  validateResourceBody,
} from "./azure-types/resource-body-validator.ts";
export { type ArtifactDiffEntry, artifactDiff } from "./deploy/artifact-diff.ts";
export {
  type DeployAction,
  type DeployOptions,
  type DeployPlanEntry,
  type DeployResult,
  type DeployStep,
  deployFactory,
  formatPlan,
} from "./deploy/deploy-factory.ts";
export { type FactoryClientOptions, factoryClient } from "./deploy/factory-client.ts";
export type { FactoryTarget } from "./deploy/factory-rest.ts";
export {
  type ActivityRunSummary,
  type FollowOptions,
  followPipelineRun,
  listActivityRuns,
  startPipelineRun,
} from "./deploy/pipeline-runs.ts";
export { AdfError, type AdfErrorCode, type AdfErrorDetails } from "./errors.ts";
export { ADF_FUNCTION_NAMES, type AdfFunction, adfFunction } from "./expression/adf-functions.ts";
export type {
  AdfValue,
  Expression,
  ExpressionKind,
  Span,
  TemplatePart,
} from "./expression/expression-ast.ts";
export { isDynamic, parseAdfValue, parseExpression } from "./expression/expression-parser.ts";
export { printAdfValue, printExpression } from "./expression/expression-printer.ts";
export { ExpressionSyntaxError } from "./expression/expression-syntax-error.ts";
export { accessChain, valueExpressions, walkExpression } from "./expression/expression-walk.ts";
export {
  ADF_API_VERSION,
  ARM_RESOURCE_TYPE,
  armTemplate,
  REST_COLLECTION,
  referencedArtifacts,
} from "./generate/arm-template.ts";
export {
  CONTROL_DATASET,
  entityPipeline,
  fileDropTrigger,
  LINKED_SERVICE,
  landingDataset,
  PARENT_PIPELINE,
  sourceDataset,
  sourcePostgres,
  sourceSqlLogin,
  WINDOW_TRIGGER,
} from "./generate/artifact-names.ts";
export { controlDbGrantSql, controlDbSql } from "./generate/control-db-sql.ts";
export { EXAMPLE_FACTORY_NAME, EXAMPLE_FACTORY_OPTIONS } from "./generate/example-options.ts";
export {
  type FactoryEntity,
  type FactoryOptions,
  type ResolvedOptions,
  type ResolvedSourceTable,
  resolveOptions,
  type SourceEngine,
  type SourceTable,
  type SqlLogin,
  sqlServerAddress,
} from "./generate/factory-options.ts";
export {
  type GeneratedArtifacts,
  type GeneratedFactory,
  generateFactory,
} from "./generate/generate-factory.ts";
export { SEAL_NOTEBOOK, sealBatchNotebook } from "./generate/seal-batch-notebook.ts";
export type { SourceApi, SourceApiAuth, SourceApiPagination } from "./generate/source-api.ts";
export type {
  ActivityBody,
  DatasetBody,
  LinkedServiceBody,
  PipelineBody,
  TriggerBody,
} from "./generate/wire-types.ts";
export { generatedFiles, writeGeneratedFactory } from "./generate/write-generated.ts";
export {
  ARTIFACT_TYPES,
  type ArtifactDocument,
  type ArtifactType,
  type FactoryArtifacts,
} from "./lint/factory-artifacts.ts";
export { lintFactory } from "./lint/lint-factory.ts";
export { formatFinding, type LintFinding, type LintRule } from "./lint/lint-finding.ts";
export { type LintFolderResult, lintAdfFolder } from "./lint/lint-folder.ts";
