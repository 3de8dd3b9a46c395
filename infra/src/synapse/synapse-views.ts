import { assertSafeIdentifier, quoteIdent, quoteString, type Star } from "@saleslake/schema";

/** The gold tables of the stars, in plan order: dimensions, fact, daily aggregate. */
export function goldTables(stars: readonly Star[]): string[] {
  return stars.flatMap((s) => [
    ...s.dimensions.map((d) => d.name),
    s.fact.name,
    ...(s.dailyAggregate ? [s.dailyAggregate.name] : []),
  ]);
}

export interface SynapseViewsOptions {
  /** Serverless database the views live in. Default `saleslake`. */
  readonly database?: string;
  /** External data source over the gold container. Default `saleslake_gold`. */
  readonly dataSource?: string;
}

/**
 * Serverless SQL views over the gold Delta tables, one per table, each reading
 * `<gold container>/<table>/` through the external data source. Idempotent (CREATE OR ALTER).
 */
export function synapseViewsSql(stars: readonly Star[], options: SynapseViewsOptions = {}): string {
  const ds = options.dataSource ?? "saleslake_gold";
  assertSafeIdentifier(ds, "data source");
  const lines = [
    "-- Generated from the saleslake schema (`pnpm generate`, `saleslake generate`): do not edit.",
    `-- Serverless views over the gold Delta tables; run in database ${options.database ?? "saleslake"}.`,
  ];
  for (const table of goldTables(stars)) {
    assertSafeIdentifier(table, "gold table");
    lines.push(
      `CREATE OR ALTER VIEW gold.${quoteIdent("tsql", table)} AS SELECT * FROM OPENROWSET(BULK ${quoteString("tsql", `${table}/`)}, DATA_SOURCE = ${quoteString("tsql", ds)}, FORMAT = 'DELTA') AS rows;`,
    );
    lines.push("GO");
  }
  return `${lines.join("\n")}\n`;
}

/**
 * What the views need, as separate batches (serverless SQL runs CREATE DATABASE alone): the
 * database, a credential that is the workspace's managed identity, the gold data source and the
 * `gold` schema. Each batch does nothing when its object exists.
 */
export function synapseSetupBatches(goldUrl: string, options: SynapseViewsOptions = {}): string[] {
  const db = assertSafeIdentifier(options.database ?? "saleslake", "database");
  const ds = assertSafeIdentifier(options.dataSource ?? "saleslake_gold", "data source");
  if (!/^https:\/\/[a-z0-9]+\.dfs\.core\.windows\.net\/[a-z0-9-]+\/?$/.test(goldUrl))
    throw new Error(`not an ADLS Gen2 container URL: ${goldUrl}`);
  return [
    `IF DB_ID(${quoteString("tsql", db)}) IS NULL CREATE DATABASE ${quoteIdent("tsql", db)};`,
    `USE ${quoteIdent("tsql", db)};
IF NOT EXISTS (SELECT * FROM sys.symmetric_keys WHERE name = '##MS_DatabaseMasterKey##') CREATE MASTER KEY;
IF NOT EXISTS (SELECT * FROM sys.database_scoped_credentials WHERE name = 'saleslake_identity')
  CREATE DATABASE SCOPED CREDENTIAL saleslake_identity WITH IDENTITY = 'Managed Identity';
IF NOT EXISTS (SELECT * FROM sys.external_data_sources WHERE name = ${quoteString("tsql", ds)})
  CREATE EXTERNAL DATA SOURCE ${quoteIdent("tsql", ds)} WITH (LOCATION = ${quoteString("tsql", goldUrl)}, CREDENTIAL = saleslake_identity);
IF SCHEMA_ID('gold') IS NULL EXEC('CREATE SCHEMA gold');`,
  ];
}
