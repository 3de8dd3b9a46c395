import { rawName } from "../dialect/parse-sql.ts";
import { type Dialect, quoteIdent, quoteString } from "../dialect/type-map.ts";
import { parseIsoTimestamp, typeLabel } from "../formats/value-grammar.ts";
import type { Column, DialectSql, Entity, RuleSeverity } from "../model.ts";

export type RuleKind =
  | "not_null"
  | "missing"
  | "parse"
  | "min"
  | "max"
  | "min_length"
  | "max_length"
  | "pattern"
  | "enum"
  | "check";

/**
 * One data-quality rule. `sql[dialect]` is a boolean expression that is true when the row
 * passes. It reads typed columns by name and normalised raw text as `_raw_<name>`. Parse rules
 * have no T-SQL form: T-SQL tables are typed at the source.
 */
export interface QualityRule {
  readonly id: string;
  readonly column?: string;
  readonly kind: RuleKind;
  readonly severity: RuleSeverity;
  readonly message: string;
  readonly sql: { readonly duckdb: string; readonly spark: string; readonly tsql?: string };
}

/** `now` as a bound means the current date or time when the rule runs. */
export const NOW_BOUND = "now";

function literal(dialect: Dialect, column: Column, value: number | string): string {
  const t = column.type.kind;
  if (value === NOW_BOUND) {
    if (t === "date") return dialect === "tsql" ? "CAST(SYSUTCDATETIME() AS DATE)" : "current_date";
    return dialect === "tsql" ? "SYSUTCDATETIME()" : "current_timestamp";
  }
  if (t === "date") {
    // defineEntity takes only ISO bounds; quoted all the same, for an Entity built by hand.
    const text = quoteString(dialect === "tsql" ? "duckdb" : dialect, String(value));
    return dialect === "tsql" ? `CAST(${text} AS DATE)` : `DATE ${text}`;
  }
  if (t === "timestamp") return timestampLiteral(dialect, String(value));
  if (typeof value === "number") return String(value);
  return quoteString(dialect, value);
}

/**
 * A timestamp bound as a literal of the instant it names, in every session time zone. A bound
 * without an offset is UTC, as values are. DuckDB's column is a TIMESTAMPTZ and Spark reads a
 * timestamp literal in the session's zone: both get the UTC time with `+00:00`. Azure SQL's
 * `datetime2` holds UTC and drops an offset it is given: it gets the UTC time alone.
 */
function timestampLiteral(dialect: Dialect, bound: string): string {
  // An Entity built by hand may hold text that is no timestamp: quoted as it is.
  const utc = parseIsoTimestamp(bound);
  const time = utc === undefined ? bound : `${utc.slice(0, 10)} ${utc.slice(11, 26).replace(/\.0+$/, "")}`;
  if (dialect === "tsql") return `CAST(${quoteString("duckdb", time)} AS DATETIME2(6))`;
  const text = quoteString(dialect, utc === undefined ? time : `${time}+00:00`);
  return dialect === "duckdb" ? `TIMESTAMPTZ ${text}` : `TIMESTAMP ${text}`;
}

function lengthFn(dialect: Dialect, expr: string): string {
  return dialect === "duckdb"
    ? `length(${expr})`
    : dialect === "spark"
      ? `char_length(${expr})`
      : `LEN(${expr})`;
}

function regexMatch(dialect: Dialect, expr: string, pattern: string): string {
  if (dialect === "duckdb") return `regexp_full_match(${expr}, ${quoteString(dialect, pattern)})`;
  if (dialect === "spark") return `${expr} RLIKE ${quoteString(dialect, `^(${pattern})$`)}`;
  return `REGEXP_LIKE(${expr}, ${quoteString(dialect, `^(${pattern})$`)})`;
}

function perDialect(
  build: (dialect: Dialect) => string,
  withTsql = true,
): { duckdb: string; spark: string; tsql?: string } {
  const out = { duckdb: build("duckdb"), spark: build("spark") };
  return withTsql ? { ...out, tsql: build("tsql") } : out;
}

function customSql(sql: DialectSql, dialect: Dialect): string {
  return typeof sql === "string" ? sql : sql[dialect];
}

/** A custom check passes unless it is false: NULL passes, as in a SQL CHECK constraint. */
function checkPasses(dialect: Dialect, sql: string): string {
  return dialect === "tsql" ? `(CASE WHEN NOT (${sql}) THEN 0 ELSE 1 END = 1)` : `coalesce((${sql}), true)`;
}

function columnRules(column: Column): QualityRule[] {
  const rules: QualityRule[] = [];
  const name = column.name;
  const q = (d: Dialect) => quoteIdent(d, name);
  const raw = (d: Dialect) => quoteIdent(d, rawName(name));
  const add = (
    kind: RuleKind,
    message: string,
    pass: (d: Dialect) => string,
    severity: RuleSeverity = "error",
  ) =>
    rules.push({
      id: `${name}.${kind}`,
      column: name,
      kind,
      severity,
      message: `${name}: ${message}`,
      sql: perDialect((d) => `(${q(d)} IS NULL OR ${pass(d)})`),
    });

  if (!column.nullable) {
    rules.push({
      id: `${name}.not_null`,
      column: name,
      kind: "not_null",
      severity: "error",
      message: `${name}: a value is required`,
      sql: perDialect((d) => (d === "tsql" ? `${q(d)} IS NOT NULL` : `${raw(d)} IS NOT NULL`)),
    });
  } else if (column.constraints.warnIfMissing) {
    rules.push({
      id: `${name}.missing`,
      column: name,
      kind: "missing",
      severity: "warn",
      message: `${name}: value is missing`,
      sql: perDialect((d) => (d === "tsql" ? `${q(d)} IS NOT NULL` : `${raw(d)} IS NOT NULL`)),
    });
  }
  if (column.type.kind !== "string" && column.type.kind !== "enum") {
    rules.push({
      id: `${name}.parse`,
      column: name,
      kind: "parse",
      severity: "error",
      message: `${name}: not a valid ${typeLabel(column)}`,
      // The typed column is the parse result: NULL from present text means it did not parse.
      sql: perDialect((d) => `(${raw(d)} IS NULL OR ${q(d)} IS NOT NULL)`, false),
    });
  }
  const c = column.constraints;
  if (c.min !== undefined)
    add("min", `below the minimum ${c.min}`, (d) => `${q(d)} >= ${literal(d, column, c.min!)}`);
  if (c.max !== undefined) {
    const what = c.max === NOW_BOUND ? "in the future" : `above the maximum ${c.max}`;
    add("max", what, (d) => `${q(d)} <= ${literal(d, column, c.max!)}`);
  }
  if (c.minLength !== undefined)
    add(
      "min_length",
      `shorter than ${c.minLength} characters`,
      (d) => `${lengthFn(d, q(d))} >= ${c.minLength}`,
    );
  if (c.maxLength !== undefined)
    add(
      "max_length",
      `longer than ${c.maxLength} characters`,
      (d) => `${lengthFn(d, q(d))} <= ${c.maxLength}`,
    );
  if (c.pattern !== undefined)
    add("pattern", `does not match the pattern ${c.pattern}`, (d) => regexMatch(d, q(d), c.pattern!));
  if (column.type.kind === "enum") {
    const values = column.type.values;
    add(
      "enum",
      `not one of ${values.join(", ")}`,
      (d) => `${q(d)} IN (${values.map((v) => quoteString(d, v)).join(", ")})`,
    );
  }
  for (const check of column.checks) {
    rules.push({
      id: `${name}.${check.id}`,
      column: name,
      kind: "check",
      severity: check.severity,
      message: `${name}: ${check.message}`,
      sql: perDialect((d) => checkPasses(d, customSql(check.sql, d))),
    });
  }
  return rules;
}

/** Every rule of an entity, in column order, then the entity-level checks. Deterministic. */
export function qualityRules(entity: Entity): QualityRule[] {
  const rules = entity.columns.flatMap(columnRules);
  for (const check of entity.checks) {
    rules.push({
      id: `row.${check.id}`,
      kind: "check",
      severity: check.severity,
      message: check.message,
      sql: perDialect((d) => checkPasses(d, customSql(check.sql, d))),
    });
  }
  return rules;
}
