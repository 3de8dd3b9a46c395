import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = new URL("../src/bin.ts", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "saleslake-cli-"));
const demoDir = join(work, "demo");
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the real CLI process, as a user would, without a terminal. */
function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...env },
    cwd: work,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  const r = cli(["demo", "--dir", demoDir]);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
}, 120_000);

describe("saleslake demo", () => {
  it("explains each run, and is a no-op the second time", () => {
    const again = cli(["demo", "--dir", demoDir]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(
      /SalesData\.csv was landed before \(batch \d{8}T\d{9}Z-[0-9a-f]{8}\): not landed again/,
    );
    expect(again.out).toMatch(/nothing new: every landed batch was already processed/);
    expect(again.out).not.toMatch(/\x1b\[/); // no colour codes when NO_COLOR is set and stdout is not a terminal
  });

  it("--json gives each step's landing and run", () => {
    const d = join(work, "demo-json");
    const r = cli(["demo", "--dir", d, "--json"]);
    const j = JSON.parse(r.out);
    expect(
      j.steps.map((s: { file: string; run: { rowsRead: number; rowsQuarantined: number } }) => [
        s.file,
        s.run.rowsRead,
        s.run.rowsQuarantined,
      ]),
    ).toEqual([
      ["SalesData.csv", 1849, 1],
      ["IncrementalSales.csv", 4, 0],
    ]);
    expect(j.steps[0].run.warnings).toEqual({ "dealer_name.missing": 31 });
  });
});

describe("reporting commands", () => {
  it("status", () => {
    const r = cli(["status", "--dir", demoDir, "--json"]);
    expect(r.code).toBe(0);
    const [s] = JSON.parse(r.out).entities;
    expect(s).toMatchObject({
      entity: "car_sales",
      last_status: "succeeded",
      batches_processed: "2",
      rows_quarantined: "1",
    });
    expect(s.watermarks).toEqual([
      { source: "files", kind: "batch", value: expect.stringMatching(/^\d{8}T/) },
    ]);
    expect(cli(["status", "--dir", demoDir]).out).toMatch(/car_sales\s+succeeded/);
  });

  it("runs", () => {
    const runs = JSON.parse(cli(["runs", "--dir", demoDir, "--json"]).out).runs;
    expect(runs.map((r: { rows_read: string; status: string }) => [r.status, r.rows_read])).toEqual([
      ["succeeded", "4"],
      ["succeeded", "1849"],
    ]);
  });

  it("query: tabular, --json rows, and writes refused", () => {
    expect(
      JSON.parse(
        cli(["query", "--dir", demoDir, "--json", "select count(*) as n from silver.car_sales"]).out,
      ),
    ).toEqual([{ n: "1852" }]);
    expect(cli(["query", "--dir", demoDir, "select count(*) as n from gold.fact_sales"]).out).toMatch(
      /^n\s*\n-+\s*\n1852/m,
    );
    const w = cli(["query", "--dir", demoDir, "delete from silver.car_sales"]);
    expect(w.code).toBe(1);
    expect(w.err).toMatch(/^error READ_ONLY: .*\nhint: /);
    expect(w.err).not.toMatch(/\n\s+at /); // no stack trace without --verbose
  });

  it("quarantine, and its export for fixing and re-landing", () => {
    const q = JSON.parse(cli(["quarantine", "--dir", demoDir, "--json"]).out);
    expect(q.rows).toHaveLength(1);
    expect(q.rows[0]).toMatchObject({ _row_number: "1194", rule_ids: ["sale_date.parse"] });
    const file = join(work, "fix.jsonl");
    expect(cli(["quarantine", "--dir", demoDir, "--export", file]).code).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ Day: "29", Month: "2", Year: "2019" });
  });

  it("plan shows nothing pending after the demo, and the landed batch after an ingest", () => {
    expect(JSON.parse(cli(["plan", "--dir", demoDir, "--json"]).out).plans[0]).toMatchObject({
      entity: "car_sales",
      expectedRows: 0,
    });
    const d = join(work, "planned");
    const csv = join(work, "more.csv");
    writeFileSync(
      csv,
      "Branch_ID,Dealer_ID,Model_ID,Revenue,Units_Sold,Date_ID,Day,Month,Year,BranchName,DealerName,Product_Name\nBR1,DLR1,M1,10,1,DT1,1,2,2020,B,D,P\n",
    );
    expect(cli(["ingest", "--dir", d, csv]).out).toMatch(/landed 1 rows/);
    expect(JSON.parse(cli(["plan", "--dir", d, "--json"]).out).plans[0]).toMatchObject({
      expectedRows: 1,
      steps: expect.arrayContaining([expect.objectContaining({ id: "fact_sales" })]),
    });
    const run = cli(["run", "--dir", d, "--json"]);
    expect(JSON.parse(run.out).runs[0]).toMatchObject({ rowsRead: 1, rowsInserted: 1 });
    expect(cli(["ingest", "--dir", d, csv]).out).toMatch(/already landed/);
  });

  it("run --strict exits 3 when rows were quarantined", () => {
    const d = join(work, "strict");
    const csv = join(work, "bad.csv");
    writeFileSync(
      csv,
      "Branch_ID,Dealer_ID,Model_ID,Revenue,Units_Sold,Date_ID,Day,Month,Year,BranchName,DealerName,Product_Name\nBR1,DLR1,M1,-5,1,DT1,1,2,2020,B,D,P\n",
    );
    cli(["ingest", "--dir", d, csv]);
    const r = cli(["run", "--dir", d, "--strict"]);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/quarantined 1 × revenue\.min/);
  });

  it("validate names file, row and rule without loading", () => {
    const csv = join(work, "check.csv");
    writeFileSync(
      csv,
      "Branch_ID,Dealer_ID,Model_ID,Revenue,Units_Sold,Date_ID,Day,Month,Year,BranchName,DealerName,Product_Name\nBR1,DLR1,M1,10,1,DT1,1,2,2020,B,D,P\nBR2,DLR1,M1,10,x,DT1,30,2,2020,B,,P\n",
    );
    const r = cli(["validate", "car_sales", csv, "--json", "--dir", demoDir]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({
      rows: 2,
      valid: 1,
      invalid: 1,
      warnings: 1,
      issues: [
        { row: 2, rule: "units_sold.parse" },
        { row: 2, rule: "sale_date.parse" },
      ],
    });
    expect(cli(["validate", "car_sales", csv]).out).toMatch(
      /row 2: units_sold\.parse: units_sold: not a valid int/,
    );
  });

  it("generate and schema diff", () => {
    const out = join(work, "gen");
    expect(cli(["generate", "--dir", demoDir, "--out", out]).code).toBe(0);
    expect(readFileSync(join(out, "schema", "car_sales", "ddl.delta.sql"), "utf8")).toMatch(/USING DELTA/);
    const a = join(work, "a.ts");
    const b = join(work, "b.ts");
    const schemaUrl = new URL("../../../packages/schema/src/index.ts", import.meta.url).href;
    writeFileSync(
      a,
      `import { defineEntity, t } from ${JSON.stringify(schemaUrl)};\nexport const o = defineEntity({ name: "o", columns: { id: t.int(), q: t.int() }, key: ["id"] });\n`,
    );
    writeFileSync(
      b,
      `import { defineEntity, t } from ${JSON.stringify(schemaUrl)};\nexport const o = defineEntity({ name: "o", columns: { id: t.int(), q: t.bigint(), note: t.string().nullable() }, key: ["id"] });\n`,
    );
    const ok = cli(["schema", "diff", a, b, "--json"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({
      compatible: true,
      changes: [
        { kind: "widened", column: "q" },
        { kind: "added", column: "note" },
      ],
    });
    const breaking = cli(["schema", "diff", b, a]);
    expect(breaking.code).toBe(1);
    expect(breaking.out).toMatch(/breaking\s+narrowed/);
  });

  it("init scaffolds a project whose config loads", () => {
    const d = join(work, "newproj");
    expect(cli(["init", d]).out).toMatch(/created saleslake\.config\.ts/);
    expect(existsSync(join(d, "entities", "returns.ts"))).toBe(true);
  });
});

describe("usage and errors", () => {
  it("usage errors exit 2; --help on every command has examples", () => {
    expect(cli(["frobnicate"]).code).toBe(2);
    expect(cli(["run", "--from", "2026-01-01"]).code).toBe(2);
    for (const c of ["demo", "ingest", "run", "query", "validate", "quarantine"]) {
      const h = cli([c, "--help"]);
      expect(h.code).toBe(0);
      expect(h.out).toMatch(/Examples:\n {2}\$ saleslake /);
    }
  });

  it("a missing warehouse is one line plus a hint", () => {
    const r = cli(["status", "--dir", join(work, "nowhere")]);
    expect(r.code).toBe(1);
    expect(r.err.trim().split("\n")).toEqual([
      expect.stringMatching(/^error (UNKNOWN_ENTITY|NO_WAREHOUSE): no warehouse/),
      expect.stringMatching(/^hint: /),
    ]);
  });

  it("a bad file: error naming the file, nothing landed", () => {
    const bad = join(work, "utf16.csv");
    writeFileSync(bad, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("a,b\n", "utf16le")]));
    const r = cli(["ingest", "--dir", join(work, "badproj"), bad]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(`^error INVALID_ENCODING: ${bad.replace(/[.]/g, "\\.")}: the file is UTF-16`),
    );
    expect(cli(["ingest", "--dir", join(work, "badproj"), bad, "--verbose"]).err).toMatch(/\n\s+at /);
  });
});
