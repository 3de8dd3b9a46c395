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
  type SqlLogin,
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

type SqlServerSourceConfig = Extract<ResolvedConfig["sources"][string], { kind: "sqlserver" }>;

/**
 * The Key Vault secret the factory reads a SQL login's password from: the config's own when it
 * names one (the vault from its URL), else `<source name>-password` in the estate's vault, where
 * `deploy` says to put it (the factory cannot read the CLI's environment variable).
 */
export function factoryLogin(name: string, source: SqlServerSourceConfig): SqlLogin | undefined {
  const auth = source.authentication;
  if (auth?.kind !== "sql") return undefined;
  const password = auth.password;
  if ("keyVault" in password) {
    const vault = /^https:\/\/([^./]+)\./.exec(password.keyVault.vaultUrl)?.[1];
    return {
      user: auth.user,
      passwordSecret: password.keyVault.secretName,
      ...(vault !== undefined && { keyVault: vault }),
    };
  }
  return { user: auth.user, passwordSecret: `${name.replace(/[^A-Za-z0-9-]/g, "-")}-password` };
}

/**
 * The project's entities, each with its star when it has one and the table of its SQL Server
 * source in the config when it has one, on that source's server, port and database and with its
 * SQL login if it has one (the pipelines copy from it): what is generated and deployed.
 */
export function projectEntities(cfg: ResolvedConfig): NonNullable<FactoryOptions["entities"]> {
  return cfg.entities.map((entity) => {
    const star = cfg.stars.find((s) => s.entity.name === entity.name);
    const [name, source] =
      Object.entries(cfg.sources).find(
        (e): e is [string, SqlServerSourceConfig] => e[1].kind === "sqlserver" && e[1].entity === entity.name,
      ) ?? [];
    const [schema, table] = source?.table.includes(".") ? source.table.split(".") : ["dbo", source?.table];
    const login = source && factoryLogin(name!, source);
    return {
      entity,
      ...(star && { star }),
      ...(source && {
        sourceTable: {
          schema: schema!,
          table: table!,
          server: source.server,
          database: source.database,
          ...(source.port !== undefined && { port: source.port }),
          ...(login && { login }),
        },
      }),
    };
  });
}

/**
 * The entities whose configured sources the generated pipelines do not read, a line each: they
 * copy from SQL Server and Azure SQL only, so an entity whose sources are PostgreSQL tables or
 * HTTP APIs is copied from `dbo.<entity>` in the estate's source database, and those sources are
 * read by `saleslake ingest --source` alone. Said in the deploy's plan, before anything is deployed.
 */
export function factorySourceNotes(cfg: ResolvedConfig): string[] {
  return cfg.entities.flatMap((entity) => {
    const own = Object.entries(cfg.sources).filter(([, s]) => s.entity === entity.name);
    if (own.length === 0 || own.some(([, s]) => s.kind === "sqlserver")) return [];
    const names = own.map(([name, s]) => `${name} (${s.kind})`).join(", ");
    return [
      `note: the Data Factory pipelines copy ${entity.name} from dbo.${entity.name} in the estate's source database (SALESLAKE_SOURCE_DATABASE, else the control database): they copy from SQL Server and Azure SQL only, not from ${names}, which saleslake ingest --source reads into the local lake`,
    ];
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
