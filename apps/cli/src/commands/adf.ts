import {
  type ArtifactType,
  EXAMPLE_FACTORY_NAME,
  EXAMPLE_FACTORY_OPTIONS,
  type FactoryOptions,
  type GeneratedFactory,
  generateFactory,
  type LintFinding,
  lintAdfFolder,
  lintFactory,
} from "@saleslake/adf-templates";
import type { ResolvedConfig } from "../config.ts";

/** The factory name used for generated files when the project does not deploy: a placeholder. */
export const FACTORY_NAME = EXAMPLE_FACTORY_NAME;

/**
 * The Data Factory artifacts of the project's entities (each with its star). Names of the
 * factory's neighbours (storage account, SQL server, Databricks, Key Vault) are the example
 * placeholders: `deploy` fills the real ones from the infra deployment's outputs.
 */
export function projectFactory(cfg: ResolvedConfig): GeneratedFactory {
  return generateFactory({ ...EXAMPLE_FACTORY_OPTIONS, entities: projectEntities(cfg) });
}

/**
 * The project's entities, each with its star when it has one and the table of its SQL Server
 * source in the config when it has one, on that source's server and database (the pipelines
 * copy from it): what is generated and deployed.
 */
export function projectEntities(cfg: ResolvedConfig): NonNullable<FactoryOptions["entities"]> {
  return cfg.entities.map((entity) => {
    const star = cfg.stars.find((s) => s.entity.name === entity.name);
    const source = Object.values(cfg.sources).find(
      (s): s is Extract<typeof s, { kind: "sqlserver" }> =>
        s.kind === "sqlserver" && s.entity === entity.name,
    );
    const [schema, table] = source?.table.includes(".") ? source.table.split(".") : ["dbo", source?.table];
    return {
      entity,
      ...(star && { star }),
      ...(source && {
        sourceTable: { schema: schema!, table: table!, server: source.server, database: source.database },
      }),
    };
  });
}

export interface AdfLintResult {
  /** The folder linted, or `null` for the project's generated artifacts (in memory). */
  readonly source: string | null;
  readonly counts: Readonly<Record<ArtifactType, number>>;
  readonly errors: number;
  readonly warnings: number;
  readonly findings: readonly LintFinding[];
}

/** Lints a factory folder (git layout), or the project's own generated factory when none is given. */
export function adfLint(cfg: ResolvedConfig, folder: string | undefined): AdfLintResult {
  if (folder !== undefined) {
    const r = lintAdfFolder(folder);
    return { source: folder, ...r };
  }
  const { artifacts } = projectFactory(cfg);
  const findings = lintFactory(artifacts);
  return {
    source: null,
    counts: {
      linkedService: artifacts.linkedServices.length,
      dataset: artifacts.datasets.length,
      pipeline: artifacts.pipelines.length,
      trigger: artifacts.triggers.length,
    },
    errors: findings.filter((f) => f.severity === "error").length,
    warnings: findings.filter((f) => f.severity === "warning").length,
    findings,
  };
}
