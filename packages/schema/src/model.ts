/**
 * The schema as plain data. Everything the generators and engines need is here; the DSL in
 * `dsl/` only builds these objects and checks them.
 */

export type LogicalType =
  | { readonly kind: "string" }
  | { readonly kind: "int" }
  | { readonly kind: "bigint" }
  | { readonly kind: "decimal"; readonly precision: number; readonly scale: number }
  | { readonly kind: "double" }
  | { readonly kind: "boolean" }
  | { readonly kind: "date" }
  /** An instant, stored in UTC. Values without an offset are read as UTC. */
  | { readonly kind: "timestamp" }
  | { readonly kind: "enum"; readonly values: readonly string[] };

export type LogicalKind = LogicalType["kind"];

/** How a number is written in the source. Default: `.` decimal separator, no grouping. */
export interface NumberFormat {
  readonly decimalSeparator: "." | ",";
  readonly groupSeparator: "" | "," | "." | " " | "'";
}

export type PiiTag = "name" | "email" | "phone" | "address" | "identifier" | "financial" | "other";

/** A SQL boolean expression, written once per dialect or once for all of them. */
export type DialectSql = string | { readonly duckdb: string; readonly spark: string; readonly tsql: string };

export interface CustomCheck {
  /** Rule id suffix, lower snake case, e.g. `revenue_per_unit`. */
  readonly id: string;
  /** True when the row passes. Columns are referenced by name, typed. */
  readonly sql: DialectSql;
  readonly message: string;
  /** `error` sends the row to quarantine; `warn` keeps it and counts it. Default `error`. */
  readonly severity: RuleSeverity;
}

export type RuleSeverity = "error" | "warn";

export interface ColumnConstraints {
  readonly min?: number | string;
  readonly max?: number | string;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** A regular expression the whole value must match (the common subset of JS, RE2 and Java). */
  readonly pattern?: string;
  /** A value is required but its absence only warns (row kept, counted). Only for nullable columns. */
  readonly warnIfMissing?: boolean;
}

/** A column built from several source columns joined with a separator, then parsed as usual. */
export interface ComposedFrom {
  readonly sources: readonly string[];
  readonly separator: string;
}

export interface Column {
  readonly name: string;
  readonly type: LogicalType;
  readonly nullable: boolean;
  readonly description?: string;
  readonly pii?: PiiTag;
  /** The column's name in sources; defaults to `name`. Matched case-insensitively. */
  readonly source: string;
  /** Other header names accepted for this column. */
  readonly aliases: readonly string[];
  /** Parse pattern for date and timestamp columns (`d/M/yyyy`, `M/d/yyyy H:mm`). Default ISO 8601. */
  readonly format?: string;
  readonly numberFormat?: NumberFormat;
  readonly composedFrom?: ComposedFrom;
  readonly constraints: ColumnConstraints;
  readonly checks: readonly CustomCheck[];
}

export type Watermark =
  /** A data column (e.g. `updated_at`), read as (low − lookback, high]. */
  | { readonly kind: "column"; readonly column: string; readonly lookback: string }
  /** The landing batch sequence: every landed batch not yet processed (file drops). */
  | { readonly kind: "batch" };

export type UnknownColumnPolicy = "reject" | "rescue" | "ignore";

export interface Contract {
  /**
   * What to do with source columns the schema does not know. Default `rescue`: a row's values
   * for them are kept in bronze's `_rescued_data`, a JSON object of those it has a value for
   * (NULL when it has none), alike on both engines.
   */
  readonly unknownColumns: UnknownColumnPolicy;
  /**
   * `reject`: a source missing any declared column rejects the batch. `null`: missing nullable
   * columns read as NULL; a missing NOT NULL column still rejects. Default `reject`.
   */
  readonly missingColumns: "reject" | "null";
  /**
   * A CSV row with fewer fields than its file's header. `quarantine`: the row breaks
   * `row.fields_missing` (its values may sit in the wrong columns: a row cut short, a line break
   * in a value that is not quoted). `null`: the fields it lacks read as NULL, for sources that
   * leave out trailing empty fields; the entity's rules still apply. Default `quarantine`. A row
   * with more fields (a trailing delimiter too) always breaks `row.fields_extra`.
   */
  readonly shortRows: "quarantine" | "null";
}

export interface Entity {
  readonly name: string;
  readonly description?: string;
  /** Owning team or domain, free text. */
  readonly domain?: string;
  readonly columns: readonly Column[];
  readonly key: readonly string[];
  /** Which version of a key wins: the row with the greater value. */
  readonly sequence?: string;
  readonly watermark: Watermark;
  readonly partitionBy: readonly string[];
  readonly clusterBy: readonly string[];
  readonly scd: 1 | 2;
  /** A boolean column: true marks the key as deleted. */
  readonly softDelete?: string;
  readonly contract: Contract;
  readonly checks: readonly CustomCheck[];
}

/** A dimension of a star schema, built from an entity's current rows. */
export type Dimension =
  | {
      readonly kind: "attribute";
      readonly name: string;
      /** Natural key columns of the source entity. */
      readonly key: readonly string[];
      readonly attributes: readonly string[];
      readonly description?: string;
    }
  | {
      /** A calendar dimension over a date column: one row per distinct date, key `yyyymmdd`. */
      readonly kind: "calendar";
      readonly name: string;
      readonly column: string;
      readonly description?: string;
    };

export type Aggregation = "sum" | "count" | "min" | "max";

export interface Measure {
  readonly name: string;
  readonly column: string;
  readonly agg: Aggregation;
}

export interface Star {
  readonly name: string;
  readonly entity: Entity;
  readonly dimensions: readonly Dimension[];
  readonly fact: {
    readonly name: string;
    readonly measures: readonly string[];
    /** Source columns kept on the fact as they are (degenerate dimensions). */
    readonly degenerate: readonly string[];
  };
  readonly dailyAggregate?: {
    readonly name: string;
    /** The date column the day comes from. */
    readonly dateColumn: string;
    /** Dimension names to group by, besides the day. */
    readonly by: readonly string[];
    readonly measures: readonly Measure[];
  };
}
