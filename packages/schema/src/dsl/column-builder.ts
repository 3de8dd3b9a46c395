import type {
  ColumnConstraints,
  ComposedFrom,
  CustomCheck,
  DialectSql,
  LogicalType,
  NumberFormat,
  PiiTag,
  RuleSeverity,
} from "../model.ts";

/** What a column builder holds before `defineEntity` gives it a name. */
export interface ColumnSpec {
  readonly type: LogicalType;
  readonly nullable: boolean;
  readonly description?: string;
  readonly pii?: PiiTag;
  readonly source?: string;
  readonly aliases: readonly string[];
  readonly format?: string;
  readonly numberFormat?: NumberFormat;
  readonly composedFrom?: ComposedFrom;
  readonly constraints: ColumnConstraints;
  readonly checks: readonly CustomCheck[];
}

/**
 * An immutable column builder. `T` is the TypeScript type of a valid value, `N` whether the
 * column is nullable; both feed `InferRow`.
 */
export class ColumnBuilder<T, N extends boolean = false> {
  declare readonly __type: T;
  declare readonly __nullable: N;
  readonly spec: ColumnSpec;

  constructor(spec: ColumnSpec) {
    this.spec = spec;
  }

  protected with<T2 = T, N2 extends boolean = N>(patch: Partial<ColumnSpec>): ColumnBuilder<T2, N2> {
    return new ColumnBuilder<T2, N2>({ ...this.spec, ...patch });
  }

  /** Allows NULL. Columns are NOT NULL unless this is called. */
  nullable(): ColumnBuilder<T, true> {
    return this.with<T, true>({ nullable: true });
  }

  describe(description: string): ColumnBuilder<T, N> {
    return this.with({ description });
  }

  pii(tag: PiiTag): ColumnBuilder<T, N> {
    return this.with({ pii: tag });
  }

  /** The column's name in the source (CSV header, source table column, API field). */
  source(name: string, ...aliases: string[]): ColumnBuilder<T, N> {
    return this.with({ source: name, aliases: [...this.spec.aliases, ...aliases] });
  }

  /** Parse pattern for dates and timestamps, e.g. `d/M/yyyy` or `M/d/yyyy H:mm`. */
  format(pattern: string): ColumnBuilder<T, N> {
    return this.with({ format: pattern });
  }

  /** How numbers are written in the source, e.g. `{ decimalSeparator: ",", groupSeparator: "." }`. */
  numberFormat(format: Partial<NumberFormat>): ColumnBuilder<T, N> {
    return this.with({ numberFormat: { decimalSeparator: ".", groupSeparator: "", ...format } });
  }

  /** Builds the raw value by joining source columns, e.g. Day, Month, Year with `/`. */
  composedFrom(sources: string[], separator: string): ColumnBuilder<T, N> {
    return this.with({ composedFrom: { sources, separator } });
  }

  min(value: number | string): ColumnBuilder<T, N> {
    return this.with({ constraints: { ...this.spec.constraints, min: value } });
  }

  max(value: number | string): ColumnBuilder<T, N> {
    return this.with({ constraints: { ...this.spec.constraints, max: value } });
  }

  /** Length bounds in Unicode code points, inclusive. */
  length(min: number, max?: number): ColumnBuilder<T, N> {
    const c: ColumnConstraints = { ...this.spec.constraints, minLength: min };
    return this.with({ constraints: max === undefined ? c : { ...c, maxLength: max } });
  }

  maxLength(max: number): ColumnBuilder<T, N> {
    return this.with({ constraints: { ...this.spec.constraints, maxLength: max } });
  }

  /** The whole value must match this regular expression. */
  pattern(regex: string): ColumnBuilder<T, N> {
    return this.with({ constraints: { ...this.spec.constraints, pattern: regex } });
  }

  /** For nullable columns: a missing value is reported as a warning (row kept). */
  warnIfMissing(): ColumnBuilder<T, N> {
    return this.with({ constraints: { ...this.spec.constraints, warnIfMissing: true } });
  }

  /** A custom SQL check on this column; true means the row passes. */
  check(id: string, sql: DialectSql, message: string, severity: RuleSeverity = "error"): ColumnBuilder<T, N> {
    return this.with({ checks: [...this.spec.checks, { id, sql, message, severity }] });
  }
}

function col<T>(type: LogicalType): ColumnBuilder<T, false> {
  return new ColumnBuilder<T, false>({ type, nullable: false, aliases: [], constraints: {}, checks: [] });
}

/**
 * Column types. Valid values are typed as: string, number (int, double), bigint, string
 * (decimal, exact), boolean, string `YYYY-MM-DD` (date), string ISO 8601 in UTC (timestamp).
 */
export const t = {
  string: () => col<string>({ kind: "string" }),
  int: () => col<number>({ kind: "int" }),
  bigint: () => col<bigint>({ kind: "bigint" }),
  decimal: (precision: number, scale: number) => col<string>({ kind: "decimal", precision, scale }),
  double: () => col<number>({ kind: "double" }),
  boolean: () => col<boolean>({ kind: "boolean" }),
  date: () => col<string>({ kind: "date" }),
  timestamp: () => col<string>({ kind: "timestamp" }),
  enum: <const V extends readonly [string, ...string[]]>(values: V) =>
    col<V[number]>({ kind: "enum", values: [...values] }),
} as const;

export type AnyColumnBuilder = ColumnBuilder<unknown, boolean>;

/** The row type of a set of column builders. */
export type InferColumns<C extends Record<string, AnyColumnBuilder>> = {
  -readonly [K in keyof C]: C[K] extends ColumnBuilder<infer T, infer N>
    ? N extends true
      ? T | null
      : T
    : never;
};
