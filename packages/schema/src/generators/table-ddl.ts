import { createHash } from "node:crypto";
import { type Dialect, physicalType, quoteIdent, quoteString } from "../dialect/type-map.ts";
import type { Entity, PiiTag } from "../model.ts";
import { NOW_BOUND, type QualityRule, qualityRules } from "./quality-rules.ts";
import { type TableShapeOptions, tableColumns } from "./table-columns.ts";

export interface DdlOptions extends TableShapeOptions {
  /**
   * Schema the table lives in, or `catalog.schema` (Databricks, DuckDB: an attached database).
   * T-SQL takes a schema of the current database only. Default `silver`.
   */
  readonly schema?: string;
  /** Table name. Default: the entity name. */
  readonly table?: string;
  /**
   * Databricks: emit Unity Catalog's informational PRIMARY KEY, and tag each column holding
   * personal data (`pii`). Default `true`.
   */
  readonly unityCatalog?: boolean;
  /** T-SQL target: Azure SQL (enforced keys and checks) or a Synapse dedicated pool. Default `azure-sql`. */
  readonly tsqlTarget?: "azure-sql" | "synapse";
}

/** The schema option's parts, each quoted: `lake.silver` is catalog `lake`, schema `silver`. */
const schemaName = (dialect: Dialect, schema: string) =>
  schema
    .split(".")
    .map((p) => quoteIdent(dialect, p))
    .join(".");

const qualified = (dialect: Dialect, schema: string, table: string) =>
  `${schemaName(dialect, schema)}.${quoteIdent(dialect, table)}`;

/**
 * Rules that can be table CHECK constraints: deterministic checks on typed values. Parse and
 * not-null rules are enforced by the column types; `now` bounds change over time.
 */
function constraintRules(entity: Entity): QualityRule[] {
  return qualityRules(entity).filter((r) => {
    if (r.severity !== "error" || r.kind === "parse" || r.kind === "not_null" || r.kind === "missing")
      return false;
    const col = r.column ? entity.columns.find((c) => c.name === r.column) : undefined;
    return !(r.kind === "max" && col?.constraints.max === NOW_BOUND);
  });
}

/** A Delta CHECK constraint's name: Delta names constraints per table. */
const constraintName = (rule: QualityRule) => `ck_${rule.id.replace(/\./g, "_")}`;

/** SQL Server's longest identifier. */
const TSQL_NAME_MAX = 128;

/**
 * A T-SQL CHECK constraint's name. SQL Server names constraints per schema, not per table: two
 * tables with an `amount.min` rule need two names, so the table is part of it. A name that would
 * pass 128 characters is cut, and ends with a hash of the whole name to stay unique and stable.
 */
function tsqlConstraintName(table: string, rule: QualityRule): string {
  const name = `ck_${table}_${rule.id.replace(/\./g, "_")}`;
  if (name.length <= TSQL_NAME_MAX) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 12);
  // Not between the halves of a surrogate pair (a table name given in options may hold any text).
  const head = name.slice(0, TSQL_NAME_MAX - hash.length - 1).replace(/[\uD800-\uDBFF]$/, "");
  return `${head}_${hash}`;
}

/**
 * Azure SQL's and Synapse's data classification of each kind of personal data: a sensitivity
 * label and an information type from their built-in taxonomy, which Data Discovery &
 * Classification reports on and auditing records access to.
 */
export const TSQL_CLASSIFICATIONS: Readonly<
  Record<PiiTag, { readonly label: string; readonly informationType: string }>
> = {
  name: { label: "Confidential - GDPR", informationType: "Name" },
  email: { label: "Confidential - GDPR", informationType: "Contact Info" },
  phone: { label: "Confidential - GDPR", informationType: "Contact Info" },
  address: { label: "Confidential - GDPR", informationType: "Contact Info" },
  identifier: { label: "Confidential - GDPR", informationType: "National ID" },
  financial: { label: "Confidential", informationType: "Financial" },
  other: { label: "Confidential", informationType: "Other" },
};

/** The Unity Catalog tag a column holding personal data carries: `pii` = its kind. */
export const PII_TAG = "pii";

function duckdbDdl(entity: Entity, o: DdlOptions): string {
  const d: Dialect = "duckdb";
  const name = qualified(d, o.schema ?? "silver", o.table ?? entity.name);
  const cols = tableColumns(entity, o).map(
    (c) => `  ${quoteIdent(d, c.name)} ${physicalType(d, c.type)}${c.nullable ? "" : " NOT NULL"}`,
  );
  const lines = [
    `CREATE SCHEMA IF NOT EXISTS ${schemaName(d, o.schema ?? "silver")};`,
    `CREATE TABLE IF NOT EXISTS ${name} (`,
    `${cols.join(",\n")}\n);`,
  ];
  if (entity.description) lines.push(`COMMENT ON TABLE ${name} IS ${quoteString(d, entity.description)};`);
  for (const c of tableColumns(entity, o)) {
    if (c.description)
      lines.push(`COMMENT ON COLUMN ${name}.${quoteIdent(d, c.name)} IS ${quoteString(d, c.description)};`);
  }
  return `${lines.join("\n")}\n`;
}

function deltaDdl(entity: Entity, o: DdlOptions): string {
  const d: Dialect = "spark";
  const name = qualified(d, o.schema ?? "silver", o.table ?? entity.name);
  const cols = tableColumns(entity, o).map((c) => {
    const comment = c.description ? ` COMMENT ${quoteString(d, c.description)}` : "";
    return `  ${quoteIdent(d, c.name)} ${physicalType(d, c.type)}${c.nullable ? "" : " NOT NULL"}${comment}`;
  });
  if ((o.unityCatalog ?? true) && entity.scd === 1) {
    cols.push(
      `  CONSTRAINT ${quoteIdent(d, `pk_${o.table ?? entity.name}`)} PRIMARY KEY (${entity.key.map((k) => quoteIdent(d, k)).join(", ")})`,
    );
  }
  const lines = [`CREATE TABLE IF NOT EXISTS ${name} (`, `${cols.join(",\n")}\n)`, "USING DELTA"];
  // Delta cannot combine partitioning with liquid clustering: partitioned tables use clusterBy for ZORDER instead.
  if (entity.partitionBy.length > 0)
    lines.push(`PARTITIONED BY (${entity.partitionBy.map((c) => quoteIdent(d, c)).join(", ")})`);
  else if (entity.clusterBy.length > 0)
    lines.push(`CLUSTER BY (${entity.clusterBy.map((c) => quoteIdent(d, c)).join(", ")})`);
  if (entity.description) lines.push(`COMMENT ${quoteString(d, entity.description)}`);
  lines.push(
    "TBLPROPERTIES (",
    "  'delta.enableChangeDataFeed' = 'true',",
    // A MERGE marks replaced rows instead of rewriting the files they sit in.
    "  'delta.enableDeletionVectors' = 'true',",
    "  'delta.autoOptimize.optimizeWrite' = 'true',",
    "  'delta.autoOptimize.autoCompact' = 'true'",
    ");",
  );
  for (const r of constraintRules(entity)) {
    // Dropped first so that redeploying a changed rule replaces it instead of failing.
    const ck = quoteIdent(d, constraintName(r));
    lines.push(`ALTER TABLE ${name} DROP CONSTRAINT IF EXISTS ${ck};`);
    lines.push(`ALTER TABLE ${name} ADD CONSTRAINT ${ck} CHECK (${r.sql.spark});`);
  }
  // Setting a tag again replaces its value: safe on every deploy.
  if (o.unityCatalog ?? true)
    for (const c of tableColumns(entity, o))
      if (c.pii !== undefined)
        lines.push(
          `ALTER TABLE ${name} ALTER COLUMN ${quoteIdent(d, c.name)} SET TAGS (${quoteString(d, PII_TAG)} = ${quoteString(d, c.pii)});`,
        );
  return `${lines.join("\n")}\n`;
}

function tsqlDdl(entity: Entity, o: DdlOptions): string {
  const d: Dialect = "tsql";
  const schema = o.schema ?? "silver";
  if (schema.includes(".")) {
    // SCHEMA_ID and CREATE SCHEMA take a schema of the current database only.
    throw new Error(
      `T-SQL DDL of ${entity.name}: schema ${JSON.stringify(schema)} names a database; give the schema alone and connect to the database`,
    );
  }
  const table = o.table ?? entity.name;
  const name = qualified(d, schema, table);
  const synapse = o.tsqlTarget === "synapse";
  const cols = tableColumns(entity, o).map((c) => {
    // Index keys are limited to 900 bytes: unbounded key strings get 450 characters.
    const bound = c.maxLength ?? (entity.key.includes(c.name) ? 450 : synapse ? 4000 : undefined);
    const type = physicalType(d, c.type, bound);
    return `    ${quoteIdent(d, c.name)} ${type} ${c.nullable ? "NULL" : "NOT NULL"}`;
  });
  const key = entity.key.map((k) => quoteIdent(d, k)).join(", ");
  const body: string[] = [...cols];
  if (synapse) {
    // Dedicated pools enforce neither keys nor checks; the key is declared for the optimizer only.
    if (entity.scd === 1)
      body.push(
        `    CONSTRAINT ${quoteIdent(d, `pk_${table}`)} PRIMARY KEY NONCLUSTERED (${key}) NOT ENFORCED`,
      );
  } else {
    if (entity.scd === 1)
      body.push(`    CONSTRAINT ${quoteIdent(d, `pk_${table}`)} PRIMARY KEY CLUSTERED (${key})`);
    for (const r of constraintRules(entity))
      body.push(`    CONSTRAINT ${quoteIdent(d, tsqlConstraintName(table, r))} CHECK (${r.sql.tsql})`);
  }
  const lines = [
    `IF SCHEMA_ID(${quoteString(d, schema)}) IS NULL EXEC(${quoteString(d, `CREATE SCHEMA ${quoteIdent(d, schema)}`)});`,
    `IF OBJECT_ID(${quoteString(d, `${schema}.${table}`)}, N'U') IS NULL`,
    `CREATE TABLE ${name} (`,
    `${body.join(",\n")}\n)${synapse ? `\nWITH (DISTRIBUTION = HASH(${quoteIdent(d, entity.key[0]!)}), CLUSTERED COLUMNSTORE INDEX)` : ""};`,
  ];
  // Classifying a classified column replaces its classification: safe on every deploy. Run
  // through EXEC, so that it is compiled once the table exists, in this batch.
  for (const c of tableColumns(entity, o)) {
    if (c.pii === undefined) continue;
    const k = TSQL_CLASSIFICATIONS[c.pii];
    const classify = `ADD SENSITIVITY CLASSIFICATION TO ${name}.${quoteIdent(d, c.name)} WITH (LABEL = '${k.label}', INFORMATION_TYPE = '${k.informationType}')`;
    lines.push(`EXEC(${quoteString(d, classify)});`);
  }
  return `${lines.join("\n")}\n`;
}

/** Table DDL for one dialect. Idempotent: safe to run on every deploy. */
export function tableDdl(entity: Entity, dialect: Dialect, options: DdlOptions = {}): string {
  switch (dialect) {
    case "duckdb":
      return duckdbDdl(entity, options);
    case "spark":
      return deltaDdl(entity, options);
    case "tsql":
      return tsqlDdl(entity, options);
  }
}
