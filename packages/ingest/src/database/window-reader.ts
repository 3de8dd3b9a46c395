import { columnPattern, typedDatetimeText } from "@saleslake/schema";
import { IngestError } from "../errors.ts";
import { MARK_ALIAS, type WindowQuery, type WindowQueryCompiler } from "./window-query-compiler.ts";

/**
 * Rows of the table no window reads, counted when the read starts (`at`): `ahead`, whose
 * watermark is after that time, read by a later window once the clock has passed it;
 * `unmarked`, with no watermark at all, and `keyless`, with a key column empty, never read.
 */
export interface UnreadRows {
  readonly at: string;
  readonly ahead: number;
  readonly unmarked: number;
  readonly keyless: number;
}

/** The counts of the high-mark query's row (see `WindowQueryCompiler.highQuery`). */
export function unreadRows(at: string, row: Record<string, unknown> | undefined): UnreadRows {
  const count = (name: string) => Number(row?.[name] ?? 0);
  return { at, ahead: count("ahead"), unmarked: count("unmarked"), keyless: count("keyless") };
}

/** Runs one query, returning its rows as objects keyed by column alias. */
export type RunWindowQuery = (query: WindowQuery) => Promise<Record<string, unknown>[]>;

/**
 * Streams the rows of (low, high] page by page: each page starts after the previous page's
 * last (watermark, key), so rows sharing a timestamp are neither skipped nor repeated, and only
 * one page is in memory. `toValue` turns a driver value into its JSON form; a date or timestamp
 * column with a pattern takes it in the pattern where the pattern holds it whole.
 */
export async function* readWindowPages(
  compiler: WindowQueryCompiler,
  run: RunWindowQuery,
  window: { low: string | null; high: string; pageSize: number },
  toValue: (value: unknown) => unknown,
): AsyncGenerator<Record<string, unknown>> {
  const pageSize = Math.max(1, Math.floor(window.pageSize));
  // A date or a timestamp of a declared format takes the database's date in that pattern, as a
  // Parquet file's typed dates are (see typedDatetimeText).
  const patterns = new Map(
    compiler.columns.flatMap((c) => {
      const p = columnPattern(c);
      return p ? [[c.source, p]] : [];
    }),
  );
  let after: unknown[] | undefined;
  for (;;) {
    const rows = await run(
      compiler.pageQuery({ low: window.low, high: window.high, pageSize, ...(after && { after }) }),
    );
    for (const row of rows) {
      const out: Record<string, unknown> = {};
      for (const c of compiler.columns) {
        const v = toValue(row[c.source]);
        const p = patterns.get(c.source);
        out[c.source] = p && typeof v === "string" ? typedDatetimeText(p, v) : v;
      }
      for (const part of compiler.parts) out[part] = toValue(row[part]);
      yield out;
    }
    if (rows.length < pageSize) return;
    const last = rows.at(-1) as Record<string, unknown>;
    const next = [last[MARK_ALIAS], ...compiler.keys.map((k) => last[k.source])];
    // A page must move on: one that ends where the last one did would be read again and again.
    if (after && JSON.stringify(next) === JSON.stringify(after))
      throw new IngestError(
        "SOURCE_UNAVAILABLE",
        `the read of ${compiler.entity.name} stopped: a page ended at the same (watermark, key) ${JSON.stringify(next)} as the page before it`,
        "The server compares the watermark column with its own text form differently (a column type the marks do not fit); nothing was landed.",
      );
    after = next;
  }
}
