import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IngestError, LocalLakeStore, landFiles, listLandedManifests } from "@saleslake/ingest";
import { PipelineError, runPipeline, Warehouse } from "@saleslake/pipeline";
import { carSales, carSalesStar, type Entity, salesOrderLines, salesOrderStar } from "@saleslake/schema";
import { afterAll, describe, expect, it } from "vitest";
import { tally } from "./tally.ts";

interface Expected {
  outcome: "loaded" | "quarantined" | "rejected" | "rejected_or_quarantined";
  entity: "car_sales" | "sales_order_lines";
  read?: number;
  accepted?: number;
  quarantined?: number;
  rules?: Record<string, number>;
  warnings?: Record<string, number>;
  silver_rows?: number;
  rescued_columns?: string[];
  stored_verbatim?: string[];
  error?: string;
  mentions?: string[];
  /** Every file of the lake after the run, `*` standing for one path segment. */
  lake_files?: string[];
  /**
   * A known defect: the file does not get its expected outcome yet but fails this way. The
   * test asserts the failure, so a fix makes it fail until the marker is removed.
   */
  known_issue?: { error: string; mentions: string[]; note: string };
}

const corpus = new URL("../corpus/", import.meta.url).pathname;
const expected = JSON.parse(readFileSync(join(corpus, "expected.json"), "utf8")) as Record<string, Expected>;
const work = mkdtempSync(join(tmpdir(), "saleslake-corpus-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const entities: Record<Expected["entity"], { entity: Entity; star: typeof carSalesStar }> = {
  car_sales: { entity: carSales, star: carSalesStar },
  sales_order_lines: { entity: salesOrderLines, star: salesOrderStar },
};

type Outcome =
  | { kind: "error"; code: string; message: string; landed: number }
  | {
      kind: "run";
      read: number;
      accepted: number;
      quarantined: number;
      rules: Record<string, number>;
      warnings: Record<string, number>;
      dir: string;
    };

/** Lands one file into a fresh project and runs the pipeline: what a user would do. */
async function attempt(path: string, target: Expected["entity"]): Promise<Outcome> {
  const dir = mkdtempSync(join(work, "p-"));
  const store = new LocalLakeStore(join(dir, "lake"));
  const { entity, star } = entities[target];
  try {
    await landFiles({ store, entity, paths: [path] });
    const { runs } = await runPipeline({ dir, entities: [entity], stars: [star] });
    const r = runs[0]!;
    return {
      kind: "run",
      read: r.rowsRead,
      accepted: r.rowsAccepted,
      quarantined: r.rowsQuarantined,
      rules: { ...r.quarantinedByRule },
      warnings: { ...r.warnings },
      dir,
    };
  } catch (e) {
    if (!(e instanceof IngestError || e instanceof PipelineError)) throw e;
    return {
      kind: "error",
      code: e.code,
      message: e.message,
      landed: (await listLandedManifests(store, entity.name)).length,
    };
  }
}

async function q(dir: string, sql: string) {
  const w = await Warehouse.open(dir);
  try {
    return await w.query(sql);
  } finally {
    w.close();
  }
}

/**
 * The kinds of bad input the corpus must cover, each with the files (or generated cases,
 * in parentheses) that exercise it.
 */
const COVERAGE: Record<string, string[]> = {
  "truncated files": ["truncated.csv", "truncated.csv.gz", "orders-truncated.json", "orders-truncated.jsonl"],
  "wrong delimiter": ["wrong-delimiter-semicolon.csv", "wrong-delimiter-tab.csv"],
  "binary data": ["binary-data.csv", "nul-bytes.csv", "nested-gzip.csv.gz", "orders-binary.json"],
  "invalid UTF-8": ["invalid-utf8.csv", "latin1.csv"],
  "UTF-16": ["utf16le-bom.csv", "utf16be-bom.csv", "utf16le-no-bom.csv", "orders-utf16le-bom.json"],
  "byte-order marks": [
    "valid-bom.csv",
    "valid-bom-crlf-trailing-blank.csv",
    "bom-only.csv",
    "orders-bom.jsonl",
  ],
  CRLF: [
    "valid-crlf.csv",
    "valid-bom-crlf-trailing-blank.csv",
    "quoted-crlf-newlines.csv",
    "orders-crlf.jsonl",
  ],
  "quoted newlines": ["quoted-newlines.csv", "quoted-crlf-newlines.csv", "mixed-line-breaks-quoted.csv"],
  "a CR alone and mixed line breaks": [
    "cr-line-breaks.csv",
    "mixed-line-breaks.csv",
    "mixed-line-breaks-quoted.csv",
  ],
  "a JSON key twice in one object": ["orders-duplicate-json-key.jsonl"],
  "Parquet whose values do not read": ["orders-damaged-values.parquet"],
  "a 100 MB single field": ["very-long-line.csv", "(a 100 MB single field)"],
  "negative quantities": ["negative-quantity.csv", "negative-revenue.csv", "orders-negative-quantity.jsonl"],
  "future dates": ["orders-future-dates.jsonl"],
  "null keys": ["null-keys.csv", "orders-null-key.jsonl", "orders-empty-string-key.jsonl"],
  "duplicate keys with the same sequence value": [
    "orders-duplicate-key-same-sequence.jsonl",
    "duplicate-keys-in-file.csv",
  ],
  "wrong types": [
    "wrong-types.csv",
    "overflow-int.csv",
    "decimal-comma-revenue.csv",
    "orders-wrong-types.jsonl",
  ],
  "extra columns": [
    "extra-columns.csv",
    "orders-sql-in-field-name.jsonl",
    "trailing-delimiters.csv",
    "orders-unnamed-key.jsonl",
  ],
  "missing columns": [
    "missing-required-column.csv",
    "missing-nullable-column.csv",
    "orders-missing-field.jsonl",
  ],
  "formula-injection strings": ["formula-injection.csv", "orders-formula-injection.jsonl"],
  "SQL in values": ["sql-in-values.csv", "orders-sql-in-values.jsonl"],
  "SQL in column names": ["sql-in-column-names.csv", "orders-sql-in-field-name.jsonl"],
  "path traversal in file names": ["path-traversal-gzip-name.csv.gz", "(names that try to escape the lake)"],
  "gzip bombs": ["gzip-bomb.csv.gz", "orders-gzip-bomb.jsonl.gz"],
  "files with no rows": ["empty.csv", "bom-only.csv", "header-only.csv", "orders-empty-array.json"],
};

describe("the bad-input corpus: each file gets its expected outcome", () => {
  const files = Object.keys(expected).sort();
  it("has at least 40 checked-in files, each with an expectation", () => {
    const onDisk = readdirSync(corpus).filter((f) => f !== "expected.json" && f !== "README.md");
    expect(onDisk.sort()).toEqual(files);
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  it("covers every kind of bad input the suite is asked for", () => {
    for (const [kind, cases] of Object.entries(COVERAGE)) {
      const onDisk = cases.filter((c) => !c.startsWith("("));
      expect(onDisk.length, kind).toBeGreaterThan(0);
      for (const c of onDisk) expect(files, `${kind}: ${c}`).toContain(c);
    }
  });

  it.each(files)("%s", async (name) => {
    const exp = expected[name]!;
    const got = await attempt(join(corpus, name), exp.entity);
    tally({ inputs: 1 });
    if (exp.known_issue) {
      console.warn(`known issue, ${name}: ${exp.known_issue.note}`);
      expect(got).toMatchObject({ kind: "error", code: exp.known_issue.error });
      if (got.kind === "error") for (const m of exp.known_issue.mentions) expect(got.message).toContain(m);
      return;
    }
    if (got.kind === "run") {
      // Counts always reconcile, whatever the outcome.
      expect(got.read).toBe(got.accepted + got.quarantined);
    }
    switch (exp.outcome) {
      case "rejected":
        expect(got).toMatchObject({ kind: "error", code: exp.error, landed: expect.any(Number) });
        if (got.kind === "error") for (const m of exp.mentions ?? []) expect(got.message).toContain(m);
        break;
      case "rejected_or_quarantined":
        if (got.kind === "error")
          for (const m of exp.mentions ?? [])
            expect(`${got.message}`).toMatch(
              new RegExp(m.replace(/[.]/g, "\\.").replace("row ", "(row|line) ")),
            );
        else expect(got.quarantined).toBeGreaterThan(0);
        break;
      case "loaded":
      case "quarantined": {
        expect(got.kind).toBe("run");
        if (got.kind !== "run") break;
        expect({ read: got.read, accepted: got.accepted, quarantined: got.quarantined }).toEqual({
          read: exp.read,
          accepted: exp.accepted,
          quarantined: exp.quarantined,
        });
        if (exp.rules) expect(got.rules).toEqual(exp.rules);
        expect(got.warnings).toEqual(exp.warnings ?? (exp.entity === "car_sales" ? got.warnings : {}));
        const table = exp.entity;
        if (exp.silver_rows !== undefined)
          expect(await q(got.dir, `SELECT count(*) AS n FROM silver.${table}`)).toEqual([
            { n: String(exp.silver_rows) },
          ]);
        if (exp.stored_verbatim) {
          const text = JSON.stringify(await q(got.dir, `SELECT * FROM silver.${table}`));
          for (const v of exp.stored_verbatim) expect(text).toContain(JSON.stringify(v).slice(1, -1));
          // The tables survived the SQL in the values.
          expect(await q(got.dir, `SELECT count(*) AS n FROM silver.${table}`)).toEqual([
            { n: String(exp.accepted) },
          ]);
        }
        if (exp.lake_files) {
          const lake = join(got.dir, "lake");
          const present = readdirSync(lake, { recursive: true })
            .map(String)
            .filter((f) => statSync(join(lake, f)).isFile())
            .sort();
          expect(present).toHaveLength(exp.lake_files.length);
          for (const [i, pattern] of exp.lake_files.entries())
            expect(present[i]).toMatch(
              new RegExp(`^${pattern.replaceAll(".", "\\.").replaceAll("*", "[^/]+")}$`),
            );
        }
        if (exp.rescued_columns) {
          const [row] = await q(got.dir, `SELECT _rescued_data FROM bronze.${table} LIMIT 1`);
          expect(Object.keys(JSON.parse(String(row!._rescued_data)))).toEqual(exp.rescued_columns);
        }
        break;
      }
    }
  });

  it("a 100 MB single field is quarantined by its rule, not crashed on", async () => {
    const path = join(work, "huge-field.csv");
    const header =
      "Branch_ID,Dealer_ID,Model_ID,Revenue,Units_Sold,Date_ID,Day,Month,Year,BranchName,DealerName,Product_Name\n";
    writeFileSync(
      path,
      `${header}BR0001,DLR0001,BMW-M1,1,1,DT1,1,1,2020,A,B,${"x".repeat(100 * 1024 * 1024)}\nBR0002,DLR0001,BMW-M1,1,1,DT1,1,1,2020,A,B,BMW\n`,
    );
    const got = await attempt(path, "car_sales");
    tally({ inputs: 1 });
    expect(got).toMatchObject({
      kind: "run",
      read: 2,
      accepted: 1,
      quarantined: 1,
      rules: { "product_name.max_length": 1 },
    });
  });

  it("names that try to escape the lake are refused", async () => {
    const store = new LocalLakeStore(join(work, "escape"));
    await expect(store.put("../outside.csv", Buffer.from("x"))).rejects.toMatchObject({
      code: "UNSAFE_PATH",
    });
    await expect(store.put("landing/car_sales/../../../../etc/x", Buffer.from("x"))).rejects.toMatchObject({
      code: "UNSAFE_PATH",
    });
    const { defineEntity, t } = await import("@saleslake/schema");
    expect(() => defineEntity({ name: "../../etc", columns: { id: t.int() }, key: ["id"] })).toThrow(
      /not a safe SQL identifier/,
    );
    const { landingManifestSchema } = await import("@saleslake/schema");
    const bad = landingManifestSchema.safeParse({
      files: [{ path: "../../x.csv", rows: 0, bytes: 0, sha256: "0".repeat(64) }],
    });
    expect(bad.success).toBe(false);
    tally({ inputs: 4 });
  });
});
