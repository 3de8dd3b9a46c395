import { readFileSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import {
  carSales,
  carSalesSeedFiles,
  qualityRules,
  recordFromSource,
  salesEntities,
  tableDdl,
  zodValidator,
} from "../src/index.ts";
import { failingRulesInDuckdb, type RawRecord } from "./support/duckdb-rules.ts";

async function withDuckdb<T>(fn: (run: (sql: string) => Promise<unknown[]>) => Promise<T>): Promise<T> {
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  try {
    return await fn(async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson());
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

/** Reads a CSV with DuckDB itself, every value as text, so the test parses no CSV by hand. */
async function readCsvAsText(path: string): Promise<RawRecord[]> {
  return withDuckdb(async (run) => {
    const escaped = path.replace(/'/g, "''");
    return (await run(
      `SELECT * FROM read_csv('${escaped}', header = true, all_varchar = true)`,
    )) as RawRecord[];
  });
}

describe("DuckDB DDL", () => {
  it.each(salesEntities.map((e) => [e.name, e] as const))(
    "creates %s, twice, and accepts a row shape",
    async (_, entity) => {
      await withDuckdb(async (run) => {
        const ddl = tableDdl(entity, "duckdb");
        await run(ddl);
        await run(ddl); // idempotent
        const cols = (await run(
          `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'silver' AND table_name = '${entity.name}' ORDER BY ordinal_position`,
        )) as { column_name: string; is_nullable: string }[];
        expect(cols.map((c) => c.column_name).slice(0, entity.columns.length)).toEqual(
          entity.columns.map((c) => c.name),
        );
        expect(cols.find((c) => c.column_name === entity.key[0])?.is_nullable).toBe("NO");
      });
    },
  );
});

describe("quality rules in DuckDB", () => {
  it("every rule of every entity is valid DuckDB SQL", async () => {
    for (const entity of salesEntities) {
      const result = await failingRulesInDuckdb(entity, [{}]);
      expect(result).toHaveLength(1);
    }
  });

  it("the seed car-sales files: one impossible date and 31 missing dealer names, in DuckDB and in zod", async () => {
    const base = await readCsvAsText(carSalesSeedFiles.initial);
    const incremental = await readCsvAsText(carSalesSeedFiles.incremental);
    expect(base).toHaveLength(1849);
    expect(incremental).toHaveLength(4);
    // DuckDB strips the byte-order mark; the header maps to source names.
    expect(Object.keys(base[0]!)[0]).toBe("Branch_ID");

    const sql = await failingRulesInDuckdb(carSales, [...base, ...incremental]);
    const counts = new Map<string, number>();
    for (const ids of sql) for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ "sale_date.parse": 1, "dealer_name.missing": 31 });
    const badRow = sql.findIndex((ids) => ids.includes("sale_date.parse"));
    expect(base[badRow]).toMatchObject({ Day: "29", Month: "2", Year: "2019", Date_ID: "DT00794" });

    const validator = zodValidator(carSales);
    const zodFailures = [...base, ...incremental].flatMap((raw, i) => {
      const r = validator.safeParse(recordFromSource(carSales, raw));
      return r.success ? [] : [{ row: i, messages: r.error.issues.map((x) => x.message) }];
    });
    expect(zodFailures).toEqual([
      { row: badRow, messages: ["sale_date.parse: sale_date: not a valid date in format d/M/yyyy"] },
    ]);
    const ok = validator.parse(recordFromSource(carSales, base[0]!));
    expect(ok).toMatchObject({
      branch_id: "BR0001",
      revenue: 13363978n,
      units_sold: 2,
      sale_date: "2017-01-01",
    });
  });

  it("a warn rule keeps the row; error rules name the column and rule", () => {
    const rules = qualityRules(carSales);
    expect(rules.find((r) => r.id === "dealer_name.missing")).toMatchObject({
      severity: "warn",
      column: "dealer_name",
    });
    expect(rules.find((r) => r.id === "revenue.min")).toMatchObject({
      severity: "error",
      message: "revenue: below the minimum 0",
    });
    expect(readFileSync(carSalesSeedFiles.initial).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });
});
