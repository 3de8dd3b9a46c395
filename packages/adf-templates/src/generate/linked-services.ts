import type * as Adf from "@azure/arm-datafactory";
import { keyVaultLinkedService, LINKED_SERVICE, sourcePostgres, sourceSqlLogin } from "./artifact-names.ts";
import type { ResolvedOptions, ResolvedSourceTable } from "./factory-options.ts";
import type { LinkedServiceBody, TypePropertiesOf } from "./wire-types.ts";

function linkedService<T extends Adf.LinkedServiceUnion>(
  name: string,
  type: T["type"],
  description: string,
  typeProperties: TypePropertiesOf<T, Adf.LinkedService>,
): LinkedServiceBody {
  return { name, properties: { type, description, annotations: ["saleslake"], typeProperties } };
}

/**
 * Azure SQL through the factory's managed identity. `server`/`database`/`authenticationType` are
 * the service's current form; the SDK release here predates them, hence the extension.
 */
type AzureSqlManagedIdentity = TypePropertiesOf<Adf.AzureSqlDatabaseLinkedService, Adf.LinkedService> & {
  readonly server: string;
  readonly database: string;
  readonly authenticationType: "SystemAssignedManagedIdentity";
};

function azureSql(name: string, description: string, server: string, database: string): LinkedServiceBody {
  const typeProperties: AzureSqlManagedIdentity = {
    server,
    database,
    authenticationType: "SystemAssignedManagedIdentity",
  };
  return linkedService<Adf.AzureSqlDatabaseLinkedService>(
    name,
    "AzureSqlDatabase",
    description,
    typeProperties,
  );
}

/**
 * The source tables' linked service, one for every server and database: each entity's dataset
 * names its table's (SourceTable); the defaults are the factory's sqlServer and sourceDatabase.
 */
function sourceSql(o: ResolvedOptions): LinkedServiceBody {
  const body = azureSql(
    LINKED_SERVICE.sourceSql,
    "Source tables, read by watermark window; server and database from each table's dataset.",
    "@{linkedService().server}",
    "@{linkedService().database}",
  );
  return {
    ...body,
    properties: {
      ...body.properties,
      parameters: {
        server: { type: "String", defaultValue: o.sqlServer },
        database: { type: "String", defaultValue: o.sourceDatabase },
      },
    },
  };
}

/**
 * Azure SQL with a SQL login, its password a Key Vault secret reference. `authenticationType`,
 * `server`, `database`, `userName` and `encrypt` are the service's current form; the SDK release
 * here predates them.
 */
type AzureSqlLogin = TypePropertiesOf<Adf.AzureSqlDatabaseLinkedService, Adf.LinkedService> & {
  readonly server: string;
  readonly database: string;
  readonly authenticationType: "SQL";
  readonly userName: string;
  readonly encrypt: "mandatory";
};

/**
 * The vaults holding source login passwords, of tables on `engine` or on any, the factory's first
 * when it holds any.
 */
function loginVaults(o: ResolvedOptions, engine?: ResolvedSourceTable["engine"]): string[] {
  const vaults = new Set<string>();
  for (const { entity } of o.entities) {
    const t =
      entity.watermark.kind === "column" && o.sourceApi(entity) === undefined
        ? o.sourceTable(entity)
        : undefined;
    if (t?.login && (engine === undefined || t.engine === engine)) vaults.add(t.login.keyVault);
  }
  return [...vaults].sort(
    (a, b) => Number(b === o.keyVaultName) - Number(a === o.keyVaultName) || a.localeCompare(b),
  );
}

/**
 * The source linked service of logins whose passwords are in `vault`: server, database, user and
 * secret name are parameters each dataset sets, as for `ls_source_sql`; the password is read by the
 * factory from Key Vault when it connects, never written here.
 */
function sourceSqlWithLogin(o: ResolvedOptions, vault: string): LinkedServiceBody {
  const typeProperties: AzureSqlLogin = {
    server: "@{linkedService().server}",
    database: "@{linkedService().database}",
    encrypt: "mandatory",
    authenticationType: "SQL",
    userName: "@{linkedService().userName}",
    password: {
      type: "AzureKeyVaultSecret",
      store: { referenceName: keyVaultLinkedService(vault, o.keyVaultName), type: "LinkedServiceReference" },
      secretName: "@{linkedService().passwordSecret}",
    },
  };
  const body = linkedService<Adf.AzureSqlDatabaseLinkedService>(
    sourceSqlLogin(vault, o.keyVaultName),
    "AzureSqlDatabase",
    `Source tables read with a SQL login, its password a secret in Key Vault ${vault}; server, database, user and secret from each table's dataset.`,
    typeProperties,
  );
  return {
    ...body,
    properties: {
      ...body.properties,
      parameters: {
        server: { type: "String" },
        database: { type: "String" },
        userName: { type: "String" },
        passwordSecret: { type: "String" },
      },
    },
  };
}

/**
 * Azure Database for PostgreSQL (connector version 2.0) as a user whose password is in `vault`.
 * Server, port, database, user and secret are parameters each dataset sets. TLS is required, and
 * the session's time zone is UTC: the copy's window bounds and text timestamps are UTC, and a
 * `timestamp` column without a zone is read as UTC, as `saleslake ingest` reads it.
 */
function sourcePostgresLogin(o: ResolvedOptions, vault: string): LinkedServiceBody {
  const body = linkedService<Adf.AzurePostgreSqlLinkedService>(
    sourcePostgres(vault, o.keyVaultName),
    "AzurePostgreSql",
    `PostgreSQL source tables, read as a user whose password is a secret in Key Vault ${vault}; server, port, database, user and secret from each table's dataset.`,
    {
      server: "@{linkedService().server}",
      // The whole value an expression, so that it stays the integer the parameter holds.
      port: "@linkedService().port",
      database: "@{linkedService().database}",
      username: "@{linkedService().userName}",
      // 3: require. The connector's integration runtime trusts the public roots Azure's servers use.
      sslMode: 3,
      timezone: PG_SESSION_TIME_ZONE,
      password: {
        type: "AzureKeyVaultSecret",
        store: {
          referenceName: keyVaultLinkedService(vault, o.keyVaultName),
          type: "LinkedServiceReference",
        },
        secretName: "@{linkedService().passwordSecret}",
      },
    } as TypePropertiesOf<Adf.AzurePostgreSqlLinkedService, Adf.LinkedService>,
  );
  // `version` is in the service's resource types (azure-types/), not in the SDK release's model.
  const properties: LinkedServiceBody["properties"] & { version: string } = {
    ...body.properties,
    version: "2.0",
    parameters: {
      server: { type: "String" },
      port: { type: "Int" },
      database: { type: "String" },
      userName: { type: "String" },
      passwordSecret: { type: "String" },
    },
  };
  return { ...body, properties };
}

/**
 * Source APIs: one REST service, its base URL a parameter each API's dataset sets. Anonymous: a
 * credential is a header the copy sends, read from Key Vault just before it (never stored here).
 */
function sourceRest(): LinkedServiceBody {
  const body = linkedService<Adf.RestServiceLinkedService>(
    LINKED_SERVICE.sourceRest,
    "RestService",
    "Source APIs, read page by page; base URL from each API's dataset, any credential header from Key Vault at copy time.",
    {
      url: "@{linkedService().baseUrl}",
      authenticationType: "Anonymous",
      enableServerCertificateValidation: true,
    },
  );
  return { ...body, properties: { ...body.properties, parameters: { baseUrl: { type: "String" } } } };
}

/** The session time zone of the PostgreSQL source linked services. */
export const PG_SESSION_TIME_ZONE = "UTC";

function keyVault(name: string, vault: string, description: string): LinkedServiceBody {
  return linkedService<Adf.AzureKeyVaultLinkedService>(name, "AzureKeyVault", description, {
    baseUrl: `https://${vault}.vault.azure.net/`,
  });
}

/**
 * Lake, source and control databases, Databricks and Key Vault, by managed identity; a source
 * read with a SQL login references its password in Key Vault. No secret is ever written here.
 */
export function linkedServices(o: ResolvedOptions): LinkedServiceBody[] {
  const db = o.databricks;
  // `dataSecurityMode` is in the service's resource types (azure-types/, which the tests validate
  // against), not yet in @azure/arm-datafactory 12's model.
  const cluster: TypePropertiesOf<Adf.AzureDatabricksLinkedService, Adf.LinkedService> & {
    dataSecurityMode?: string;
  } = db.existingClusterId
    ? { existingClusterId: db.existingClusterId }
    : {
        newClusterVersion: db.newCluster.version,
        newClusterNodeType: db.newCluster.nodeType,
        newClusterNumOfWorker: String(db.newCluster.workers),
        // The notebooks' tables are in Unity Catalog, which a cluster reaches only in an access
        // mode that enforces it; single user is the mode Jobs gives a job cluster, the run's
        // identity (here the factory's) its user, as the Databricks job (jobDefinition) asks too.
        dataSecurityMode: "SINGLE_USER",
      };
  const sqlVaults = loginVaults(o, "sqlserver");
  const postgresVaults = loginVaults(o, "postgres");
  return [
    linkedService<Adf.AzureBlobFSLinkedService>(
      LINKED_SERVICE.lake,
      "AzureBlobFS",
      "The lake (ADLS Gen2), as the factory's managed identity.",
      { url: `https://${o.storageAccount}.dfs.core.windows.net/` },
    ),
    sourceSql(o),
    azureSql(
      LINKED_SERVICE.controlSql,
      "Control database: watermarks and run ledger (schema saleslake).",
      o.sqlServer,
      o.controlDatabase,
    ),
    linkedService<Adf.AzureDatabricksLinkedService>(
      LINKED_SERVICE.databricks,
      "AzureDatabricks",
      "Databricks workspace, as the factory's managed identity (no personal access token).",
      {
        domain: db.workspaceUrl,
        authentication: "MSI",
        workspaceResourceId: db.workspaceResourceId,
        ...cluster,
      },
    ),
    keyVault(
      LINKED_SERVICE.keyVault,
      o.keyVaultName,
      "Key Vault for secrets a source may need; reference them, never inline.",
    ),
    ...loginVaults(o).flatMap((vault) => [
      ...(vault === o.keyVaultName
        ? []
        : [
            keyVault(
              keyVaultLinkedService(vault, o.keyVaultName),
              vault,
              "Key Vault of a source's login password, read with the factory's managed identity.",
            ),
          ]),
      ...(sqlVaults.includes(vault) ? [sourceSqlWithLogin(o, vault)] : []),
      ...(postgresVaults.includes(vault) ? [sourcePostgresLogin(o, vault)] : []),
    ]),
    ...(o.entities.some(({ entity }) => o.sourceApi(entity) !== undefined) ? [sourceRest()] : []),
  ];
}
