import type { Column } from "../model.ts";

/**
 * How a SQL Server or Azure SQL table stores a timestamp column: `datetime2` holding UTC (the
 * convention), or `datetimeoffset`.
 */
export type SqlServerTimestampType = "datetime2" | "datetimeoffset";

/**
 * T-SQL reading a column as the text both engines parse, the same whatever carries it (a
 * driver, Data Factory's Copy, whose JSON sink would otherwise write its own types as it does):
 * a decimal as its digits (no float), a date as `yyyy-MM-dd` (style 23), a timestamp as its UTC
 * time in ISO 8601 to the microsecond, marked `Z` (style 126; the schema's timestamps hold
 * microseconds); undefined for a column read as stored. `ref` is the column, quoted. A timestamp of an unknown type
 * (`timestampType` undefined) is read through `datetimeoffset`, right for both: a `datetime2` or
 * `datetime` converts to it as UTC.
 */
export function sqlServerColumnText(
  column: Column,
  ref: string,
  timestampType?: SqlServerTimestampType,
): string | undefined {
  switch (column.type.kind) {
    case "decimal":
      return `CONVERT(nvarchar(64), ${ref})`;
    case "date":
      return `CONVERT(nvarchar(10), ${ref}, 23)`;
    case "timestamp": {
      const utc =
        timestampType === "datetime2"
          ? ref
          : `CAST(SWITCHOFFSET(${timestampType === "datetimeoffset" ? ref : `CAST(${ref} AS datetimeoffset(7))`}, '+00:00') AS datetime2(7))`;
      return `CONVERT(nvarchar(33), CAST(${utc} AS datetime2(6)), 126) + N'Z'`;
    }
    default:
      return undefined;
  }
}
