import {
  type Column,
  type Entity,
  type SqlServerTimestampType,
  sqlServerColumnText,
} from "@saleslake/schema";
import { WindowQueryCompiler } from "./window-query-compiler.ts";

export type { SqlServerTimestampType };

/**
 * SQL Server / Azure SQL: `@pN` parameters, `[bracket]` quoting, `TOP (@p)`, and no row-value
 * comparison, so the keyset is spelled out. Marks travel as UTC text in ISO 8601 style 126
 * (`2026-01-05T10:00:00.1234567`), exact to datetime2's 100 ns. Decimals, dates and timestamps
 * are read as text, so no value goes through a JavaScript float or a millisecond Date.
 */
export class SqlServerWindowQuery extends WindowQueryCompiler {
  readonly timestampType: SqlServerTimestampType;

  constructor(entity: Entity, table: string, timestampType: SqlServerTimestampType = "datetime2") {
    super(entity, table);
    this.timestampType = timestampType;
  }

  protected quote(name: string): string {
    return `[${name.replace(/]/g, "]]")}]`;
  }
  protected param(n: number): string {
    return `@p${n}`;
  }
  protected markValue(ref: string): string {
    const type = this.watermark.type;
    if (type.kind === "double") return `CONVERT(float, ${ref})`;
    if (type.kind === "decimal") return `CONVERT(decimal(38, ${type.scale}), ${ref})`;
    if (this.numericMark) return `CONVERT(bigint, ${ref})`;
    const utc = `CONVERT(datetime2(7), ${ref}, 126)`;
    return this.timestampType === "datetime2" ? utc : `TODATETIMEOFFSET(${utc}, '+00:00')`;
  }
  /**
   * A timestamp as UTC datetime2(7) text, style 126 (no zone; fraction omitted when zero); a
   * number as its digits (a float with 17 significant digits, style 3, which reads back exactly).
   */
  protected markText(expr: string): string {
    if (this.watermark.type.kind === "double") return `CONVERT(nvarchar(32), ${expr}, 3)`;
    if (this.numericMark) return `CONVERT(nvarchar(48), ${expr})`;
    // Through datetime2(7) even for a datetime2 column: a legacy `datetime` column (1/300 s) is
    // compared with the marks as datetime2, and its own text (.003 for .0033333) would compare
    // below its value, so a keyset page would start at its own last row again.
    const utc =
      this.timestampType === "datetime2"
        ? `CAST(${expr} AS datetime2(7))`
        : `CAST(SWITCHOFFSET(${expr}, '+00:00') AS datetime2(7))`;
    return `CONVERT(nvarchar(33), ${utc}, 126)`;
  }
  protected selectColumn(column: Column): string {
    const c = this.q(column);
    return `${sqlServerColumnText(column, c, this.timestampType) ?? c} AS ${c}`;
  }
  protected limitRows(select: { columns: string; rest: string }, ref: string): string {
    return `SELECT TOP (${ref}) ${select.columns} ${select.rest}`;
  }
  /** `(a, b, c) > (x, y, z)` as `a > x OR (a = x AND b > y) OR (a = x AND b = y AND c > z)`. */
  protected override keysetAfter(order: readonly string[], marks: readonly string[]): string {
    const terms = order.map((col, i) => {
      const equal = order.slice(0, i).map((prior, j) => `${prior} = ${marks[j]}`);
      return [...equal, `${col} > ${marks[i]}`].join(" AND ");
    });
    return `(${terms.map((t, i) => (i === 0 ? t : `(${t})`)).join(" OR ")})`;
  }
}
