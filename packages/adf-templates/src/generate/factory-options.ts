import { DEFAULT_DATABRICKS_RUNTIME } from "@saleslake/pipeline";
import { type Entity, type Star, salesEntities, salesStars } from "@saleslake/schema";
import { invalid, keyVaultName } from "./option-checks.ts";
import { type ResolvedSourceApi, resolveSourceApi, type SourceApi } from "./source-api.ts";

/** Where the factory's neighbours are. Everything is reached with the factory's managed identity. */
export interface FactoryOptions {
  /** ADLS Gen2 account name of the lake, e.g. `stsaleslakedev`. */
  readonly storageAccount: string;
  /** Resource id of that account, for the storage event trigger. */
  readonly storageAccountResourceId: string;
  /**
   * One file system (container) whose root holds the zone folders (`landing/`, `bronze/`, …).
   * Default: none — each zone is its own container (`landing`, `bronze`, `silver`, `gold`,
   * `quarantine`), as the infra templates create them.
   */
  readonly fileSystem?: string;
  /**
   * Azure SQL server host of the control database, and of the source tables unless their
   * `SourceTable` names another, e.g. `sql-sales.database.windows.net`.
   */
  readonly sqlServer: string;
  /** Database holding the source tables, unless their `SourceTable` names another. */
  readonly sourceDatabase: string;
  /** Database holding the watermark table and run ledger (`saleslake` schema). Default: `sourceDatabase`. */
  readonly controlDatabase?: string;
  /** Source table per entity. Default: the entity's `sourceTable` in `entities`, else `dbo.<entity name>`. */
  readonly sourceTables?: { readonly [entity: string]: SourceTable };
  /** Source API per entity, copied from instead of a table. Default: the entity's `sourceApi` in `entities`. */
  readonly sourceApis?: { readonly [entity: string]: SourceApi };
  readonly databricks: {
    /** Workspace URL, e.g. `https://adb-123.4.azuredatabricks.net`. */
    readonly workspaceUrl: string;
    /** Workspace resource id; the factory authenticates with its managed identity (no token). */
    readonly workspaceResourceId: string;
    /** Run on this existing cluster. Default: a new job cluster per run (see `newCluster`). */
    readonly existingClusterId?: string;
    /** Job cluster settings when no existing cluster is given. Default 17.3 LTS (DEFAULT_DATABRICKS_RUNTIME), 2 × Standard_D4ds_v5. */
    readonly newCluster?: { readonly version: string; readonly nodeType: string; readonly workers: number };
    /** Unity Catalog catalog of the tables. Default `main`. */
    readonly catalog?: string;
    /** Workspace folder of the notebooks. Default `/Workspace/saleslake`. */
    readonly notebookRoot?: string;
  };
  /** Key Vault of the secrets linked services reference (a source's SQL login password); none by default. */
  readonly keyVaultName: string;
  /** The tumbling window of incremental runs. Default every hour from 2026-01-01T00:00:00Z. */
  readonly window?: {
    readonly frequency: "Minute" | "Hour";
    readonly interval: number;
    readonly startTime: string;
    /** Wait after a window closes before running it, for late rows. Default `00:05:00`. */
    readonly delay?: string;
  };
  /** Retries of every execution activity. Default `2`, 60 s apart. */
  readonly retry?: { readonly count: number; readonly intervalSeconds: number };
  /**
   * Entities to generate for, each with its star when it has one, and its source table when it
   * is not `sourceTables`' (`saleslake.config.ts`'s SQL Server source of the entity). Default:
   * the bundled sales domain.
   */
  readonly entities?: readonly FactoryEntity[];
}

/** An entity the factory loads, with its star and its source table (see FactoryOptions.entities). */
export interface FactoryEntity {
  readonly entity: Entity;
  readonly star?: Star;
  readonly sourceTable?: SourceTable;
  /** A paginated JSON API to copy from instead of a table (see `SourceApi`). */
  readonly sourceApi?: SourceApi;
}

/**
 * An entity's source table. On SQL Server and Azure SQL (the default `engine`) the factory reads
 * it through its managed identity, which needs read access to the table (`db_datareader`, or
 * SELECT on it) on a server the infra does not create, or with a SQL login whose password is a
 * Key Vault secret (`login`). On PostgreSQL (Azure Database for PostgreSQL, or any server the
 * factory's integration runtime reaches) it signs in with `login`, over TLS, in a UTC session.
 */
export interface SourceTable {
  /** The database engine holding the table. Default `sqlserver` (SQL Server, Azure SQL). */
  readonly engine?: SourceEngine;
  readonly schema: string;
  readonly table: string;
  /** Server host. Default: the factory's `sqlServer` (on SQL Server; a PostgreSQL table names its own). */
  readonly server?: string;
  /** TCP port of the server. Default `1433` on SQL Server, `5432` on PostgreSQL. */
  readonly port?: number;
  /** Database. Default: the factory's `sourceDatabase`. */
  readonly database?: string;
  /** Read with this login instead of the factory's managed identity; required on PostgreSQL. */
  readonly login?: SqlLogin;
}

/** Database engines the pipelines copy windows from. */
export type SourceEngine = "sqlserver" | "postgres";

/** A SQL login; its password is only ever referenced, as a Key Vault secret the factory reads. */
export interface SqlLogin {
  readonly user: string;
  /** Name of the Key Vault secret holding the password. */
  readonly passwordSecret: string;
  /**
   * Name of the Key Vault holding the secret. Default: the factory's `keyVaultName`. The factory's
   * managed identity needs to read secrets there (Key Vault Secrets User).
   */
  readonly keyVault?: string;
}

/**
 * A source table with its defaults filled. On SQL Server `server` carries the port when it is not
 * 1433; on PostgreSQL it is the host, and the port is `port`.
 */
export type ResolvedSourceTable =
  | {
      readonly engine: "sqlserver";
      readonly schema: string;
      readonly table: string;
      /** Host, or `host,port`: the form SQL clients take for a server on another port. */
      readonly server: string;
      readonly database: string;
      readonly login: Required<SqlLogin> | undefined;
    }
  | {
      readonly engine: "postgres";
      readonly schema: string;
      readonly table: string;
      readonly server: string;
      readonly port: number;
      readonly database: string;
      readonly login: Required<SqlLogin>;
    };

export interface ResolvedOptions {
  readonly storageAccount: string;
  readonly storageAccountResourceId: string;
  /** The single file system holding every zone, or undefined when each zone is its own container. */
  readonly fileSystem: string | undefined;
  /** The container a zone lives in. */
  readonly zoneContainer: (zone: string) => string;
  /** The path prefix of a zone inside its container: `""` per zone container, `"<zone>/"` otherwise. */
  readonly zonePrefix: (zone: string) => string;
  readonly sqlServer: string;
  readonly sourceDatabase: string;
  readonly controlDatabase: string;
  readonly sourceTable: (entity: Entity) => ResolvedSourceTable;
  /** The entity's source API, when it is copied from one rather than from a table. */
  readonly sourceApi: (entity: Entity) => ResolvedSourceApi | undefined;
  readonly databricks: {
    readonly workspaceUrl: string;
    readonly workspaceResourceId: string;
    readonly existingClusterId?: string;
    readonly newCluster: { readonly version: string; readonly nodeType: string; readonly workers: number };
    readonly catalog: string;
    readonly notebookRoot: string;
  };
  readonly keyVaultName: string;
  readonly window: {
    readonly frequency: "Minute" | "Hour";
    readonly interval: number;
    readonly startTime: string;
    readonly delay: string;
  };
  readonly retry: { readonly count: number; readonly intervalSeconds: number };
  readonly entities: readonly FactoryEntity[];
  /**
   * The notebooks' `lake_root`: a URL template in which `{zone}` is replaced by the zone name,
   * `abfss://{zone}@<account>.dfs.core.windows.net` (one container per zone) or
   * `abfss://<fileSystem>@<account>.dfs.core.windows.net/{zone}`.
   */
  readonly lakeRoot: string;
}

const SQL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const PG_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const DATABASE = /^[A-Za-z0-9_-]{1,128}$/;
const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

/** A server as SQL clients take it: the host, with `,port` when the port is not 1433. */
export const sqlServerAddress = (host: string, port = 1433): string =>
  port === 1433 ? host : `${host},${port}`;

function serverHost(what: string, v: string): string {
  if (typeof v !== "string" || !HOST.test(v))
    invalid(what, v, "Give the server host name, e.g. sql-sales.database.windows.net.");
  return v;
}

function databaseName(what: string, v: string): string {
  if (!DATABASE.test(v)) invalid(what, v, "Database names here are letters, digits, '_' and '-'.");
  return v;
}

function sqlLogin(what: string, login: SqlLogin, defaultVault: string): Required<SqlLogin> {
  // Sign-in names of SQL logins and contained users; `user@server` as Azure SQL accepts it.
  if (typeof login.user !== "string" || !/^[A-Za-z0-9_.@$#-]{1,128}$/.test(login.user))
    invalid(`${what}.user`, login.user, "A login name is 1-128 letters, digits and _ . @ $ # -.");
  if (typeof login.passwordSecret !== "string" || !/^[A-Za-z0-9-]{1,127}$/.test(login.passwordSecret))
    invalid(
      `${what}.passwordSecret`,
      login.passwordSecret,
      "Give the name of the Key Vault secret holding the password (1-127 letters, digits and hyphens), never the password.",
      true,
    );
  return {
    user: login.user,
    passwordSecret: login.passwordSecret,
    keyVault: keyVaultName(`${what}.keyVault`, login.keyVault ?? defaultVault),
  };
}

/** Fills defaults and checks every value that ends up in a name, a URL or SQL text. */
export function resolveOptions(o: FactoryOptions): ResolvedOptions {
  if (!/^[a-z0-9]{3,24}$/.test(o.storageAccount))
    invalid(
      "storageAccount",
      o.storageAccount,
      "A storage account name is 3-24 lowercase letters and digits.",
    );
  if (
    !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[a-z0-9]{3,24}$/i.test(
      o.storageAccountResourceId,
    )
  )
    invalid(
      "storageAccountResourceId",
      o.storageAccountResourceId,
      "Use /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<name>.",
    );
  const fileSystem = o.fileSystem;
  if (fileSystem !== undefined && !/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(fileSystem))
    invalid(
      "fileSystem",
      fileSystem,
      "A file system name is 3-63 lowercase letters, digits and single hyphens.",
    );
  serverHost("sqlServer", o.sqlServer);
  databaseName("sourceDatabase", o.sourceDatabase);
  databaseName("controlDatabase", o.controlDatabase ?? o.sourceDatabase);
  if (!/^https:\/\/[a-z0-9.-]+$/.test(o.databricks.workspaceUrl))
    invalid(
      "databricks.workspaceUrl",
      o.databricks.workspaceUrl,
      "Use the workspace URL without a path, e.g. https://adb-123.4.azuredatabricks.net.",
    );
  if (
    !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Databricks\/workspaces\/[^/]+$/i.test(
      o.databricks.workspaceResourceId,
    )
  )
    invalid(
      "databricks.workspaceResourceId",
      o.databricks.workspaceResourceId,
      "Use /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Databricks/workspaces/<name>.",
    );
  const catalog = o.databricks.catalog ?? "main";
  if (!SQL_NAME.test(catalog))
    invalid("databricks.catalog", catalog, "A catalog name is letters, digits and '_'.");
  const notebookRoot = o.databricks.notebookRoot ?? "/Workspace/saleslake";
  if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(notebookRoot))
    invalid(
      "databricks.notebookRoot",
      notebookRoot,
      "Use an absolute workspace path such as /Workspace/saleslake.",
    );
  keyVaultName("keyVaultName", o.keyVaultName);
  const window = {
    frequency: "Hour" as const,
    interval: 1,
    startTime: "2026-01-01T00:00:00Z",
    delay: "00:05:00",
    ...o.window,
  };
  if (!Number.isInteger(window.interval) || window.interval < 1)
    invalid("window.interval", window.interval, "A positive whole number.");
  if (Number.isNaN(Date.parse(window.startTime)) || !window.startTime.endsWith("Z"))
    invalid("window.startTime", window.startTime, "An ISO 8601 UTC time, e.g. 2026-01-01T00:00:00Z.");
  if (!/^\d{2}:\d{2}:\d{2}$/.test(window.delay))
    invalid("window.delay", window.delay, "hh:mm:ss, e.g. 00:05:00.");
  const retry = o.retry ?? { count: 2, intervalSeconds: 60 };
  if (!Number.isInteger(retry.count) || retry.count < 0 || retry.intervalSeconds < 30)
    invalid("retry", retry, "count is a whole number >= 0; intervalSeconds at least 30.");
  const entities: readonly FactoryEntity[] =
    o.entities ??
    salesEntities.map((entity) => {
      const star = salesStars.find((s) => s.entity.name === entity.name);
      return star ? { entity, star } : { entity };
    });
  const sourceTable = (entity: Entity): ResolvedSourceTable => {
    const t = o.sourceTables?.[entity.name] ??
      entities.find((e) => e.entity.name === entity.name)?.sourceTable ?? {
        schema: "dbo",
        table: entity.name,
      };
    const what = `sourceTables.${entity.name}`;
    const engine = t.engine ?? "sqlserver";
    if (engine !== "sqlserver" && engine !== "postgres")
      invalid(`${what}.engine`, t.engine, 'One of "sqlserver" (SQL Server, Azure SQL) and "postgres".');
    // PostgreSQL folds unquoted names to lower case; the pipelines quote them, as they are given.
    const names = engine === "postgres" ? PG_NAME : SQL_NAME;
    if (!names.test(t.schema) || !names.test(t.table))
      invalid(
        what,
        t,
        engine === "postgres"
          ? "Schema and table names are letters, digits and '_', at most 63 (they are quoted in SQL)."
          : "Schema and table names are letters, digits and '_' (they are quoted in SQL).",
      );
    const port = t.port ?? (engine === "postgres" ? 5432 : 1433);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      invalid(`${what}.port`, t.port, "A TCP port, 1-65535.");
    const database = databaseName(`${what}.database`, t.database ?? o.sourceDatabase);
    if (engine === "postgres") {
      if (t.server === undefined)
        invalid(
          `${what}.server`,
          t.server,
          "Name the PostgreSQL server's host, e.g. pg-sales.postgres.database.azure.com.",
        );
      if (t.login === undefined)
        invalid(
          `${what}.login`,
          t.login,
          "The factory signs in to PostgreSQL as a user whose password is a Key Vault secret: give login: { user, passwordSecret }.",
        );
      return {
        engine,
        schema: t.schema,
        table: t.table,
        server: serverHost(`${what}.server`, t.server),
        port,
        database,
        login: sqlLogin(`${what}.login`, t.login, o.keyVaultName),
      };
    }
    return {
      engine,
      schema: t.schema,
      table: t.table,
      server: sqlServerAddress(serverHost(`${what}.server`, t.server ?? o.sqlServer), port),
      database,
      login: t.login === undefined ? undefined : sqlLogin(`${what}.login`, t.login, o.keyVaultName),
    };
  };
  const sourceApi = (entity: Entity): ResolvedSourceApi | undefined => {
    const own = entities.find((e) => e.entity.name === entity.name);
    const api = o.sourceApis?.[entity.name] ?? own?.sourceApi;
    if (api === undefined) return undefined;
    const what = `sourceApis.${entity.name}`;
    if (o.sourceTables?.[entity.name] !== undefined || own?.sourceTable !== undefined)
      invalid(
        what,
        api.url,
        "An entity is copied from one source: give it a sourceTable or a sourceApi, not both.",
      );
    if (entity.watermark.kind !== "column")
      invalid(what, api.url, "An API is read by the entity's watermark column; a file-drop entity has none.");
    return resolveSourceApi(what, api, o.keyVaultName);
  };
  for (const { entity } of entities) {
    if (sourceApi(entity) === undefined) sourceTable(entity);
  }
  for (const name of Object.keys(o.sourceApis ?? {}))
    if (!entities.some((e) => e.entity.name === name))
      invalid(`sourceApis.${name}`, name, "Name an entity the factory loads.");
  return {
    storageAccount: o.storageAccount,
    storageAccountResourceId: o.storageAccountResourceId,
    fileSystem,
    zoneContainer: (zone) => fileSystem ?? zone,
    zonePrefix: (zone) => (fileSystem === undefined ? "" : `${zone}/`),
    sqlServer: o.sqlServer,
    sourceDatabase: o.sourceDatabase,
    controlDatabase: o.controlDatabase ?? o.sourceDatabase,
    sourceTable,
    sourceApi,
    databricks: {
      workspaceUrl: o.databricks.workspaceUrl,
      workspaceResourceId: o.databricks.workspaceResourceId,
      ...(o.databricks.existingClusterId !== undefined && {
        existingClusterId: o.databricks.existingClusterId,
      }),
      newCluster: o.databricks.newCluster ?? {
        version: DEFAULT_DATABRICKS_RUNTIME,
        nodeType: "Standard_D4ds_v5",
        workers: 2,
      },
      catalog,
      notebookRoot,
    },
    keyVaultName: o.keyVaultName,
    window,
    retry,
    entities,
    lakeRoot:
      fileSystem === undefined
        ? `abfss://{zone}@${o.storageAccount}.dfs.core.windows.net`
        : `abfss://${fileSystem}@${o.storageAccount}.dfs.core.windows.net/{zone}`,
  };
}
