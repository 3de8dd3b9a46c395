import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { SourceDefinition } from "@saleslake/ingest";
import type { EngineOptions } from "@saleslake/pipeline";
import { carSales, carSalesStar, type Entity, type Star } from "@saleslake/schema";
import { importProjectModule, ProjectFileError } from "./project-imports.ts";

/**
 * A database table or an API that `saleslake ingest --source NAME` lands windows from: the
 * entity its rows belong to, and where and how to read it (`@saleslake/ingest`'s
 * `SourceDefinition`). Credentials are references (`{ env: "VAR" }`, `{ keyVault: … }`), never
 * values: the config is meant to be committed.
 */
export type SourceConfig = SourceDefinition & {
  /** The entity the source's rows belong to; it needs a watermark column. */
  readonly entity: string;
  /**
   * A `postgres` source only: where the generated Data Factory pipelines read the table, which
   * cannot read the source's connection string (a secret of the CLI's environment). Without it
   * the pipelines do not read the source.
   */
  readonly factory?: PostgresFactoryAccess;
};

/**
 * How the Data Factory pipelines reach a PostgreSQL source: its server, database and a user
 * whose password is a Key Vault secret, read by the factory when it connects.
 */
export interface PostgresFactoryAccess {
  /** Host name, e.g. `pg-erp.postgres.database.azure.com`. */
  readonly server: string;
  /** Default `5432`. */
  readonly port?: number;
  readonly database: string;
  readonly user: string;
  /** The Key Vault secret holding the user's password. Default `<source name>-password`. */
  readonly passwordSecret?: string;
  /** The vault holding it. Default: the estate's Key Vault. */
  readonly keyVault?: string;
}

/** Where the estate's lake is: the storage account's Blob endpoint, and its container layout. */
export interface AdlsLakeConfig {
  /** The storage account's Blob endpoint, e.g. `https://salesprod.blob.core.windows.net`. */
  readonly accountUrl: string;
  /**
   * One container holding every zone as a top folder. Default: a container per zone
   * (`landing`, `bronze`, …), as the infra templates create them.
   */
  readonly fileSystem?: string;
}

/** A project's `saleslake.config.ts`. Every field has a default; the demo needs none. */
export interface SaleslakeConfig {
  /** Entities this project loads. Default: the bundled car-sales entity. */
  readonly entities?: readonly Entity[];
  /** Star schemas over those entities. Default: the car-sales star. */
  readonly stars?: readonly Star[];
  /** Database tables and APIs to land from, by name. Default: none (files only). */
  readonly sources?: Readonly<Record<string, SourceConfig>>;
  readonly lake?: {
    /** Local lake folder, relative to the project. Default `lake`. */
    readonly root?: string;
    /**
     * The estate's lake on ADLS Gen2, where `saleslake ingest --to adls` lands batches for the
     * Data Factory pipelines (a file drop's manifest starts its entity's pipeline). Reached with
     * Microsoft Entra ID (`az login` on a workstation, a managed or workload identity in Azure and
     * CI), as an identity holding Storage Blob Data Contributor; no key or SAS token is taken.
     */
    readonly adls?: AdlsLakeConfig;
  };
  readonly engine?: {
    /** DuckDB memory limit, e.g. `"2GB"`. Default: DuckDB's (80% of RAM). */
    readonly memoryLimit?: string;
    /** Worker threads. Default: one per core. */
    readonly threads?: number;
    /** Compress text columns harder: a smaller warehouse, slower loads and key joins. Default `false`. */
    readonly compressText?: boolean;
  };
  /** Azure settings, used by `generate` and `deploy`. */
  readonly azure?: {
    readonly subscriptionId?: string;
    readonly resourceGroup?: string;
    readonly environment?: "dev" | "test" | "prod";
  };
}

/** Identity function that types a config file. */
export function defineConfig(config: SaleslakeConfig): SaleslakeConfig {
  return config;
}

export interface ResolvedConfig {
  readonly dir: string;
  readonly entities: readonly Entity[];
  readonly stars: readonly Star[];
  readonly sources: Readonly<Record<string, SourceConfig>>;
  readonly lakeRoot: string;
  /** The estate's lake, when the config names one. */
  readonly adls?: AdlsLakeConfig;
  readonly memoryLimit?: string;
  readonly threads?: number;
  readonly compressText?: boolean;
  readonly configFile?: string;
  readonly azure?: SaleslakeConfig["azure"];
}

export const CONFIG_FILE = "saleslake.config.ts";

/** The keys of SaleslakeConfig. */
const CONFIG_KEYS = ["entities", "stars", "sources", "lake", "engine", "azure"];

/** Loads `<dir>/saleslake.config.ts` when present, with defaults for everything it leaves out. */
export async function loadConfig(dirArg: string): Promise<ResolvedConfig> {
  const dir = resolve(dirArg);
  const file = join(dir, CONFIG_FILE);
  let config: SaleslakeConfig = {};
  if (existsSync(file)) {
    const mod = (await importProjectModule(file)) as { default?: SaleslakeConfig };
    // A config that exports nothing, or misspells a key, would otherwise run the bundled demo
    // entity in the project's place, and generate and deploy it.
    if (mod.default === undefined || mod.default === null || typeof mod.default !== "object") {
      throw new ProjectFileError(
        `${file}: no default export`,
        "Export the config as the default: export default defineConfig({ entities: [...] }).",
      );
    }
    config = mod.default;
    const unknown = Object.keys(config).filter((k) => !CONFIG_KEYS.includes(k));
    if (unknown.length > 0) {
      throw new ProjectFileError(
        `${file}: unknown key${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}`,
        `A config has ${CONFIG_KEYS.join(", ")}.`,
      );
    }
    if (config.entities !== undefined && (!Array.isArray(config.entities) || config.entities.length === 0)) {
      throw new ProjectFileError(
        `${file}: entities is ${Array.isArray(config.entities) ? "empty" : "not a list"}`,
        "List the project's entities, or leave entities out for the bundled car-sales demo.",
      );
    }
    const names = (config.entities ?? []).map((e) => e?.name);
    const twice = names.filter((n, i) => names.indexOf(n) !== i);
    if (twice.length > 0) {
      throw new ProjectFileError(
        `${file}: entity ${twice.join(", ")} is listed more than once`,
        "List each entity once.",
      );
    }
  }
  const entities = config.entities ?? [carSales];
  const stars = config.stars ?? (config.entities ? [] : [carSalesStar]);
  const sources = config.sources ?? {};
  checkStars(stars, entities, file, config.entities === undefined);
  checkSources(sources, entities, file);
  if (config.lake?.adls !== undefined) checkAdlsLake(config.lake.adls, file);
  return {
    dir,
    entities,
    stars,
    sources,
    lakeRoot: resolve(dir, config.lake?.root ?? "lake"),
    ...(config.lake?.adls !== undefined && { adls: config.lake.adls }),
    ...(config.engine?.memoryLimit !== undefined && { memoryLimit: config.engine.memoryLimit }),
    ...(config.engine?.threads !== undefined && { threads: config.engine.threads }),
    ...(config.engine?.compressText !== undefined && { compressText: config.engine.compressText }),
    ...(existsSync(file) && { configFile: file }),
    ...(config.azure !== undefined && { azure: config.azure }),
  };
}

/** The engine settings of a resolved config; a `memoryLimit` given overrides the config's. */
export function engineOptions(cfg: ResolvedConfig, memoryLimit = cfg.memoryLimit): EngineOptions {
  return {
    ...(memoryLimit && { memoryLimit }),
    ...(cfg.threads && { threads: cfg.threads }),
    ...(cfg.compressText !== undefined && { compressText: cfg.compressText }),
  };
}

/**
 * A star is built with its entity, one star per entity (the local runner and the generated
 * factory take the first star of each entity): a star over an entity the config does not list,
 * or a second star over one, would be left out without a word, so both are config errors.
 */
function checkStars(
  stars: readonly Star[],
  entities: readonly Entity[],
  file: string,
  entitiesLeftOut: boolean,
) {
  if (!Array.isArray(stars))
    throw new ProjectFileError(`${file}: stars is not a list`, "List the project's stars: stars: [myStar].");
  const builtOn = new Map<string, string>();
  for (const star of stars) {
    const entity = star?.entity?.name;
    if (!entities.some((e) => e.name === entity)) {
      throw new ProjectFileError(
        `${file}: star ${star?.name} is built on entity ${entity}, which entities does not list${entitiesLeftOut ? " (entities is left out: the bundled car_sales is loaded)" : ` (entities: ${entities.map((e) => e.name).join(", ")})`}`,
        "Add the star's entity to entities, or take the star out of stars.",
      );
    }
    const first = builtOn.get(entity);
    if (first !== undefined) {
      throw new ProjectFileError(
        `${file}: stars ${first} and ${star.name} are both built on entity ${entity}; one star per entity is built`,
        "Put the dimensions and measures in one star, or take one out of stars.",
      );
    }
    builtOn.set(entity, star.name);
  }
}

const SOURCE_KINDS = ["postgres", "sqlserver", "http"];
/** The kinds of `HttpPagination`. */
const HTTP_PAGINATIONS = ["page", "cursor"];

/** A source's `factory`: on a PostgreSQL source only, with its server, database and user. */
function checkFactoryAccess(source: SourceConfig, factory: unknown, where: string) {
  if (source.kind !== "postgres")
    throw new ProjectFileError(
      `${where}: factory is for postgres sources`,
      source.kind === "sqlserver"
        ? "The pipelines read a sqlserver source at its own server, database and table; leave factory out."
        : "The pipelines do not read http sources; leave factory out.",
    );
  const access = factory as Record<string, unknown> | null;
  for (const key of ["server", "database", "user"]) {
    const value = typeof access === "object" && access !== null ? access[key] : undefined;
    if (typeof value !== "string" || value === "")
      throw new ProjectFileError(
        `${where}: factory.${key} is ${value === undefined ? "missing" : "not a non-empty string"}`,
        'Say where the pipelines read the table, e.g. factory: { server: "pg-erp.postgres.database.azure.com", database: "erp", user: "saleslake_reader" }.',
      );
  }
}

/**
 * The estate's lake is an https Blob endpoint and nothing else: a token travels over TLS only,
 * and a query string (a SAS token) or a user in the URL would put a secret in the config.
 */
function checkAdlsLake(adls: AdlsLakeConfig, file: string): void {
  const example = 'Write it like lake: { adls: { accountUrl: "https://salesprod.blob.core.windows.net" } }.';
  let url: URL | undefined;
  try {
    url = new URL(String(adls?.accountUrl));
  } catch {
    // reported below
  }
  if (url?.protocol !== "https:" || url.hostname === "")
    throw new ProjectFileError(
      `${file}: lake.adls.accountUrl ${JSON.stringify(adls?.accountUrl)} is not an https URL`,
      example,
    );
  if (url.search !== "" || url.username !== "" || url.password !== "" || url.hash !== "")
    throw new ProjectFileError(
      `${file}: lake.adls.accountUrl carries a query, a user or a fragment; the config holds no credential`,
      `Give the account's Blob endpoint alone and sign in with Microsoft Entra ID (az login, or a managed identity). ${example}`,
    );
  const fs = adls.fileSystem;
  if (fs !== undefined && !/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(String(fs)))
    throw new ProjectFileError(
      `${file}: lake.adls.fileSystem ${JSON.stringify(fs)} is not a container name`,
      "A container name is 3–63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit; leave it out for a container per zone.",
    );
}

/** A source that names no configured entity, or one without a watermark column, is a config error. */
function checkSources(
  sources: Readonly<Record<string, SourceConfig>>,
  entities: readonly Entity[],
  file: string,
) {
  for (const [name, source] of Object.entries(sources)) {
    const where = `${file}: sources.${name}`;
    if (!SOURCE_KINDS.includes(source?.kind)) {
      throw new ProjectFileError(
        `${where}: kind ${JSON.stringify(source?.kind)} is not one of ${SOURCE_KINDS.join(", ")}`,
        "Files are landed by path (saleslake ingest FILE…); sources are database tables and APIs.",
      );
    }
    const entity = entities.find((e) => e.name === source.entity);
    if (!entity) {
      throw new ProjectFileError(
        `${where}: entity ${JSON.stringify(source.entity)} is not configured (entities: ${entities.map((e) => e.name).join(", ")})`,
        "Name one of the config's entities, or add the entity to entities.",
      );
    }
    // What each kind cannot do without: checked here, so that a source left incomplete is an
    // error naming it, not a failure deep in its reader.
    const required: Record<string, string[]> = {
      postgres: ["table"],
      sqlserver: ["server", "database", "table"],
      http: ["url"],
    };
    const record = source as unknown as Record<string, unknown>;
    for (const key of required[source.kind] ?? []) {
      if (typeof record[key] !== "string" || record[key] === "") {
        throw new ProjectFileError(
          `${where}: ${key} is ${record[key] === undefined ? "missing" : "not a non-empty string"}`,
          `A ${source.kind} source names its ${required[source.kind]!.join(", ")}.`,
        );
      }
    }
    if (record.factory !== undefined) checkFactoryAccess(source, record.factory, where);
    if (source.kind === "http") {
      const pagination = record.pagination as { kind?: unknown } | undefined;
      if (typeof pagination?.kind !== "string" || !HTTP_PAGINATIONS.includes(pagination.kind)) {
        throw new ProjectFileError(
          `${where}: pagination is ${pagination === undefined ? "missing" : `not one of ${HTTP_PAGINATIONS.join(", ")}`}`,
          'Say how the API pages, e.g. pagination: { kind: "page" } (see @saleslake/ingest\'s HttpPagination).',
        );
      }
    }
    if (entity.watermark.kind !== "column") {
      throw new ProjectFileError(
        `${where}: entity ${entity.name} has no watermark column, which a ${source.kind} source is read by`,
        'Declare one on the entity, e.g. watermark: { column: "updated_at", lookback: "PT1H" }.',
      );
    }
  }
}
