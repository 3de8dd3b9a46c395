import type { FactoryOptions } from "./factory-options.ts";

/**
 * Options for the example factory written by `pnpm generate` and used by the golden tests:
 * placeholder names of a dev environment (all-zero subscription). Real deployments pass their own.
 */
export const EXAMPLE_FACTORY_OPTIONS: FactoryOptions = {
  storageAccount: "saleslakedevlake",
  storageAccountResourceId:
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-saleslake-dev/providers/Microsoft.Storage/storageAccounts/saleslakedevlake",
  sqlServer: "saleslake-dev-sql.database.windows.net",
  sourceDatabase: "sales",
  controlDatabase: "saleslake-control",
  databricks: {
    workspaceUrl: "https://adb-1234567890123456.7.azuredatabricks.net",
    workspaceResourceId:
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-saleslake-dev/providers/Microsoft.Databricks/workspaces/saleslake-dev-dbw",
  },
  keyVaultName: "saleslake-dev-kv",
};

/** Factory name of the example, for the control database grant script. */
export const EXAMPLE_FACTORY_NAME = "saleslake-dev-adf";
