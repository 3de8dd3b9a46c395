import type { Column } from "@saleslake/schema";
import { WindowQueryCompiler } from "./window-query-compiler.ts";

/** PostgreSQL: `$n` parameters, `timestamptz` or `numeric` marks as text, row-value keyset, LIMIT. */
export class PostgresWindowQuery extends WindowQueryCompiler {
  protected quote(name: string): string {
    return `"${name}"`;
  }
  protected param(n: number): string {
    return `$${n}`;
  }
  protected markValue(ref: string): string {
    return this.numericMark ? `${ref}::numeric` : `${ref}::timestamptz`;
  }
  protected markText(expr: string): string {
    return `${expr}::text`;
  }
  protected selectColumn(column: Column): string {
    return this.q(column);
  }
  protected limitRows(select: { columns: string; rest: string }, ref: string): string {
    return `SELECT ${select.columns} ${select.rest} LIMIT ${ref}`;
  }
}
