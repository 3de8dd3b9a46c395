import { z } from "zod";
import { SchemaError } from "../errors.ts";
import { parseDatetimePattern } from "../formats/datetime-pattern.ts";
import { BIGINT_RANGE, INT_RANGE, parseIsoTimestamp, plainDecimal } from "../formats/value-grammar.ts";
import { assertSafeIdentifier } from "../identifiers.ts";
import type {
  Column,
  ColumnConstraints,
  Contract,
  CustomCheck,
  DialectSql,
  Entity,
  LogicalType,
  RuleSeverity,
  Watermark,
} from "../model.ts";
import type { AnyColumnBuilder, InferColumns } from "./column-builder.ts";

/** An entity that remembers its row type: `InferRow<typeof orders>`. */
export type TypedEntity<Row> = Entity & { readonly __row?: Row };
export type InferRow<E> = E extends TypedEntity<infer R> ? R : never;

export interface EntityInput<C extends Record<string, AnyColumnBuilder>> {
  /** Lower snake case; becomes the table name in every dialect. */
  name: string;
  description?: string;
  domain?: string;
  columns: C;
  /** Key column(s): one current row per key in silver. */
  key: readonly (keyof C & string)[];
  /** The column whose greater value wins between two versions of a key. Default: none (last landed wins). */
  sequence?: keyof C & string;
  /**
   * Which rows are new: a data column with a lookback (ISO 8601 duration for dates and
   * timestamps, a number for numeric columns; default `0`), or `"batch"`: every landed batch
   * not yet processed. Default `"batch"`.
   */
  watermark?: { column: keyof C & string; lookback?: string | number } | "batch";
  partitionBy?: readonly (keyof C & string)[];
  clusterBy?: readonly (keyof C & string)[];
  /** 1: keep the current row per key; 2: keep history with valid_from / valid_to / is_current. Default `1`. */
  scd?: 1 | 2;
  /** A boolean column: true deletes the key (SCD1) or closes its history (SCD2). */
  softDelete?: keyof C & string;
  /**
   * Schema drift handling. Default
   * `{ unknownColumns: "rescue", missingColumns: "reject", shortRows: "quarantine" }`.
   */
  contract?: Partial<Contract>;
  /** Row-level SQL checks over typed columns; true passes. */
  checks?: { id: string; sql: DialectSql; message: string; severity?: RuleSeverity }[];
}

const dialectSql = z.union([
  z.string().min(1),
  z.object({ duckdb: z.string(), spark: z.string(), tsql: z.string() }),
]);

/** The shape of a definition, checked before the semantic checks below. */
const entityInputSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  domain: z.string().optional(),
  columns: z.record(
    z.string(),
    z.object({ spec: z.object({ type: z.object({ kind: z.string() }) }).loose() }),
  ),
  key: z.array(z.string()).min(1, "a key needs at least one column"),
  sequence: z.string().optional(),
  watermark: z
    .union([
      z.literal("batch"),
      z.object({ column: z.string(), lookback: z.union([z.string(), z.number()]).optional() }),
    ])
    .optional(),
  partitionBy: z.array(z.string()).optional(),
  clusterBy: z.array(z.string()).optional(),
  scd: z.union([z.literal(1), z.literal(2)]).optional(),
  softDelete: z.string().optional(),
  contract: z
    .object({
      unknownColumns: z.enum(["reject", "rescue", "ignore"]).optional(),
      missingColumns: z.enum(["reject", "null"]).optional(),
      shortRows: z.enum(["quarantine", "null"]).optional(),
    })
    .optional(),
  checks: z
    .array(
      z.object({
        id: z.string(),
        sql: dialectSql,
        message: z.string().min(1),
        severity: z.enum(["error", "warn"]).optional(),
      }),
    )
    .optional(),
});

const ISO_DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Seconds in an ISO 8601 duration such as `PT1H` or `P1DT30M`. */
export function durationSeconds(iso: string): number {
  const m = ISO_DURATION.exec(iso);
  if (!m || iso === "P" || iso.endsWith("T")) throw new Error(`not an ISO 8601 duration: ${iso}`);
  const [, d, h, mi, s] = m.map((v) => Number(v ?? 0));
  return d! * 86400 + h! * 3600 + mi! * 60 + s!;
}

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const ISO_TIME =
  /^(?:[T ]([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?$/;
const INTEGER_TEXT = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Whether `bound` can be a min/max of a column of this type. Bounds become SQL literals in every
 * dialect (quality rules, CHECK constraints, notebooks): only what each type's literal can hold.
 */
function boundFits(kind: Column["type"]["kind"], bound: number | string): boolean {
  switch (kind) {
    case "int":
    case "bigint":
      return typeof bound === "number" ? Number.isSafeInteger(bound) : INTEGER_TEXT.test(bound);
    case "decimal":
    case "double":
      return typeof bound === "number" ? Number.isFinite(bound) : NUMBER_TEXT.test(bound);
    case "date":
      return bound === "now" || (typeof bound === "string" && ISO_DATE.test(bound) && realDate(bound));
    case "timestamp":
      return (
        bound === "now" ||
        (typeof bound === "string" &&
          ISO_DATE.test(bound.slice(0, 10)) &&
          realDate(bound.slice(0, 10)) &&
          ISO_TIME.test(bound.slice(10)))
      );
    case "string":
    case "enum":
      return typeof bound === "string";
    case "boolean":
      return false;
  }
}

/**
 * Why a bound of the right form is no value of the column's type, or undefined when it is one.
 * The rules compare a column with its bound as a value of the column's type: a bound out of
 * range stops the engine's rule for the whole batch (DuckDB cannot convert 1000 to
 * DECIMAL(4,2)), and one with digits past the scale would be rounded by one engine and not
 * by another.
 */
function boundOutsideType(type: LogicalType, bound: number | string): string | undefined {
  switch (type.kind) {
    case "int":
    case "bigint": {
      const range = type.kind === "int" ? INT_RANGE : BIGINT_RANGE;
      const v = BigInt(bound);
      return v < range.min || v > range.max
        ? `it is outside the ${type.kind} range ${range.min} to ${range.max}`
        : undefined;
    }
    case "decimal": {
      const intDigits = type.precision - type.scale;
      const plain = plainDecimal(bound);
      if (plain === undefined)
        return `decimal(${type.precision},${type.scale}) has ${intDigits} digits before the point`;
      const [ip = "0", fp = ""] = plain.replace(/^-/, "").split(".");
      if (ip !== "0" && ip.length > intDigits)
        return `decimal(${type.precision},${type.scale}) has ${intDigits} digits before the point`;
      if (fp.length > type.scale)
        return `decimal(${type.precision},${type.scale}) has ${type.scale} digits after the point`;
      return undefined;
    }
    case "double": {
      const v = Number(bound);
      if (!Number.isFinite(v)) return "it is beyond the range of a double";
      if (v === 0 && /[1-9]/.test(String(bound).split(/[eE]/)[0]!)) return "a double rounds it to zero";
      return undefined;
    }
    case "timestamp":
      return bound !== "now" && parseIsoTimestamp(String(bound)) === undefined
        ? "in UTC it falls outside the years 0001 to 9999"
        : undefined;
    default:
      return undefined;
  }
}

/**
 * The bound as the entity keeps it: a decimal bound in exponent form (`1e-7`, `"1E3"`) as plain
 * decimal text, which every dialect reads as an exact decimal literal and the validator compares
 * digit by digit. Other bounds as given.
 */
function keptBound(type: LogicalType, bound: number | string): number | string {
  return type.kind === "decimal" && /[eE]/.test(String(bound)) ? plainDecimal(bound)! : bound;
}

function realDate(iso: string): boolean {
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(iso);
}

const BOUND_HINT: Record<Column["type"]["kind"], string> = {
  int: "Give a whole number, e.g. .min(1).",
  bigint:
    'Give a whole number, or its digits as a string for values beyond 2^53, e.g. .max("9007199254740993").',
  decimal: 'Give a number, or its digits as a string for an exact bound, e.g. .max("99999.99").',
  double: "Give a number, e.g. .min(0).",
  date: 'Give an ISO date, e.g. .min("2000-01-01"), or "now" for the day the rule runs.',
  timestamp: 'Give an ISO timestamp, e.g. .max("2100-01-01T00:00:00Z"), or "now" for the time the rule runs.',
  string: "Give a string: bounds of a string column compare as text.",
  enum: "Give one of the values as a string.",
  boolean: "A boolean column takes no min or max.",
};

function fail(code: SchemaError["code"], message: string, hint: string): never {
  throw new SchemaError(code, message, hint);
}

/**
 * Defines an entity and checks it: identifiers are safe SQL, referenced columns exist, types and
 * formats are possible. A bad definition throws a `SchemaError` naming the entity and column.
 */
export function defineEntity<const C extends Record<string, AnyColumnBuilder>>(
  input: EntityInput<C>,
): TypedEntity<InferColumns<C>> {
  const shape = entityInputSchema.safeParse(input);
  const where = `entity ${JSON.stringify(input?.name ?? "?")}`;
  if (!shape.success) {
    const issue = shape.error.issues[0]!;
    fail(
      "INVALID_DEFINITION",
      `${where}: ${issue.path.join(".") || "definition"}: ${issue.message}`,
      "See the EntityInput type for the accepted fields.",
    );
  }
  const name = assertSafeIdentifier(input.name, `${where}: name`);

  const columns: Column[] = [];
  const sourceNames = new Map<string, string>();
  for (const [colName, builder] of Object.entries(input.columns)) {
    const at = `${where}, column ${JSON.stringify(colName)}`;
    assertSafeIdentifier(colName, `${where}: column name`);
    const s = builder.spec;
    const type = s.type;
    if (type.kind === "decimal") {
      const { precision: p, scale: sc } = type;
      if (!Number.isInteger(p) || !Number.isInteger(sc) || p < 1 || p > 38 || sc < 0 || sc > p) {
        fail(
          "INVALID_TYPE",
          `${at}: decimal(${p}, ${sc}) is impossible`,
          "Precision is 1 to 38 and scale 0 to precision.",
        );
      }
    }
    if (type.kind === "enum") {
      if (type.values.length === 0 || new Set(type.values).size !== type.values.length) {
        fail(
          "INVALID_TYPE",
          `${at}: enum values must be non-empty and distinct`,
          "List each allowed value once.",
        );
      }
    }
    if (s.format !== undefined) {
      if (type.kind !== "date" && type.kind !== "timestamp") {
        fail(
          "INVALID_FORMAT",
          `${at}: a format applies only to date and timestamp columns`,
          "Remove .format() or change the type.",
        );
      }
      const p = parseDatetimePattern(s.format, at);
      if (type.kind === "date" && p.hasTime) {
        fail(
          "INVALID_FORMAT",
          `${at}: date format ${s.format} has a time part`,
          "Use a timestamp column, or drop the time letters.",
        );
      }
    }
    if (s.numberFormat && !["int", "bigint", "decimal", "double"].includes(type.kind)) {
      fail(
        "INVALID_FORMAT",
        `${at}: a number format applies only to numeric columns`,
        "Remove .numberFormat().",
      );
    }
    if (s.numberFormat && s.numberFormat.groupSeparator === s.numberFormat.decimalSeparator) {
      fail(
        "INVALID_FORMAT",
        `${at}: group and decimal separators are the same`,
        "Pick two different separators.",
      );
    }
    const c = s.constraints;
    if (c.pattern !== undefined) {
      try {
        new RegExp(c.pattern, "u");
      } catch (e) {
        fail(
          "INVALID_CONSTRAINT",
          `${at}: pattern ${c.pattern} is not a regular expression: ${(e as Error).message}`,
          "Fix the pattern.",
        );
      }
    }
    for (const side of ["minLength", "maxLength"] as const) {
      const n = c[side];
      // A length becomes JSON Schema's minLength/maxLength and T-SQL's NVARCHAR(n): whole and >= 0.
      if (n !== undefined && !(Number.isSafeInteger(n) && n >= 0)) {
        fail(
          "INVALID_CONSTRAINT",
          `${at}: ${side === "minLength" ? "minimum" : "maximum"} length ${JSON.stringify(n)} is not a whole number of characters`,
          "Give a length as a whole number, 0 or more, e.g. .length(1, 16) or .maxLength(200).",
        );
      }
    }
    if (c.minLength !== undefined && c.maxLength !== undefined && c.minLength > c.maxLength) {
      fail(
        "INVALID_CONSTRAINT",
        `${at}: minimum length ${c.minLength} exceeds maximum ${c.maxLength}`,
        "Swap or fix the bounds.",
      );
    }
    if (
      (c.minLength !== undefined || c.maxLength !== undefined || c.pattern !== undefined) &&
      type.kind !== "string"
    ) {
      fail(
        "INVALID_CONSTRAINT",
        `${at}: length and pattern apply only to string columns`,
        "Use min/max for other types.",
      );
    }
    const bounds: { min?: number | string; max?: number | string } = {};
    for (const side of ["min", "max"] as const) {
      const bound = c[side];
      if (bound === undefined) continue;
      if (!boundFits(type.kind, bound)) {
        fail(
          "INVALID_CONSTRAINT",
          `${at}: ${side} ${JSON.stringify(bound)} is not a bound of a ${type.kind} column`,
          BOUND_HINT[type.kind],
        );
      }
      const outside = boundOutsideType(type, bound);
      if (outside !== undefined) {
        fail(
          "INVALID_CONSTRAINT",
          `${at}: ${side} ${JSON.stringify(bound)} is not a value of the column: ${outside}`,
          "A bound must be a value the column can hold; widen the type or change the bound.",
        );
      }
      bounds[side] = keptBound(type, bound);
    }
    const constraints: ColumnConstraints = { ...c, ...bounds };
    if (c.warnIfMissing && !s.nullable) {
      fail(
        "INVALID_CONSTRAINT",
        `${at}: warnIfMissing needs a nullable column`,
        "Add .nullable(), or drop warnIfMissing (NOT NULL already rejects).",
      );
    }
    for (const check of s.checks) assertSafeIdentifier(check.id, `${at}: check id`);
    const source = s.source ?? colName;
    for (const alias of [source, ...s.aliases]) {
      if (/[\u0000-\u001f"`\]]/.test(alias) || alias.length === 0 || alias.length > 128) {
        fail(
          "UNSAFE_IDENTIFIER",
          `${at}: source name ${JSON.stringify(alias)} is not allowed`,
          "Source names are 1 to 128 printable characters without quotes, backticks or ].",
        );
      }
      const k = alias.toLowerCase();
      const prior = sourceNames.get(k);
      if (prior !== undefined) {
        fail(
          "DUPLICATE_COLUMN",
          `${at}: source name ${JSON.stringify(alias)} is also used by column ${prior}`,
          "Each source name and alias may map to one column only.",
        );
      }
      if (!s.composedFrom) sourceNames.set(k, colName);
    }
    columns.push({
      name: colName,
      type,
      nullable: s.nullable,
      ...(s.description !== undefined && { description: s.description }),
      ...(s.pii !== undefined && { pii: s.pii }),
      source,
      aliases: s.aliases,
      ...(s.format !== undefined && { format: s.format }),
      ...(s.numberFormat !== undefined && { numberFormat: s.numberFormat }),
      ...(s.composedFrom !== undefined && { composedFrom: s.composedFrom }),
      constraints,
      checks: s.checks,
    });
  }
  if (columns.length === 0)
    fail("INVALID_DEFINITION", `${where}: has no columns`, "Declare at least one column.");

  const byName = new Map(columns.map((c) => [c.name, c]));
  const need = (col: string, role: string): Column =>
    byName.get(col) ??
    fail(
      "UNKNOWN_COLUMN",
      `${where}: ${role} column ${JSON.stringify(col)} does not exist`,
      `Declare it in columns, or use one of: ${[...byName.keys()].join(", ")}.`,
    );

  if (new Set(input.key).size !== input.key.length) {
    fail("DUPLICATE_COLUMN", `${where}: key lists a column twice`, "List each key column once.");
  }
  for (const k of input.key) {
    const c = need(k, "key");
    if (c.nullable)
      fail("INVALID_DEFINITION", `${where}: key column ${k} is nullable`, "Key columns must be NOT NULL.");
  }
  const orderable = new Set(["int", "bigint", "decimal", "double", "date", "timestamp"]);
  if (input.sequence !== undefined) {
    const c = need(input.sequence, "sequence");
    if (!orderable.has(c.type.kind)) {
      fail(
        "INVALID_TYPE",
        `${where}: sequence column ${c.name} is ${c.type.kind}, which has no useful order`,
        "Use a number, date or timestamp column.",
      );
    }
    if (input.scd === 2 && c.nullable) {
      fail(
        "INVALID_DEFINITION",
        `${where}: sequence column ${c.name} is nullable, but each version of an SCD2 entity is valid from its sequence value`,
        "Declare it NOT NULL: a row without a value then goes to quarantine.",
      );
    }
  }
  for (const composed of columns.filter((c) => c.composedFrom)) {
    for (const part of composed.composedFrom!.sources) {
      if (part.length === 0 || /[\u0000-\u001f"`\]]/.test(part)) {
        fail(
          "UNSAFE_IDENTIFIER",
          `${where}, column ${composed.name}: source part ${JSON.stringify(part)} is not allowed`,
          "Name source columns.",
        );
      }
    }
  }

  let watermark: Watermark = { kind: "batch" };
  if (input.watermark !== undefined && input.watermark !== "batch") {
    const c = need(input.watermark.column, "watermark");
    if (!orderable.has(c.type.kind)) {
      fail(
        "INVALID_TYPE",
        `${where}: watermark column ${c.name} is ${c.type.kind}`,
        "A watermark is a number, date or timestamp column.",
      );
    }
    const temporal = c.type.kind === "date" || c.type.kind === "timestamp";
    const lb = input.watermark.lookback ?? (temporal ? "PT0S" : 0);
    if (temporal) {
      if (typeof lb !== "string" || !ISO_DURATION.test(lb) || lb === "P" || lb.endsWith("T")) {
        fail(
          "INVALID_DEFINITION",
          `${where}: watermark lookback ${JSON.stringify(lb)} is not an ISO 8601 duration`,
          'Write it like "PT1H" or "P1D".',
        );
      }
    } else if (typeof lb !== "number" || lb < 0) {
      fail(
        "INVALID_DEFINITION",
        `${where}: watermark lookback for numeric column ${c.name} must be a number >= 0`,
        "Use e.g. 0 or 100.",
      );
    }
    watermark = { kind: "column", column: c.name, lookback: String(lb) };
  }
  for (const p of input.partitionBy ?? []) need(p, "partition");
  for (const p of input.clusterBy ?? []) need(p, "clustering");
  if (input.softDelete !== undefined) {
    const c = need(input.softDelete, "soft-delete");
    if (c.type.kind !== "boolean")
      fail("INVALID_TYPE", `${where}: soft-delete column ${c.name} must be boolean`, "Use t.boolean().");
  }
  const checks: CustomCheck[] = (input.checks ?? []).map((ch) => ({
    id: assertSafeIdentifier(ch.id, `${where}: check id`),
    sql: ch.sql,
    message: ch.message,
    severity: ch.severity ?? "error",
  }));
  const entity: Entity = {
    name,
    ...(input.description !== undefined && { description: input.description }),
    ...(input.domain !== undefined && { domain: input.domain }),
    columns,
    key: [...input.key],
    ...(input.sequence !== undefined && { sequence: input.sequence }),
    watermark,
    partitionBy: [...(input.partitionBy ?? [])],
    clusterBy: [...(input.clusterBy ?? [])],
    scd: input.scd ?? 1,
    ...(input.softDelete !== undefined && { softDelete: input.softDelete }),
    contract: {
      unknownColumns: "rescue",
      missingColumns: "reject",
      shortRows: "quarantine",
      ...input.contract,
    },
    checks,
  };
  return deepFreeze(entity) as TypedEntity<InferColumns<C>>;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Looks up a column by name, or throws. */
export function columnOf(entity: Entity, name: string): Column {
  const c = entity.columns.find((col) => col.name === name);
  if (!c)
    throw new SchemaError(
      "UNKNOWN_COLUMN",
      `entity ${entity.name}: no column ${name}`,
      "Check the column name.",
    );
  return c;
}
