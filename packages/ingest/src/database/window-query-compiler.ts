import { assertSafeIdentifier, type Column, columnOf, composedParts, type Entity } from "@saleslake/schema";
import { IngestError } from "../errors.ts";

/** A query with its bound values: placeholder n (1-based) is `values[n - 1]`. Values are never in the text. */
export interface WindowQuery {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** One page of a window: rows with watermark in (low, high], after the keyset position `after`. */
export interface WindowPage {
  readonly low: string | null;
  readonly high: string;
  /** The previous page's last row: its watermark as the dialect's exact text, then its key values. */
  readonly after?: readonly unknown[];
  readonly pageSize: number;
}

const NUMERIC_KINDS = new Set(["int", "bigint", "decimal", "double"]);

/** The column alias carrying the watermark as exact text, for the next page's keyset position. */
export const MARK_ALIAS = "__wm";

function sourceName(source: string, column: string): string {
  // Database columns are addressed by the entity's source name, validated like an identifier.
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(source)) {
    throw new IngestError(
      "UNSAFE_PATH",
      `column ${column}: source name ${JSON.stringify(source)} is not a plain database identifier`,
      "Database sources need plain column names.",
    );
  }
  return source;
}

/**
 * The incremental read of a database table, dialect-neutral: the high mark query, and keyset
 * pages of `wm > low AND wm <= high` ordered by (watermark, key). Identifiers are validated and
 * quoted; every value is a bound parameter. Dialects override the hooks (quoting, parameters,
 * casts, row limits, keyset comparison), as the pipeline's SQL compilers do.
 */
export abstract class WindowQueryCompiler {
  readonly entity: Entity;
  /** The watermark column. */
  readonly watermark: Column;
  /** The entity's stored columns (composed columns are built downstream), read by source name. */
  readonly columns: readonly Column[];
  /** The parts of composed columns no stored column reads, by source name, read as stored. */
  readonly parts: readonly string[];
  /** The key columns, in key order. */
  readonly keys: readonly Column[];
  /** A number watermark (a sequence, a version): no clock bounds its window. */
  readonly numericMark: boolean;
  protected readonly table: string;

  constructor(entity: Entity, table: string) {
    if (entity.watermark.kind !== "column") {
      throw new IngestError(
        "BAD_OPTIONS",
        `entity ${entity.name} has no watermark column`,
        "Database sources read by a watermark column; declare one on the entity.",
      );
    }
    const parts = table.split(".");
    if (parts.length > 2)
      throw new IngestError("UNSAFE_PATH", `table ${table} has too many parts`, "Use table or schema.table.");
    for (const p of parts) assertSafeIdentifier(p.toLowerCase(), "source table");
    this.entity = entity;
    this.table = parts.map((p) => this.quote(p)).join(".");
    this.watermark = columnOf(entity, entity.watermark.column);
    this.columns = entity.columns.filter((c) => !c.composedFrom);
    this.parts = composedParts(entity);
    this.keys = entity.key.map((k) => columnOf(entity, k));
    this.numericMark = NUMERIC_KINDS.has(this.watermark.type.kind);
    for (const c of [...this.columns, this.watermark, ...this.keys]) sourceName(c.source, c.name);
    for (const c of entity.columns)
      for (const part of c.composedFrom?.sources ?? []) sourceName(part, c.name);
  }

  /** Quotes a validated identifier. */
  protected abstract quote(name: string): string;
  /** The placeholder of bound value `n` (1-based). */
  protected abstract param(n: number): string;
  /** A bound watermark value (as text) in the column's type (a timestamp, a date or a number). */
  protected abstract markValue(ref: string): string;
  /** The watermark expression `expr` as exact text, which `markValue` reads back unchanged. */
  protected abstract markText(expr: string): string;
  /** A stored column in the select list, aliased to its source name. */
  protected abstract selectColumn(column: Column): string;
  /** `select` limited to the first `ref` rows of its order. */
  protected abstract limitRows(select: { columns: string; rest: string }, ref: string): string;

  /** `order > marks` over the (watermark, key) tuple. Default: a row-value comparison. */
  protected keysetAfter(order: readonly string[], marks: readonly string[]): string {
    return `(${order.join(", ")}) > (${marks.join(", ")})`;
  }

  protected q(c: Column): string {
    return this.quote(c.source);
  }

  /**
   * When the read starts (`now`, a mark): the watermark's greatest value not after it, as text in
   * column `high`; how many rows lie after it (`ahead`: a clock ahead, a typo, a placeholder such
   * as 9999-12-31), how many have no watermark (`unmarked`), and how many lack a key column
   * (`keyless`: keyset pages cannot place them). None of these is in any window: a window ends at
   * the clock, so that one future value cannot carry the watermark past every later change. Each
   * part is its own subquery, so an index on the column serves the first three. A number
   * watermark has no clock: its high is the column's greatest value, and no row is ahead.
   */
  highQuery(now: string): WindowQuery {
    const wm = this.q(this.watermark);
    const noKey = this.keys.map((k) => `${this.q(k)} IS NULL`).join(" OR ");
    if (this.numericMark)
      return {
        text:
          `SELECT (SELECT ${this.markText(`max(${wm})`)} FROM ${this.table}) AS high, 0 AS ahead, ` +
          `(SELECT count(*) FROM ${this.table} WHERE ${wm} IS NULL) AS unmarked, ` +
          `(SELECT count(*) FROM ${this.table} WHERE ${noKey}) AS keyless`,
        values: [],
      };
    return {
      text:
        `SELECT (SELECT ${this.markText(`max(${wm})`)} FROM ${this.table} WHERE ${wm} <= ${this.markValue(this.param(1))}) AS high, ` +
        `(SELECT count(*) FROM ${this.table} WHERE ${wm} > ${this.markValue(this.param(2))}) AS ahead, ` +
        `(SELECT count(*) FROM ${this.table} WHERE ${wm} IS NULL) AS unmarked, ` +
        `(SELECT count(*) FROM ${this.table} WHERE ${noKey}) AS keyless`,
      values: [now, now],
    };
  }

  pageQuery(page: WindowPage): WindowQuery {
    const values: unknown[] = [];
    const bind = (v: unknown) => {
      values.push(v);
      return this.param(values.length);
    };
    const wm = this.q(this.watermark);
    // A row with a key column NULL compares as unknown in the keyset: it would end a page and
    // hide the rows after it. It is left out, and counted (`keyless`, see highQuery).
    let where = `${wm} <= ${this.markValue(bind(page.high))}`;
    for (const k of this.keys) where += ` AND ${this.q(k)} IS NOT NULL`;
    if (page.low !== null) where += ` AND ${wm} > ${this.markValue(bind(page.low))}`;
    const order = [wm, ...this.keys.map((k) => this.q(k))];
    if (page.after) {
      const [mark, ...keys] = page.after;
      const marks = [this.markValue(bind(mark)), ...keys.map((k) => bind(k))];
      where += ` AND ${this.keysetAfter(order, marks)}`;
    }
    const columns = `${[...this.columns.map((c) => this.selectColumn(c)), ...this.parts.map((p) => this.quote(p))].join(", ")}, ${this.markText(wm)} AS ${this.quote(MARK_ALIAS)}`;
    const rest = `FROM ${this.table} WHERE ${where} ORDER BY ${order.join(", ")}`;
    return { text: this.limitRows({ columns, rest }, bind(Math.max(1, Math.floor(page.pageSize)))), values };
  }
}
