// Public surface of @saleslake/adf-templates.

export {
  type AzureTypeFinding,
  type AzureTypeFindingCode,
  resourceApiVersions,
  resourceTypeExists,
  type ValidateResourceBodyOptions,
  validateResourceBody,
} from "./azure-types/resource-body-validator.ts";
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
  ARTIFACT_TYPES,
  type ArtifactDocument,
  type ArtifactType,
  type FactoryArtifacts,
} from "./lint/factory-artifacts.ts";
export { lintFactory } from "./lint/lint-factory.ts";
export { formatFinding, type LintFinding, type LintRule } from "./lint/lint-finding.ts";
export { type LintFolderResult, lintAdfFolder } from "./lint/lint-folder.ts";
