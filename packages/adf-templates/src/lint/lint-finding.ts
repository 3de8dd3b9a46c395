import type { ArtifactType } from "./factory-artifacts.ts";

/** Every rule the linter checks. Stable ids: suppressions and tools match on them. */
export type LintRule =
  | "invalid-json"
  | "invalid-artifact"
  | "duplicate-name"
  | "expression-syntax"
  | "unknown-function"
  | "function-arity"
  | "unknown-activity"
  | "activity-not-upstream"
  | "activity-output-shape"
  | "unknown-dependency"
  | "cycle"
  | "unknown-parameter"
  | "missing-parameter"
  | "unknown-variable"
  | "unknown-system-variable"
  | "unknown-dataset"
  | "unknown-linked-service"
  | "unknown-pipeline"
  | "unknown-trigger"
  | "context-function";

export interface LintFinding {
  readonly rule: LintRule;
  readonly severity: "error" | "warning";
  readonly message: string;
  readonly artifactType: ArtifactType;
  readonly artifact: string;
  /** The activity the problem is in, for pipelines. */
  readonly activity?: string;
  /** The whole string value the expression was read from. */
  readonly expression?: string;
  /** JSON path of the value inside the artifact document, e.g. `properties.activities[2].typeProperties.source`. */
  readonly path: string;
  /** The file the artifact was read from, when linted from a folder. */
  readonly file?: string;
  /** 1-based line in `file`, for JSON syntax errors. */
  readonly row?: number;
}

/** One line for people: `pipeline pl_x, activity A: message` plus the expression when there is one. */
export function formatFinding(f: LintFinding): string {
  const where = [`${f.artifactType} ${f.artifact}`, f.activity && `activity ${JSON.stringify(f.activity)}`]
    .filter(Boolean)
    .join(", ");
  const expr = f.expression === undefined ? "" : ` in ${JSON.stringify(f.expression)}`;
  return `${f.severity} ${f.rule}: ${where}: ${f.message}${expr}${f.file ? ` (${f.file}${f.row ? `:${f.row}` : ""})` : ""}`;
}
