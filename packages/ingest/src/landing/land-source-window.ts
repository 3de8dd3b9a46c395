import type { Entity, LandingManifest } from "@saleslake/schema";
import pg from "pg";
import type { ConnectionConfiguration } from "tedious";
import { readPostgresWindow } from "../database/postgres-source.ts";
import { readSqlServerWindow } from "../database/sqlserver-source.ts";
import type { SqlServerTimestampType } from "../database/sqlserver-window-query.ts";
import type { UnreadRows } from "../database/window-reader.ts";
import { IngestError } from "../errors.ts";
import { readSecret, type SecretSource } from "../http/auth-secret.ts";
import { type HttpReadStats, type HttpWindowOptions, httpSourceName } from "../http/http-source.ts";
import { type InvalidLandedRecord, landHttpWindow } from "../http/land-http-window.ts";
import { Redactor } from "../http/redactor.ts";
import type { LakeStore } from "../lake/lake-store.ts";
import type { LandResult } from "./land-batch.ts";
import { landRecords } from "./land-records.ts";
import { lastLandedWindow, windowLowAfter } from "./next-window.ts";

/** A PostgreSQL table read by the entity's watermark column. */
export interface PostgresSource {
  readonly kind: "postgres";
  /** `table` or `schema.table`. */
  readonly table: string;
  /**
   * A connection string (`postgres://user@host:5432/db?sslmode=require`), from an environment
   * variable or Key Vault. Default: libpq's variables (`PGHOST`, `PGPORT`, `PGDATABASE`,
   * `PGUSER`, `PGPASSWORD`, …).
   */
  readonly connection?: SecretSource;
  /** Rows per page. Default `10_000`. */
  readonly pageSize?: number;
}

/** A SQL Server or Azure SQL table read by the entity's watermark column. */
export interface SqlServerSource {
  readonly kind: "sqlserver";
  /** Host name, e.g. `sales.database.windows.net`. */
  readonly server: string;
  /** Default `1433`. */
  readonly port?: number;
  readonly database: string;
  /** `table` or `schema.table`. */
  readonly table: string;
  /**
   * Default `{ kind: "entra" }`: Microsoft Entra ID through `DefaultAzureCredential` (managed
   * identity in Azure, `az login` on a workstation). `sql`: a SQL login, its password from an
   * environment variable or Key Vault.
   */
  readonly authentication?:
    | { readonly kind: "entra" }
    | { readonly kind: "sql"; readonly user: string; readonly password: SecretSource };
  /** How the table stores timestamps. Default `datetime2`, holding UTC. */
  readonly timestampType?: SqlServerTimestampType;
  /** Rows per page. Default `10_000`. */
  readonly pageSize?: number;
  /** Accept the server's certificate unchecked: a local development server only. Default `false`. */
  readonly trustServerCertificate?: boolean;
  /** Connect timeout. Default `15_000` ms. */
  readonly connectTimeoutMs?: number;
}

/** A paginated JSON API read by the entity's watermark column (see `HttpWindowOptions`). */
export type HttpSource = { readonly kind: "http" } & Omit<
  HttpWindowOptions,
  "entity" | "low" | "high" | "signal"
>;

/** Where a database or API source is and how to read it; credentials by reference only. */
export type SourceDefinition = PostgresSource | SqlServerSource | HttpSource;

export interface LandSourceWindowOptions {
  readonly store: LakeStore;
  readonly entity: Entity;
  readonly source: SourceDefinition;
  /**
   * The project's name for the source, recorded in the manifest (`source.label`) so that tools can
   * find what it landed without its connection. Default: none.
   */
  readonly label?: string;
  /**
   * Exclusive low mark of the window. Default: the high mark of the last window landed from this
   * source less the entity's lookback, or the start of the table when none was landed.
   */
  readonly low?: string | null;
  /** Records per JSON Lines part. Default `100_000`. */
  readonly rowsPerPart?: number;
  /** Gzip the parts. Default `false`. */
  readonly gzip?: boolean;
  /** Land even when the same records and window were landed before. Default `false`. */
  readonly force?: boolean;
  readonly now?: Date;
}

export interface LandSourceWindowResult {
  /** The source as the manifest names it, without credentials. */
  readonly source: LandingManifest["source"];
  /** The window read. `high` is null when the source holds no rows at all. */
  readonly window: { readonly column: string; readonly low: string | null; readonly high: string | null };
  /** The last window landed from this source before, if any. */
  readonly previous?: NonNullable<LandingManifest["window"]>;
  /** Undefined when the window held no rows (no empty batches). */
  readonly landed: LandResult | undefined;
  /**
   * Rows of the source no window read this time: dated after the read began (a later window
   * takes them once the clock has passed their time; an API's records changed during the read
   * among them), and, for database tables, rows with no watermark, which no window ever reads.
   */
  readonly unread: UnreadRows;
  /** HTTP sources: records failing the entity's validator, landed for bronze to quarantine. */
  readonly invalid?: { readonly count: number; readonly issues: readonly InvalidLandedRecord[] };
  /** HTTP sources: requests, retries, pages. */
  readonly stats?: HttpReadStats;
}

/**
 * Lands the next window of a database or API source: from the high mark of the last window
 * landed from it (less the entity's lookback) to the source's high mark now. The window is
 * recorded in the batch's manifest, written last, so a read that fails part way leaves no batch
 * and the next call reads the same window again.
 */
export async function landSourceWindow(options: LandSourceWindowOptions): Promise<LandSourceWindowResult> {
  const { source } = options;
  if (source.kind === "http") return landHttp(options, source);
  if (source.kind === "postgres") return landPostgres(options, source);
  return landSqlServer(options, source);
}

async function startingLow(
  options: LandSourceWindowOptions,
  source: LandingManifest["source"],
): Promise<{ low: string | null; previous?: NonNullable<LandingManifest["window"]> }> {
  const previous = await lastLandedWindow(options.store, options.entity, source);
  if (options.low !== undefined) return { low: options.low, ...(previous && { previous }) };
  if (!previous) return { low: null };
  return { low: windowLowAfter(options.entity, previous.high), previous };
}

/** The manifest's source: the kind and credential-free name that identify it, and the project's label. */
function manifestSource(
  options: LandSourceWindowOptions,
  kind: LandingManifest["source"]["kind"],
  name: string,
): LandingManifest["source"] {
  return { kind, name, ...(options.label !== undefined && { label: options.label }) };
}

function landingOptions(options: LandSourceWindowOptions) {
  return {
    ...(options.rowsPerPart !== undefined && { rowsPerPart: options.rowsPerPart }),
    ...(options.gzip !== undefined && { gzip: options.gzip }),
    ...(options.force !== undefined && { force: options.force }),
    ...(options.now !== undefined && { now: options.now }),
  };
}

async function landHttp(
  options: LandSourceWindowOptions,
  source: HttpSource,
): Promise<LandSourceWindowResult> {
  const { kind: _, ...http } = source;
  const named = manifestSource(options, "http", httpSourceName(new URL(source.url)));
  const { low, previous } = await startingLow(options, named);
  const r = await landHttpWindow({
    ...http,
    entity: options.entity,
    store: options.store,
    low,
    ...(options.label !== undefined && { label: options.label }),
    ...landingOptions(options),
  });
  return {
    source: named,
    window: r.window,
    ...(previous && { previous }),
    landed: r.landed,
    unread: { at: r.window.high, ahead: r.stats.afterHigh, unmarked: 0, keyless: 0 },
    invalid: r.invalid,
    stats: r.stats,
  };
}

/** Reads a window with `read` and lands its records; the connection is the caller's to close. */
async function landDatabaseWindow(
  options: LandSourceWindowOptions,
  named: LandingManifest["source"],
  read: (low: string | null) => Promise<{
    column: string;
    low: string | null;
    high: string | null;
    unread: UnreadRows;
    records: AsyncIterable<Record<string, unknown>>;
  }>,
): Promise<LandSourceWindowResult> {
  const { low, previous } = await startingLow(options, named);
  const w = await read(low);
  const window = { column: w.column, low: w.low, high: w.high };
  const landed =
    w.high === null
      ? undefined
      : await landRecords({
          store: options.store,
          entity: options.entity,
          records: w.records,
          source: named,
          window: { ...window, high: w.high },
          ...landingOptions(options),
        });
  return { source: named, window, ...(previous && { previous }), landed, unread: w.unread };
}

async function landPostgres(
  options: LandSourceWindowOptions,
  source: PostgresSource,
): Promise<LandSourceWindowResult> {
  const redactor = new Redactor();
  const connectionString = source.connection
    ? await readSecret(source.connection, redactor, "the PostgreSQL connection string")
    : undefined;
  if (connectionString) redactor.add(connectionString);
  let client: pg.Client;
  try {
    client = new pg.Client(connectionString ? { connectionString } : {});
  } catch {
    // The parser's error carries the whole string, password included: not passed on.
    const from = source.connection && "env" in source.connection ? ` in ${source.connection.env}` : "";
    throw new IngestError(
      "BAD_OPTIONS",
      `the PostgreSQL connection string${from} does not parse (not shown: it may hold a password)`,
      "Write it as postgres://user@host:5432/database, with special characters in the password percent-encoded, or as key=value pairs.",
    );
  }
  const password = (client as unknown as { password?: unknown }).password;
  if (typeof password === "string") redactor.add(password);
  const where = `${client.host}:${client.port}/${client.database}`;
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw new IngestError(
      "SOURCE_UNAVAILABLE",
      `cannot connect to PostgreSQL at ${redactor.text(where)}: ${redactor.describe(e)}`,
      "Check the connection string (or the PG* environment variables), the network and the login; nothing was landed.",
      { cause: e },
    );
  }
  try {
    const named = manifestSource(options, "postgres", redactor.text(`${where}/${source.table}`));
    return await landDatabaseWindow(options, named, (low) =>
      readPostgresWindow({
        client,
        entity: options.entity,
        table: source.table,
        low,
        ...(source.pageSize !== undefined && { pageSize: source.pageSize }),
        ...(options.now !== undefined && { clock: () => options.now as Date }),
      }),
    );
  } finally {
    await client.end().catch(() => {});
  }
}

async function landSqlServer(
  options: LandSourceWindowOptions,
  source: SqlServerSource,
): Promise<LandSourceWindowResult> {
  const redactor = new Redactor();
  const auth = source.authentication ?? { kind: "entra" };
  const password =
    auth.kind === "sql" ? await readSecret(auth.password, redactor, "the SQL login's password") : "";
  redactor.add(password);
  const port = source.port ?? 1433;
  const config: ConnectionConfiguration = {
    server: source.server,
    authentication:
      auth.kind === "sql"
        ? { type: "default", options: { userName: auth.user, password } }
        : { type: "azure-active-directory-default", options: {} },
    options: {
      database: source.database,
      port,
      encrypt: true,
      trustServerCertificate: source.trustServerCertificate ?? false,
      connectTimeout: source.connectTimeoutMs ?? 15_000,
    },
  };
  const where = `${source.server}:${port}/${source.database}`;
  // tedious is loaded by the sources that use it (pg, small, is loaded with the package).
  const { Connection } = await import("tedious");
  const connection = new Connection(config);
  try {
    await new Promise<void>((resolve, reject) => {
      connection.connect((err) => (err ? reject(err) : resolve()));
    });
  } catch (e) {
    connection.close();
    throw new IngestError(
      "SOURCE_UNAVAILABLE",
      `cannot connect to SQL Server at ${where}: ${redactor.describe(e)}`,
      auth.kind === "sql"
        ? "Check the server, the firewall rules and the login; nothing was landed."
        : "Check the server and the firewall rules; the identity (managed identity, or az login) needs a database user with db_datareader. Nothing was landed.",
      { cause: e },
    );
  }
  try {
    const named = manifestSource(options, "sqlserver", `${where}/${source.table}`);
    return await landDatabaseWindow(options, named, (low) =>
      readSqlServerWindow({
        connection,
        entity: options.entity,
        table: source.table,
        low,
        ...(source.pageSize !== undefined && { pageSize: source.pageSize }),
        ...(source.timestampType !== undefined && { timestampType: source.timestampType }),
        ...(options.now !== undefined && { clock: () => options.now as Date }),
      }),
    );
  } finally {
    connection.close();
  }
}
