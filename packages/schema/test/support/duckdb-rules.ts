import { DuckDBInstance } from "@duckdb/node-api";
import {
  type Entity,
  normalizedRawSql,
  type QualityRule,
  qualityRules,
  quoteIdent,
  rawName,
  typedFromRawColumnSql,
} from "../../src/index.ts";

export type RawRecord = Record<string, string | null>;

/** The distinct source column names an entity reads. */
export function sourceNames(entity: Entity): string[] {
  const names = new Set<string>();
  for (const c of entity.columns) for (const s of c.composedFrom?.sources ?? [c.source]) names.add(s);
  return [...names];
}

/**
 * Runs an entity's quality rules inside DuckDB over raw text records keyed by source name, and
 * returns, per record, the ids of the rules it breaks (error and warn). The session is in UTC
 * unless `timeZone` says otherwise.
 */
export async function failingRulesInDuckdb(
  entity: Entity,
  records: RawRecord[],
  rules: QualityRule[] = qualityRules(entity),
  timeZone = "UTC",
) {
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  try {
    await con.run(`SET TimeZone = '${timeZone}'`);
    const sources = sourceNames(entity);
    const q = (n: string) => quoteIdent("duckdb", n);
    await con.run(`CREATE TABLE src (__row INTEGER, ${sources.map((s) => `${q(s)} VARCHAR`).join(", ")})`);
    const appender = await con.createAppender("src");
    records.forEach((r, i) => {
      appender.appendInteger(i);
      for (const s of sources) {
        const v = r[s];
        if (v === null || v === undefined) appender.appendNull();
        else appender.appendVarchar(v);
      }
      appender.endRow();
    });
    appender.closeSync();
    const raws = entity.columns.map(
      (c) => `${normalizedRawSql("duckdb", c, (s) => q(s))} AS ${q(rawName(c.name))}`,
    );
    const typed = entity.columns.map((c) => `${typedFromRawColumnSql("duckdb", c)} AS ${q(c.name)}`);
    const checks = rules.map((r, i) => `${r.sql.duckdb} AS r${i}`);
    const sql = `WITH n AS (SELECT __row, ${raws.join(", ")} FROM src), t AS (SELECT n.*, ${typed.join(", ")} FROM n)
      SELECT __row, ${checks.join(", ")} FROM t ORDER BY __row`;
    const rows = (await con.runAndReadAll(sql)).getRows();
    return rows.map((row) => rules.filter((_, i) => row[i + 1] !== true).map((r) => r.id));
  } finally {
    con.closeSync();
    db.closeSync();
  }
}
