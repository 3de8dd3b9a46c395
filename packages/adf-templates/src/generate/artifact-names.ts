/** Names of the generated artifacts: one place, so pipelines, triggers and tests agree. */
export const LINKED_SERVICE = {
  lake: "ls_lake",
  sourceSql: "ls_source_sql",
  sourceRest: "ls_source_rest",
  controlSql: "ls_control_sql",
  databricks: "ls_databricks",
  keyVault: "ls_key_vault",
} as const;

/**
 * The source linked service signing in with a SQL login whose password is in Key Vault `vault`,
 * and the Key Vault linked service of a vault other than the factory's.
 */
export const sourceSqlLogin = (vault: string, factoryVault: string) =>
  vault === factoryVault ? "ls_source_sql_login" : `ls_source_sql_login_${vault}`;
/** The source linked service of PostgreSQL tables whose users' passwords are in Key Vault `vault`. */
export const sourcePostgres = (vault: string, factoryVault: string) =>
  vault === factoryVault ? "ls_source_postgres" : `ls_source_postgres_${vault}`;
export const keyVaultLinkedService = (vault: string, factoryVault: string) =>
  vault === factoryVault ? LINKED_SERVICE.keyVault : `ls_key_vault_${vault}`;

export const CONTROL_DATASET = "ds_control";
export const PARENT_PIPELINE = "pl_saleslake_incremental";
export const WINDOW_TRIGGER = "tr_saleslake_window";

export const sourceDataset = (entity: string) => `ds_${entity}_source`;
export const landingDataset = (entity: string, format: "jsonl" | "parquet" | "csv") =>
  `ds_${entity}_landing_${format}`;
export const entityPipeline = (entity: string) => `pl_${entity}`;
export const fileDropTrigger = (entity: string) => `tr_${entity}_file_drop`;
