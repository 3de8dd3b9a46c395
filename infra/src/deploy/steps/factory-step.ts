import {
  deployFactory,
  type FactoryOptions,
  factoryClient,
  generateFactory,
  sqlServerAddress,
} from "@saleslake/adf-templates";
import { salesEntities } from "@saleslake/schema";
import type { DeployContext, DeployStep } from "../deploy-step.ts";
import { requireOutput } from "./control-db-step.ts";

export interface FactoryStepOptions {
  /**
   * Database of the source tables the pipelines copy from. Default `SALESLAKE_SOURCE_DATABASE`,
   * else the control database.
   */
  readonly sourceDatabase?: string;
  /** Lake file system the pipelines read and write. Default: @saleslake/adf-templates' default. */
  readonly fileSystem?: string;
  /**
   * The project's entities, each with its star when it has one: what the factory, the Databricks
   * jobs and the Synapse views are generated for. Default: the bundled sales domain.
   */
  readonly entities?: FactoryOptions["entities"];
}

/**
 * What the factory needs on servers and vaults a deploy does not create, a plan line each: read
 * access for its managed identity on each server of source tables (`server/database`) read
 * without a login; for tables read with a SQL login or a PostgreSQL user, its password as a Key
 * Vault secret.
 */
function sourceAccess(o: FactoryStepOptions): string[] {
  const identity = new Map<string, string[]>();
  const logins = new Map<string, { names: string[]; keyVault: string | undefined }>();
  const apis: string[] = [];
  for (const { entity, sourceTable: t, sourceApi: api } of o.entities ?? []) {
    if (api?.auth !== undefined) {
      const { secret, keyVault } = api.auth;
      const endpoint = api.url.replace(/[?#].*$/, "");
      apis.push(
        `the factory reads ${entity.name} from ${endpoint} with the credential in the secret ${secret} in ${
          keyVault === undefined ? "the estate's Key Vault" : `Key Vault ${keyVault}`
        }: store it there${
          keyVault === undefined
            ? ""
            : `, and let the factory's managed identity read secrets in ${keyVault} (Key Vault Secrets User) unless it is the estate's`
        }`,
      );
    }
    if (t?.server === undefined) continue;
    const postgres = t.engine === "postgres";
    const server = postgres ? `${t.server}:${t.port ?? 5432}` : sqlServerAddress(t.server, t.port);
    const where = `${server}/${t.database ?? o.sourceDatabase ?? "<source database>"}`;
    const table = `${t.schema}.${t.table} (${entity.name})`;
    if (t.login === undefined) {
      identity.set(where, [...(identity.get(where) ?? []), table]);
      continue;
    }
    const { user, passwordSecret, keyVault } = t.login;
    const vault = keyVault === undefined ? "the estate's Key Vault" : `Key Vault ${keyVault}`;
    const key = `on ${where} as ${postgres ? "PostgreSQL user" : "SQL login"} ${user}, its password the secret ${passwordSecret} in ${vault}`;
    logins.set(key, { names: [...(logins.get(key)?.names ?? []), table], keyVault });
  }
  return [
    ...[...identity].map(
      ([where, names]) =>
        `the factory's managed identity reads ${names.join(", ")} on ${where}, a server this deploy does not create: grant it read access there (CREATE USER [<factory>] FROM EXTERNAL PROVIDER; ALTER ROLE db_datareader ADD MEMBER [<factory>])`,
    ),
    ...[...logins].map(
      ([key, { names, keyVault }]) =>
        `the factory reads ${names.join(", ")} ${key}: store the password there${
          keyVault === undefined
            ? ""
            : `, and let the factory's managed identity read secrets in ${keyVault} (Key Vault Secrets User) unless it is the estate's`
        }`,
    ),
    ...apis,
  ];
}

/** Names of the entities a deploy generates for, for the plan. */
export const entityNames = (o: FactoryStepOptions): string =>
  (o.entities?.map((e) => e.entity.name) ?? salesEntities.map((e) => e.name)).join(", ");

/**
 * What a deploy generates for: the project's entities (default: the bundled sales domain) and
 * the source database, `SALESLAKE_SOURCE_DATABASE` when set.
 */
export function projectOptions(
  env: NodeJS.ProcessEnv,
  entities: FactoryOptions["entities"] | undefined,
): FactoryStepOptions {
  const sourceDatabase = env.SALESLAKE_SOURCE_DATABASE;
  return {
    ...(sourceDatabase !== undefined && { sourceDatabase }),
    ...(entities !== undefined && { entities }),
  };
}

/** The factory's options, from the infra step's outputs: nothing is typed twice. */
export function factoryOptionsFrom(
  ctx: Pick<DeployContext, "outputs">,
  o: FactoryStepOptions = {},
): FactoryOptions {
  const control = requireOutput(ctx, "sqlDatabase");
  const host = requireOutput(ctx, "databricksUrl")
    .replace(/^https:\/\//, "")
    .replace(/\/+$/, "");
  return {
    storageAccount: requireOutput(ctx, "storageAccount"),
    storageAccountResourceId: requireOutput(ctx, "storageAccountId"),
    ...(o.fileSystem !== undefined && { fileSystem: o.fileSystem }),
    ...(o.entities !== undefined && { entities: o.entities }),
    sqlServer: requireOutput(ctx, "sqlServer"),
    sourceDatabase: o.sourceDatabase ?? control,
    controlDatabase: control,
    databricks: {
      workspaceUrl: `https://${host}`,
      workspaceResourceId: requireOutput(ctx, "databricksWorkspaceId"),
    },
    keyVaultName: requireOutput(ctx, "keyVaultName"),
  };
}

/**
 * The Data Factory artifacts from @saleslake/adf-templates, deployed by its idempotent
 * `deployFactory` (only what differs is written). Triggers are left to the triggers step: their
 * names go to the output `factoryTriggers`.
 */
export function factoryStep(o: FactoryStepOptions = {}): DeployStep {
  return {
    id: "factory",
    title: "Data Factory linked services, datasets, pipelines, triggers",
    plan: () => [
      `generate the factory for ${entityNames(o)} from the schema and the infra outputs (@saleslake/adf-templates)`,
      "write only the artifacts that differ from the factory's; stop affected triggers while writing",
      ...sourceAccess(o),
    ],
    run: async (ctx) => {
      const generated = generateFactory(factoryOptionsFrom(ctx, o));
      const client = factoryClient({
        subscriptionId: ctx.target.subscriptionId,
        credential: ctx.credential,
        ...(ctx.azure.endpoint !== undefined && { endpoint: ctx.azure.endpoint }),
      });
      const result = await deployFactory(
        client,
        { resourceGroup: ctx.target.resourceGroup, factoryName: requireOutput(ctx, "dataFactory") },
        generated.artifacts,
        { startTriggers: false },
      );
      ctx.outputs.set("factoryTriggers", JSON.stringify(generated.artifacts.triggers.map((t) => t.name)));
      const writes = result.steps.filter((s) => s.kind === "put" || s.kind === "delete");
      return {
        changed: writes.length,
        unchanged: result.plan.filter((p) => p.action === "unchanged").length,
        detail: writes.map((s) => `${s.kind} ${s.type} ${s.name}`),
      };
    },
  };
}
