import type { LogicalType } from "../model.ts";

export type Dialect = "duckdb" | "spark" | "tsql";
export const DIALECTS: readonly Dialect[] = ["duckdb", "spark", "tsql"];

type TypeMap = { readonly [K in LogicalType["kind"]]: (t: Extract<LogicalType, { kind: K }>) => string };

/** Logical → physical type, one table per dialect. */
export const TYPE_MAPS: Readonly<Record<Dialect, TypeMap>> = {
  duckdb: {
    string: () => "VARCHAR",
    int: () => "INTEGER",
    bigint: () => "BIGINT",
    decimal: (t) => `DECIMAL(${t.precision}, ${t.scale})`,
    double: () => "DOUBLE",
    boolean: () => "BOOLEAN",
    date: () => "DATE",
    timestamp: () => "TIMESTAMPTZ",
    enum: () => "VARCHAR",
  },
  spark: {
    string: () => "STRING",
    int: () => "INT",
    bigint: () => "BIGINT",
    decimal: (t) => `DECIMAL(${t.precision}, ${t.scale})`,
    double: () => "DOUBLE",
    boolean: () => "BOOLEAN",
    date: () => "DATE",
    timestamp: () => "TIMESTAMP",
    enum: () => "STRING",
  },
  tsql: {
    string: () => "NVARCHAR(4000)",
    int: () => "INT",
    bigint: () => "BIGINT",
    decimal: (t) => `DECIMAL(${t.precision}, ${t.scale})`,
    double: () => "FLOAT",
    boolean: () => "BIT",
    date: () => "DATE",
    timestamp: () => "DATETIME2(6)",
    enum: () => "NVARCHAR(4000)",
  },
};

export function physicalType(dialect: Dialect, type: LogicalType, maxLength?: number): string {
  if (dialect === "tsql" && (type.kind === "string" || type.kind === "enum")) {
    const longest = type.kind === "enum" ? Math.max(...type.values.map((v) => [...v].length)) : maxLength;
    return longest !== undefined && longest <= 4000 ? `NVARCHAR(${Math.max(1, longest)})` : "NVARCHAR(MAX)";
  }
  const map = TYPE_MAPS[dialect][type.kind] as (t: LogicalType) => string;
  return map(type);
}

/** Quotes an identifier that has already been validated as safe. */
export function quoteIdent(dialect: Dialect, name: string): string {
  switch (dialect) {
    case "duckdb":
      return `"${name.replace(/"/g, '""')}"`;
    case "spark":
      return `\`${name.replace(/`/g, "``")}\``;
    case "tsql":
      return `[${name.replace(/]/g, "]]")}]`;
  }
}

/** A SQL string literal. */
export function quoteString(dialect: Dialect, value: string): string {
  const body =
    dialect === "spark" ? value.replace(/\\/g, "\\\\").replace(/'/g, "\\'") : value.replace(/'/g, "''");
  return dialect === "tsql" ? `N'${body}'` : `'${body}'`;
}
