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
  type SourceApi,
  type SourceTable,
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
type PostgresSourceConfig = Extract<ResolvedConfig["sources"][string], { kind: "postgres" }>;

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
  return { user: auth.user, passwordSecret: passwordSecretOf(name) };
}

/** The name of a Key Vault secret the estate keeps for a source, `<source name>-password`. */
const passwordSecretOf = (name: string) => `${name.replace(/[^A-Za-z0-9-]/g, "-")}-password`;

/** `schema.table` → `[schema, table]`; a bare table is in `schema`. */
function tableName(table: string, schema: string): [string, string] {
  const [a, b] = table.split(".");
  return b === undefined ? [schema, a!] : [a!, b];
}

/**
 * The source table the pipelines copy an entity from: its SQL Server source in the config, on
 * that source's server, port and database and with its SQL login if it has one; else its
 * PostgreSQL source that says where the factory reads it (`factory`), as that user, the password
 * the secret it names or `<source name>-password`, in its vault or the estate's.
 */
function factorySourceTable(cfg: ResolvedConfig, entity: string): SourceTable | undefined {
  const own = Object.entries(cfg.sources).filter(([, s]) => s.entity === entity);
  const sql = own.find((e): e is [string, SqlServerSourceConfig] => e[1].kind === "sqlserver");
  if (sql) {
    const [name, source] = sql;
    const [schema, table] = tableName(source.table, "dbo");
    const login = factoryLogin(name, source);
    return {
      schema,
      table,
      server: source.server,
      database: source.database,
      ...(source.port !== undefined && { port: source.port }),
      ...(login && { login }),
    };
  }
  const pg = own.find(([, s]) => s.kind === "postgres" && s.factory !== undefined);
  if (!pg) return undefined;
  const [name, source] = pg as [string, PostgresSourceConfig];
  const access = source.factory!;
  const [schema, table] = tableName(source.table, "public");
  return {
    engine: "postgres",
    schema,
    table,
    server: access.server,
    ...(access.port !== undefined && { port: access.port }),
    database: access.database,
    login: {
      user: access.user,
      passwordSecret: access.passwordSecret ?? passwordSecretOf(name),
      ...(access.keyVault !== undefined && { keyVault: access.keyVault }),
    },
  };
}

type HttpSourceConfig = Extract<ResolvedConfig["sources"][string], { kind: "http" }>;

/**
 * Why the pipelines cannot read an HTTP source, or undefined when they can: they copy from https
 * endpoints, sending no header but the credential.
 */
function apiUnreadable(source: HttpSourceConfig): string | undefined {
  if (!source.url.startsWith("https://")) return "not https";
  if (Object.keys(source.headers ?? {}).length > 0) return "headers besides its credential";
  return undefined;
}

/**
 * The API the pipelines copy an entity from, when it has no table they read: its HTTP source on
 * https without other headers, the credential the Key Vault secret the config names, or
 * `<source name>-credential` in the estate's vault for one from an environment variable.
 */
function factorySourceApi(cfg: ResolvedConfig, entity: string): SourceApi | undefined {
  const found = Object.entries(cfg.sources).find(
    (e): e is [string, HttpSourceConfig] =>
      e[1].entity === entity && e[1].kind === "http" && apiUnreadable(e[1]) === undefined,
  );
  if (!found) return undefined;
  const [name, source] = found;
  const secret = source.auth?.secret;
  const vault =
    secret && "keyVault" in secret ? /^https:\/\/([^./]+)\./.exec(secret.keyVault.vaultUrl)?.[1] : undefined;
  return {
    url: source.url,
    pagination: source.pagination,
    ...(source.recordsPath !== undefined && { recordsPath: source.recordsPath }),
    ...(source.lowParam !== undefined && { lowParam: source.lowParam }),
    ...(source.highParam !== undefined && { highParam: source.highParam }),
    ...(source.auth && {
      auth: {
        ...(source.auth.header !== undefined && { header: source.auth.header }),
        ...(source.auth.scheme !== undefined && { scheme: source.auth.scheme }),
        secret:
          secret && "keyVault" in secret
            ? secret.keyVault.secretName
            : `${name.replace(/[^A-Za-z0-9-]/g, "-")}-credential`,
        ...(vault !== undefined && { keyVault: vault }),
      },
    }),
  };
}

/**
 * The project's entities, each with its star when it has one and where the pipelines copy it
 * from when its config says: the table of `factorySourceTable`, else the API of
 * `factorySourceApi`. What is generated and deployed.
 */
export function projectEntities(cfg: ResolvedConfig): NonNullable<FactoryOptions["entities"]> {
  return cfg.entities.map((entity) => {
    const star = cfg.stars.find((s) => s.entity.name === entity.name);
    const sourceTable = factorySourceTable(cfg, entity.name);
    const sourceApi = sourceTable ? undefined : factorySourceApi(cfg, entity.name);
    return {
      entity,
      ...(star && { star }),
      ...(sourceTable && { sourceTable }),
      ...(sourceApi && { sourceApi }),
    };
  });
}

/**
 * The entities whose configured sources the generated pipelines do not read, a line each: they
 * copy from SQL Server and Azure SQL, from PostgreSQL tables whose source says where the factory
 * reads them (`factory`) and from https APIs without other headers, so an entity with none of
 * those is copied from `dbo.<entity>` in the estate's source database, and its sources are read
 * by `saleslake ingest --source` alone. Said in the deploy's plan, before anything is deployed.
 */
export function factorySourceNotes(cfg: ResolvedConfig): string[] {
  const copied = new Set(
    projectEntities(cfg)
      .filter((e) => e.sourceTable || e.sourceApi)
      .map((e) => e.entity.name),
  );
  return cfg.entities.flatMap((entity) => {
    const own = Object.entries(cfg.sources).filter(([, s]) => s.entity === entity.name);
    if (own.length === 0 || copied.has(entity.name)) return [];
    const names = own
      .map(([name, s]) => {
        const why =
          s.kind === "http" ? apiUnreadable(s) : s.kind === "postgres" ? "no factory access" : undefined;
        return `${name} (${s.kind}${why ? `: ${why}` : ""})`;
      })
      .join(", ");
    const hint = own.some(([, s]) => s.kind === "postgres")
      ? "; give a postgres source factory: { server, database, user } to have them copy from it"
      : "";
    return [
      `note: the Data Factory pipelines copy ${entity.name} from dbo.${entity.name} in the estate's source database (SALESLAKE_SOURCE_DATABASE, else the control database): they read SQL Server and Azure SQL tables, PostgreSQL tables whose source says where the factory reads them, and https APIs that need no header but their credential, not ${names}, which saleslake ingest --source reads into the local lake${hint}`,
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
