import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { generateOrderLines } from "@saleslake/ingest/testing";
import {
  batchIdAfter,
  carSales,
  carSalesSeedFiles,
  defineEntity,
  type Entity,
  salesOrderLines,
  t,
} from "@saleslake/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateFile } from "../src/commands/validate.ts";

const bin = new URL("../src/bin.ts", import.meta.url).pathname;
const repoRoot = new URL("../../../", import.meta.url).pathname;
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

/** A query's rows, as `query --json` prints them. */
const queryJson = (dir: string, sql: string) => JSON.parse(cli(["query", "--dir", dir, "--json", sql]).out);

/** The report's quarantine table, a row a rule: entity, rule, rows held back, replayed, repeats. */
const quarantineByRule = (html: string) =>
  [
    ...(/<section id="quarantine">.*?<\/section>/s.exec(html)?.[0] ?? "").matchAll(
      /<tr><td>([^<]*)<\/td><td>([^<]*)<\/td><td[^>]*>(\d+)<\/td><td[^>]*>(\d+)<\/td><td[^>]*>(\d+)<\/td><\/tr>/g,
    ),
  ].map((m) => m.slice(1));

/** The car-sales CSV header. */
const CAR_SALES_HEADER =
  "Branch_ID,Dealer_ID,Model_ID,Revenue,Units_Sold,Date_ID,Day,Month,Year,BranchName,DealerName,Product_Name";

/** Lands a car-sales CSV of `rows` (the header added) in project `dir`. */
const landCarSales = (dir: string, name: string, rows: readonly string[]) => {
  const csv = join(work, name);
  writeFileSync(csv, `${CAR_SALES_HEADER}\n${rows.join("\n")}\n`);
  cli(["ingest", "--dir", dir, csv]);
};

/** A validation (`--json` output) of two rows, the second breaking `rule`. */
const oneBadRow = (out: string, rule: string) =>
  expect(JSON.parse(out)).toMatchObject({ rows: 2, valid: 1, invalid: 1, issues: [{ row: 2, rule }] });

describe("saleslake demo", () => {
  it("explains each run, and is a no-op the second time", () => {
    const again = cli(["demo", "--dir", demoDir], { npm_lifecycle_event: "" });
    expect(again.code).toBe(0);
    // Its next steps name the command as it was run: the installed binary here, the
    // repository's script under `pnpm saleslake`.
    expect(again.out).toContain(`\n  saleslake status --dir ${demoDir}\n`);
    expect(cli(["demo", "--dir", demoDir], { npm_lifecycle_event: "saleslake" }).out).toContain(
      `\n  pnpm saleslake status --dir ${demoDir}\n`,
    );
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
    const text = cli(["status", "--dir", demoDir]).out;
    expect(text).toMatch(/car_sales\s+succeeded/);
    expect(text).toMatch(new RegExp(`car_sales\\s+files\\s+landing batch\\s+${s.watermarks[0].value}\\n`));
  });

  it("times are written in UTC whatever the machine's time zone", () => {
    for (const TZ of ["Asia/Kolkata", "America/Los_Angeles"]) {
      const [s] = JSON.parse(cli(["status", "--dir", demoDir, "--json"], { TZ }).out).entities;
      expect(s.last_started_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00$/);
      const [run] = JSON.parse(cli(["runs", "--dir", demoDir, "--json"], { TZ }).out).runs;
      expect(run.started_at).toMatch(/\+00$/);
    }
  });

  it("demo, run and ingest print no progress when stderr is not a terminal", () => {
    const d = join(work, "quiet");
    const r = cli(["demo", "--dir", d], { NO_COLOR: "" });
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).not.toMatch(/\x1b\[|\r/); // neither colours nor in-place redraws
    const csv = join(work, "quiet.csv");
    writeFileSync(
      csv,
      "Branch_ID,Dealer_ID,Model_ID,Revenue,Units_Sold,Date_ID,Day,Month,Year,BranchName,DealerName,Product_Name\nBR9,DLR9,M9,10,1,DT9,3,2,2020,B,D,P\n",
    );
    for (const args of [
      ["ingest", "--dir", d, csv],
      ["run", "--dir", d],
    ]) {
      const x = cli(args, { NO_COLOR: "" });
      expect(x.code).toBe(0);
      expect(x.err).toBe("");
      expect(x.out).not.toMatch(/\x1b\[|\r|rows\/s/);
    }
  });

  it("runs", () => {
    const runs = JSON.parse(cli(["runs", "--dir", demoDir, "--json"]).out).runs;
    expect(runs.map((r: { rows_read: string; status: string }) => [r.status, r.rows_read])).toEqual([
      ["succeeded", "4"],
      ["succeeded", "1849"],
    ]);
    // The table: every count of the ledger, one column each, newest run first.
    const [header, , ...lines] = cli(["runs", "--dir", demoDir])
      .out.replace(/\x1b\[[0-9;]*m/g, "")
      .trimEnd()
      .split("\n");
    // Cells by the header's column offsets: the start time holds a space.
    const starts = [...header!.matchAll(/\S+/g)].map((m) => m.index);
    const labels = [...header!.matchAll(/\S+/g)].map((m) => m[0]);
    const cellsOf = (l: string) => starts.map((at, i) => l.slice(at, starts[i + 1]).trim());
    expect(labels).toEqual([
      "run",
      "entity",
      "mode",
      "status",
      "started",
      "seconds",
      "read",
      "accepted",
      "quarantined",
      "inserted",
      "updated",
      "stale",
      "superseded",
      "deleted",
    ]);
    // Each run's seconds, from its start to its commit.
    for (const l of lines) expect(Number(cellsOf(l)[labels.indexOf("seconds")])).toBeGreaterThan(0);
    expect(runs.every((r: { seconds: number }) => typeof r.seconds === "number" && r.seconds > 0)).toBe(true);
    // No run failed: no error section under the table.
    const counts = lines.map((l) => cellsOf(l).slice(labels.indexOf("read")));
    expect(counts).toEqual([
      ["4", "4", "0", "4", "0", "0", "0", "0"],
      ["1849", "1848", "1", "1848", "0", "0", "0", "0"],
    ]);
  });

  it("query: tabular, --json rows, and writes refused", () => {
    expect(queryJson(demoDir, "select count(*) as n from silver.car_sales")).toEqual([{ n: "1852" }]);
    expect(cli(["query", "--dir", demoDir, "select count(*) as n from gold.fact_sales"]).out).toMatch(
      /^n\s*\n-+\s*\n1852/m,
    );
    const w = cli(["query", "--dir", demoDir, "delete from silver.car_sales"]);
    expect(w.code).toBe(1);
    expect(w.err).toMatch(/^error READ_ONLY: .*\nhint: /);
    expect(w.err).not.toMatch(/\n\s+at /); // no stack trace without --verbose
    // Nor may a query write a file, over the warehouse or anywhere else; plans and DESCRIBE read.
    for (const target of [join(demoDir, "state", "warehouse.duckdb"), join(work, "out.csv")]) {
      for (const sql of [
        `copy (select 1 as x) to '${target}' (format csv)`,
        `select 1; copy (select 1 as x) to '${target}' (format csv)`,
        `explain analyze copy (select 1 as x) to '${target}' (format csv)`,
      ]) {
        const copy = cli(["query", "--dir", demoDir, sql]);
        expect(copy.code).toBe(1);
        expect(copy.err).toMatch(
          /^error READ_ONLY: query is read-only: statement \d is (COPY|EXPLAIN ANALYZE, which runs what it explains), not a query/,
        );
      }
    }
    expect(existsSync(join(work, "out.csv"))).toBe(false);
    expect(cli(["query", "--dir", demoDir, "--json", "describe silver.car_sales"]).code).toBe(0);
    expect(cli(["query", "--dir", demoDir, "explain select count(*) from silver.car_sales"]).code).toBe(0);
    expect(queryJson(demoDir, "select count(*) as n from silver.car_sales")).toEqual([{ n: "1852" }]);
    // An answer that fails part way through its rows is an error, not a shorter answer.
    for (const json of [[], ["--json"]]) {
      const late = cli([
        "query",
        "--dir",
        demoDir,
        ...json,
        "select case when i < 3000 then i else cast('x' || i as int) end as v from range(200000) t(i)",
      ]);
      expect(late.code).toBe(1);
      expect(late.err).toMatch(
        /^error ENGINE_ERROR: Conversion Error: Could not convert string 'x\d+' to INT32\n/,
      );
    }
  });

  it("quarantine, and its export for fixing and re-landing", () => {
    const q = JSON.parse(cli(["quarantine", "--dir", demoDir, "--json"]).out);
    expect(q.entities).toEqual(["car_sales"]); // every configured entity by default
    expect(q.rows).toHaveLength(1);
    expect(q.rows[0]).toMatchObject({
      entity: "car_sales",
      source: "SalesData.csv",
      _source_file: expect.stringMatching(/^landing\/car_sales\/.*\/part-00000\.csv$/),
      _row_number: "1194",
      rule_ids: ["sale_date.parse"],
    });
    // The text names the file a row came from, not the landed part, and shows the values the
    // broken rule read and the raw values whole (the date's parts come last of twelve).
    const text = cli(["quarantine", "--dir", demoDir]).out;
    expect(text).toContain("car_sales  SalesData.csv  row 1194\n");
    expect(text).toContain(
      'sale_date.parse  sale_date: not a valid date in format d/M/yyyy  (Day "29", Month "2", Year "2019")',
    );
    expect(text).toContain(
      '"BranchName":"Rolls-Royce Motors","DealerName":"Hyundai Motors","Product_Name":"Chevrolet"}',
    );
    const unknown = cli(["quarantine", "--dir", demoDir, "--entity", "nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/no entity named nope; configured: car_sales/);
    const file = join(work, "fix.jsonl");
    expect(cli(["quarantine", "--dir", demoDir, "--export", file]).code).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ Day: "29", Month: "2", Year: "2019" });
    const json = cli(["quarantine", "--dir", demoDir, "--export", file, "--json"]);
    expect(JSON.parse(json.out)).toEqual({ entity: "car_sales", file, rows: 1 });
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
    expect(cli(["ingest", "--dir", d, csv]).out).toMatch(/landed 1 row \(\d+ bytes\) from 1 file as batch /);
    expect(JSON.parse(cli(["plan", "--dir", d, "--json"]).out).plans[0]).toMatchObject({
      expectedRows: 1,
      steps: expect.arrayContaining([expect.objectContaining({ id: "fact_sales" })]),
    });
    const run = cli(["run", "--dir", d, "--json"]);
    expect(JSON.parse(run.out).runs[0]).toMatchObject({ rowsRead: 1, rowsInserted: 1 });
    expect(cli(["ingest", "--dir", d, csv]).out).toMatch(/already landed/);
    // A file named twice, as itself and through its folder, lands once.
    const twice = join(work, "twice");
    mkdirSync(twice);
    writeFileSync(join(twice, "one.csv"), readFileSync(csv));
    const once = cli([
      "ingest",
      "--dir",
      join(work, "planned-twice"),
      join(twice, "one.csv"),
      twice,
      "--json",
    ]);
    expect(JSON.parse(once.out)).toMatchObject({ rows: 1, files: [{ rows: 1 }] });
  });

  it("run --strict exits 3 when rows were quarantined, not for rows held back before", () => {
    const d = join(work, "strict");
    landCarSales(d, "bad.csv", ["BR1,DLR1,M1,-5,1,DT1,1,2,2020,B,D,P"]);
    const r = cli(["run", "--dir", d, "--strict"]);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/quarantined 1 × revenue\.min/);
    // The run says where to see the rows it held back.
    expect(r.out).toContain(
      `the rows held back, with their values: saleslake quarantine --dir ${d} --entity car_sales\n`,
    );
    // The same bad row read again (landed again here, as a lookback re-reads its window) is held
    // back as a repeat of the first entry: nothing new, so --strict passes; a new bad row fails it.
    const csv = join(work, "bad.csv");
    cli(["ingest", "--dir", d, "--force", csv]);
    const again = cli(["run", "--dir", d, "--strict"]);
    expect(again.out).toMatch(
      /it was held back before, with the same values \(read again\): not listed again/,
    );
    expect(again.code).toBe(0);
    landCarSales(d, "worse.csv", [
      "BR1,DLR1,M1,-5,1,DT1,1,2,2020,B,D,P",
      "BR2,DLR1,M1,-7,1,DT2,1,2,2020,B,D,P",
    ]);
    const worse = cli(["run", "--dir", d, "--strict"]);
    expect(worse.out).toMatch(/1 of them were held back before/);
    expect(worse.code).toBe(3);
  });

  it("quarantine --limit shows the first rows, and counts every row per rule from the warehouse", () => {
    const d = join(work, "limited");
    landCarSales(d, "three-bad.csv", [
      "BR1,DLR1,M1,-5,1,DT1,1,2,2020,B,D,P",
      "BR2,DLR1,M1,-6,x,DT2,1,2,2020,B,D,P",
      "BR3,DLR1,M1,7,1,DT3,1,2,2020,B,D,P",
      "BR4,DLR1,M1,-8,1,DT4,1,2,2020,B,D,P",
    ]);
    cli(["run", "--dir", d]);
    const out = cli(["quarantine", "--dir", d, "--limit", "1"]).out.split("\n");
    expect(out.slice(0, 5)).toEqual([
      "car_sales: 3 rows held back",
      "  rule              rows",
      "  revenue.min       3",
      "  units_sold.parse  1",
      "",
    ]);
    expect(out.filter((l) => l.startsWith("car_sales  "))).toHaveLength(1);
    expect(out).toContain("2 more rows not shown: --limit N, --json, or --export FILE for all");
    expect(JSON.parse(cli(["quarantine", "--dir", d, "--limit", "1", "--json"]).out).rows).toHaveLength(3);
    expect(cli(["quarantine", "--dir", d, "--limit", "0"]).code).toBe(2);
  });

  it("quarantine tells apart files of one name in two folders: each by its path below the folder given", () => {
    const d = join(work, "two-months");
    const drop = join(work, "two-months-drop");
    for (const [month, revenue] of [
      ["jan", "-5"],
      ["feb", "-7"],
    ] as const) {
      mkdirSync(join(drop, month), { recursive: true });
      writeFileSync(
        join(drop, month, "sales.csv"),
        `${CAR_SALES_HEADER}\nBR1,DLR1,M1,10,1,DT1,1,2,2020,B,D,P\nBR2,DLR2,M2,${revenue},1,DT2,2,2,2020,B,D,P\n`,
      );
    }
    const landed = JSON.parse(cli(["ingest", "--dir", d, drop, "--json"]).out);
    expect(landed.files.map((f: { source: string }) => f.source)).toEqual(["feb/sales.csv", "jan/sales.csv"]);
    expect(cli(["run", "--dir", d]).code).toBe(0);
    const q = JSON.parse(cli(["quarantine", "--dir", d, "--json"]).out);
    expect(
      q.rows
        .map((r: { source: string; raw: string }) => [r.source, JSON.parse(r.raw).Revenue])
        .sort((a: string[], b: string[]) => a[0]!.localeCompare(b[0]!)),
    ).toEqual([
      ["feb/sales.csv", "-7"],
      ["jan/sales.csv", "-5"],
    ]);
    // Named themselves, as a shell expands drop/*/sales.csv, they are told apart the same way.
    const direct = JSON.parse(
      cli([
        "ingest",
        "--dir",
        join(work, "two-months-direct"),
        join(drop, "jan", "sales.csv"),
        join(drop, "feb", "sales.csv"),
        "--json",
      ]).out,
    );
    expect(direct.files.map((f: { source: string }) => f.source)).toEqual(["feb/sales.csv", "jan/sales.csv"]);
    // A file named alone keeps its base name.
    const one = JSON.parse(
      cli(["ingest", "--dir", join(work, "one-month"), join(drop, "jan", "sales.csv"), "--json"]).out,
    );
    expect(one.files.map((f: { source: string }) => f.source)).toEqual(["sales.csv"]);
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
      // Each with the value its rule checked: a composed column's parts joined.
      issues: [
        { row: 2, rule: "units_sold.parse", value: "x" },
        { row: 2, rule: "sale_date.parse", value: "30/2/2020" },
      ],
    });
    // The entity by --entity, as ingest takes it, or left out where it is the only one configured.
    expect(cli(["validate", "--dir", demoDir, "--entity", "car_sales", csv, "--json"]).out).toBe(r.out);
    expect(cli(["validate", "--dir", demoDir, csv, "--json"]).out).toBe(r.out);
    const twice = cli(["validate", "--dir", demoDir, "car_sales", csv, "--entity", "car_sales"]);
    expect(twice.code).toBe(2);
    expect(twice.err).toContain("the entity is named twice (car_sales and --entity car_sales)");
    const noFile = cli(["validate", "--dir", demoDir, "car_sales"]);
    expect(noFile.code).toBe(2);
    expect(noFile.err).toContain("car_sales is an entity: give the file to check after it");
    const text = cli(["validate", "car_sales", csv]).out;
    // Rows per broken rule first, then each issue.
    expect(text).toContain("\n  1 × sale_date.parse\n  1 × units_sold.parse\n  row 2:");
    expect(text).toContain('row 2: units_sold.parse: units_sold: not a valid int ("x")\n');
    expect(text).toContain(
      'row 2: sale_date.parse: sale_date: not a valid date in format d/M/yyyy ("30/2/2020")\n',
    );
  });

  it("validate reads CSV rows and headers as ingest and the engine do", async () => {
    const header = CAR_SALES_HEADER;
    // An unquoted comma in a dealer's name: the row has a field more and its values shifted.
    const ragged = join(work, "check-ragged.csv");
    writeFileSync(
      ragged,
      `${header}\nBR1,DLR1,M1,10,1,DT1,1,2,2020,B,D,P\nBR2,DLR1,M1,10,1,DT1,2,2,2020,Premier,Fisker, Karma,Jeep\n`,
    );
    const r = cli(["validate", "car_sales", ragged, "--json"]);
    expect(r.code).toBe(1);
    oneBadRow(r.out, "row.fields_extra");
    // A trailing delimiter is a field more; a row cut short has fewer (its empty last value is
    // one, and not short).
    const shapes = join(work, "check-shapes.csv");
    writeFileSync(
      shapes,
      `${header}\nBR1,DLR1,M1,10,1,DT1,1,2,2020,B,D,P,\nBR2,DLR1,M1,10,1,DT1,2,2,2020,B,D\nBR3,DLR1,M1,10,1,DT1,2,2,2020,B,,P\n`,
    );
    const s = JSON.parse(cli(["validate", "car_sales", shapes, "--json"]).out);
    expect(s).toMatchObject({ rows: 3, valid: 1, invalid: 2 });
    expect(s.issues.map((i: { row: number; rule: string }) => [i.row, i.rule])).toEqual([
      [1, "row.fields_extra"],
      [2, "row.fields_missing"],
      [2, "product_name.not_null"],
    ]);
    // Under the contract shortRows: "null", the short row's missing field is NULL, as the engines
    // read it; the trailing delimiter is still a field more.
    const padded: Entity = {
      ...salesOrderLines,
      contract: { ...salesOrderLines.contract, shortRows: "null" },
    };
    const lines = join(work, "check-short-lines.csv");
    const orderHeader =
      "OrderID,LineNo,order_date,customer_id,product_id,quantity,unit_price,discount_pct,currency,status,channel,updated_at,is_deleted";
    const order = (id: string) =>
      `${id},1,2026-01-05,C000001,P-00001,1,10.00,,EUR,open,web,2026-01-05T10:00:00Z`;
    writeFileSync(lines, `${orderHeader}\n${order("SO00000001")}\n${order("SO00000002")},false,\n`);
    expect(await validateFile(padded, lines)).toMatchObject({
      rows: 2,
      valid: 1,
      issues: [{ row: 2, rule: "row.fields_extra" }],
    });
    expect(await validateFile(salesOrderLines, lines)).toMatchObject({
      rows: 2,
      valid: 0,
      issues: [
        { row: 1, rule: "row.fields_missing" },
        { row: 2, rule: "row.fields_extra" },
      ],
    });
    // Names with spaces around them are the columns landing matches them to.
    const spaced = join(work, "check-spaced.csv");
    writeFileSync(
      spaced,
      `${header
        .split(",")
        .map((h) => ` ${h} `)
        .join(",")}\nBR1,DLR1,M1,10,1,DT1,1,2,2020,B,D,P\n`,
    );
    expect(JSON.parse(cli(["validate", "car_sales", spaced, "--json"]).out)).toMatchObject({
      rows: 1,
      valid: 1,
    });
    // Lines ending in CRLF, a CR alone and LF in one file are three rows, as the engines read them.
    const row = "BR1,DLR1,M1,10,1,DT1,1,2,2020,B,D,P";
    const breaks = join(work, "check-breaks.csv");
    writeFileSync(breaks, `${header}\r\n${row}\r${row}\n${row}\r\n`);
    expect(await validateFile(carSales, breaks)).toMatchObject({ rows: 3, valid: 3, issues: [] });
    // A CRLF inside a quoted value of a CRLF file reads as LF, as on both engines: 200 characters.
    const cell = join(work, "check-cell.csv");
    writeFileSync(
      cell,
      `${header}\r\nBR1,DLR1,M1,10,1,DT1,1,2,2020,B,D,"${"X".repeat(99)}\r\n${"Y".repeat(100)}"\r\n`,
    );
    expect(await validateFile(carSales, cell)).toMatchObject({ rows: 1, valid: 1, issues: [] });
    writeFileSync(
      cell,
      `${header}\r\nBR1,DLR1,M1,10,1,DT1,1,2,2020,B,D,"${"X".repeat(99)}\r\n${"Y".repeat(101)}"\r\n`,
    );
    expect(await validateFile(carSales, cell)).toMatchObject({
      rows: 1,
      valid: 0,
      issues: [{ row: 1, rule: "product_name.max_length" }],
    });
    // A header ingest refuses is refused the same way.
    const twice = join(work, "check-twice.csv");
    writeFileSync(twice, `${header},Branch_ID\nBR1,DLR1,M1,10,1,DT1,1,2,2020,B,D,P,BR1\n`);
    const dup = cli(["validate", "car_sales", twice]);
    expect(dup.code).toBe(1);
    expect(dup.err).toMatch(
      /^error DUPLICATE_COLUMNS: .*check-twice\.csv: column Branch_ID appears more than once/,
    );
  });

  it("validate reads what landing reads: a quote inside a field, a character across two reads, numbers as written, no records", async () => {
    // A quote inside a field that is not quoted is text, for landing and the engines alike.
    const quoted = join(work, "check-inner-quote.csv");
    writeFileSync(quoted, `${CAR_SALES_HEADER}\nBR1,DLR1,M1,10,1,DT1,1,2,2020,B,D,Model "X" Sport\n`);
    expect(await validateFile(carSales, quoted)).toMatchObject({ rows: 1, valid: 1, issues: [] });
    // JSON Lines whose 32-character channel ("é" × 16) straddles the stream's 64 KiB reads.
    const [line] = generateOrderLines({ count: 1, updatedFrom: "2026-01-05T10:00:00.000Z" });
    const order = { ...line, quantity: 1 };
    const accented = JSON.stringify({ ...order, LineNo: 2, channel: "é".repeat(16) });
    const at = accented.indexOf("é");
    const filler = (note: string) => JSON.stringify({ ...order, note });
    const base = Buffer.byteLength(`${filler("")}\n`);
    // The filler line's length puts the first "é" at byte 65,535: its second byte is in the next read.
    const lines = join(work, "check-split.jsonl");
    writeFileSync(lines, `${filler("x".repeat(65_535 - at - base))}\n${accented}\n`);
    expect(Buffer.from(readFileSync(lines)).indexOf(Buffer.from("é"))).toBe(65_535);
    expect(await validateFile(salesOrderLines, lines)).toMatchObject({ rows: 2, valid: 2, issues: [] });
    // A quantity past 2^53 is checked as written (out of an int's range), not as its neighbour.
    const big = join(work, "check-big.json");
    writeFileSync(big, `[${JSON.stringify(order).replace('"quantity":1', '"quantity":9007199254740993')}]`);
    expect((await validateFile(salesOrderLines, big)).issues).toEqual([
      expect.objectContaining({ row: 1, rule: "quantity.parse", value: "9007199254740993" }),
    ]);
    // An export of no records: no rows, as a CSV header alone.
    const none = join(work, "check-none.json");
    writeFileSync(none, "[]");
    expect(await validateFile(salesOrderLines, none)).toMatchObject({ rows: 0, valid: 0, issues: [] });
  });

  it("validate gives run's verdict on JSON numbers with a fraction or an exponent, for every column type", () => {
    const d = join(work, "json-numbers");
    mkdirSync(d);
    writeFileSync(
      join(d, "saleslake.config.ts"),
      `import { defineConfig } from "@saleslake/cli";
import { defineEntity, t } from "@saleslake/schema";
const numbers = defineEntity({
  name: "numbers",
  columns: {
    id: t.string(),
    qty: t.int().nullable(),
    big: t.bigint().nullable(),
    amount: t.decimal(12, 2).nullable(),
    ratio: t.double().nullable(),
    note: t.string().maxLength(3).nullable(),
    doc: t.string().maxLength(9).nullable(),
  },
  key: ["id"],
});
export default defineConfig({ entities: [numbers], lake: { root: "lake" } });
`,
    );
    // Each row sets one column, as JSON text (the engine reads it with json_extract_string: a
    // number with a fraction or an exponent as its double, 1.0 and 1e0 as 1.0, 2.00 as 2.0).
    const values: [string, string][] = [
      ["qty", "1.0"],
      ["qty", "2.00"],
      ["qty", "1e0"],
      ["qty", "1E2"],
      ["qty", "-0"],
      ["qty", "7"],
      ["qty", "2147483648"],
      ["big", "9007199254740993"],
      ["big", "9223372036854775807"],
      ["big", "9223372036854775808"],
      ["big", "1.5e3"],
      ["big", "123456789012345678901234567890"],
      ["amount", "1.005"],
      ["amount", "1.500"],
      ["amount", "1e0"],
      ["amount", "1.5e3"],
      ["amount", "1e12"],
      ["amount", "1e21"],
      ["ratio", "1e400"],
      ["ratio", "1e99"],
      ["ratio", "1.5E+2"],
      ["ratio", "0.000000000000000000001"],
      ["ratio", "123456789012345678901234"],
      ["ratio", "12345678901234567890.5"],
      ["note", "1e0"],
      ["note", "1.50"],
      ["note", "1e2"],
      ["doc", '{"b":1.50}'],
      ["doc", "[1e0,2]"],
      ["doc", '{"b":1.500}'],
    ];
    const columns = ["qty", "big", "amount", "ratio", "note", "doc"];
    const record = (id: string, column: string, text: string) =>
      `{"id":"${id}",${columns.map((c) => `"${c}":${c === column ? text : "null"}`).join(",")}}`;
    const array = join(d, "numbers.json");
    const lines = join(d, "numbers.jsonl");
    writeFileSync(array, `[${values.map(([c, v], i) => record(`a${i}`, c, v)).join(",\n")}]`);
    writeFileSync(lines, `${values.map(([c, v], i) => record(`l${i}`, c, v)).join("\n")}\n`);
    const verdicts = (issues: { row: number; rule: string }[]) =>
      values.map((_, i) =>
        issues
          .filter((x) => x.row === i + 1)
          .map((x) => x.rule)
          .sort(),
      );
    const validated = [array, lines].map((f) => {
      const r = cli(["validate", "--dir", d, "numbers", f, "--json"]);
      expect(r.err).toBe("");
      return verdicts(JSON.parse(r.out).issues);
    });
    for (const args of [
      ["ingest", "--dir", d, array],
      ["ingest", "--dir", d, lines],
      ["run", "--dir", d],
    ]) {
      expect(cli(args)).toMatchObject({ code: 0, err: "" });
    }
    const quarantined: { source: string; _row_number: string; rule_ids: string[]; raw: string }[] =
      JSON.parse(cli(["quarantine", "--dir", d, "--json"]).out).rows;
    const ran = ["numbers.json", "numbers.jsonl"].map((source) =>
      verdicts(
        quarantined
          .filter((q) => q.source === source)
          .flatMap((q) => q.rule_ids.map((rule) => ({ row: Number(q._row_number), rule }))),
      ),
    );
    expect(validated).toEqual(ran);
    // The verdicts themselves: the number's text as the engine reads it decides, not as written.
    expect(Object.fromEntries(values.map(([c, v], i) => [`${c} ${v}`, ran[0]![i]!.join(" ")]))).toEqual({
      "qty 1.0": "qty.parse",
      "qty 2.00": "qty.parse",
      "qty 1e0": "qty.parse",
      "qty 1E2": "qty.parse",
      "qty -0": "",
      "qty 7": "",
      "qty 2147483648": "qty.parse",
      "big 9007199254740993": "",
      "big 9223372036854775807": "",
      "big 9223372036854775808": "big.parse",
      "big 1.5e3": "big.parse",
      "big 123456789012345678901234567890": "big.parse",
      "amount 1.005": "amount.parse",
      "amount 1.500": "",
      "amount 1e0": "",
      "amount 1.5e3": "",
      "amount 1e12": "amount.parse",
      "amount 1e21": "amount.parse",
      "ratio 1e400": "ratio.parse",
      "ratio 1e99": "",
      "ratio 1.5E+2": "",
      "ratio 0.000000000000000000001": "",
      "ratio 123456789012345678901234": "ratio.parse",
      "ratio 12345678901234567890.5": "",
      "note 1e0": "",
      "note 1.50": "",
      "note 1e2": "note.max_length",
      'doc {"b":1.50}': "",
      "doc [1e0,2]": "",
      'doc {"b":1.500}': "",
    });
    // The quarantine keeps the text the engine checked: 1e0 as 1.0.
    const raw = quarantined.find((q) => q.source === "numbers.json" && q._row_number === "3")?.raw;
    expect(JSON.parse(raw!)).toMatchObject({ qty: "1.0" });
  });

  it("a tab-separated file: by its .tsv name, or --delimiter '\\t' as a shell passes it", () => {
    const text =
      `${CAR_SALES_HEADER}\nBR1,DLR1,M1,10,1,DT1,1,2,2020,B,D,P\nBR2,DLR1,M1,-3,1,DT1,2,2,2020,B,D,P\n`.replaceAll(
        ",",
        "\t",
      );
    const tsv = join(work, "check.tsv");
    const txt = join(work, "check-tab.txt");
    writeFileSync(tsv, text);
    writeFileSync(txt, text);
    for (const args of [[tsv], [txt, "--delimiter", "\\t"], [txt, "--delimiter", "tab"]]) {
      oneBadRow(cli(["validate", "car_sales", ...args, "--json"]).out, "revenue.min");
    }
    const bad = cli(["validate", "car_sales", txt, "--delimiter", "ab"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--delimiter takes one character, or \\t for a tab: not "ab"/);
  });

  it("validate reads Parquet as the engine does: every column as text, rows numbered in the file", async () => {
    // The seed file as Parquet, with typed columns: the impossible date is Day 29, Month 2,
    // Year 2019, integers here, text when the engine checks them.
    const pq = join(work, "seed.parquet");
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    await con.run(
      `COPY (SELECT * FROM read_csv('${carSalesSeedFiles.initial}', header = true)) TO '${pq}' (FORMAT parquet, ROW_GROUP_SIZE 100)`,
    );
    con.closeSync();
    db.closeSync();
    const r = cli(["validate", "car_sales", pq, "--json"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({
      rows: 1849,
      valid: 1848,
      invalid: 1,
      warnings: 31,
      issues: [{ row: 1194, rule: "sale_date.parse" }],
    });
  });

  it("validate reads a Parquet date or timestamp into a column of a declared format as the engine does: in the column's pattern", async () => {
    const returns = defineEntity({
      name: "returns",
      columns: {
        return_id: t.string(),
        day: t.date().format("d/M/yyyy"),
        returned_at: t.timestamp().format("M/d/yyyy H:mm"),
      },
      key: ["return_id"],
      watermark: "batch",
    });
    const pq = join(work, "returns.parquet");
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    await con.run(
      `COPY (SELECT * FROM (VALUES ('R1', DATE '2026-01-05', TIMESTAMP '2026-01-05 10:00'),
         ('R2', TIMESTAMP '2026-01-06', TIMESTAMPTZ '2026-01-05 10:00:00+02'), ('R3', TIMESTAMP '2026-01-07 08:00', TIMESTAMP '2026-01-05 10:00:30'))
         t(return_id, day, returned_at)) TO '${pq}' (FORMAT parquet)`,
    );
    con.closeSync();
    db.closeSync();
    expect(await validateFile(returns, pq)).toMatchObject({
      rows: 3,
      valid: 2,
      issues: [
        { row: 3, rule: "day.parse" },
        { row: 3, rule: "returned_at.parse" },
      ],
    });
  });

  it("validate reads the delimiter it is given, and gzip JSON", () => {
    const header =
      "Branch_ID;Dealer_ID;Model_ID;Revenue;Units_Sold;Date_ID;Day;Month;Year;BranchName;DealerName;Product_Name";
    const semi = join(work, "check-semi.csv");
    writeFileSync(
      semi,
      `${header}\nBR1;DLR1;M1;10;1;DT1;1;2;2020;B;D;P\nBR2;DLR1;M1;-3;1;DT1;2;2;2020;B;D;P\n`,
    );
    const r = cli(["validate", "car_sales", semi, "--delimiter", ";", "--json"]);
    oneBadRow(r.out, "revenue.min");
    const gz = join(work, "check.json.gz");
    const record = (revenue: number) =>
      Object.fromEntries(
        header
          .split(";")
          .map((k, i) => [k, ["BR1", "DLR1", "M1", revenue, 1, "DT1", 1, 2, 2020, "B", "D", "P"][i]]),
      );
    writeFileSync(gz, gzipSync(JSON.stringify([record(10), record(-3), record(12)])));
    const j = cli(["validate", "car_sales", gz, "--json"]);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out)).toMatchObject({
      rows: 3,
      valid: 2,
      invalid: 1,
      issues: [{ row: 2, rule: "revenue.min" }],
    });
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

  it("init scaffolds a project whose config loads outside the workspace", () => {
    const d = join(work, "newproj");
    expect(d.startsWith(repoRoot)).toBe(false);
    expect(cli(["init", d]).out).toMatch(/created saleslake\.config\.ts/);
    expect(existsSync(join(d, "entities", "returns.ts"))).toBe(true);
    expect(JSON.parse(readFileSync(join(d, "package.json"), "utf8")).dependencies).toHaveProperty(
      "@saleslake/cli",
    );
    // The config imports @saleslake/cli and the entity @saleslake/schema; nothing is installed in d.
    expect(existsSync(join(d, "node_modules"))).toBe(false);
    const plan = cli(["plan", "--dir", d, "--json"]);
    expect(plan.err).toBe("");
    expect(JSON.parse(plan.out).plans.map((x: { entity: string }) => x.entity)).toEqual(["sales_returns"]);
    // A project with no run yet has a status: nothing run, nothing landed.
    const status = cli(["status", "--dir", d]);
    expect(status.code).toBe(0);
    expect(status.out.split("\n")).toEqual([
      `no runs yet in ${d}: saleslake run processes what is landed`,
      "  sales_returns: nothing landed",
      "",
    ]);
    expect(cli(["runs", "--dir", d]).out).toBe("no runs yet\n");
    expect(JSON.parse(cli(["runs", "--dir", d, "--json"]).out)).toEqual({ runs: [] });
    expect(cli(["quarantine", "--dir", d]).out).toBe("no rows held back\n");
    expect(JSON.parse(cli(["quarantine", "--dir", d, "--json"]).out)).toEqual({
      entities: ["sales_returns"],
      rows: [],
    });
    // Its entity file imports @saleslake/schema, provided to schema diff as to the config.
    const entity = join(d, "entities", "returns.ts");
    const again = cli(["init", d]);
    expect(again.out).toMatch(/already has a project: nothing created, nothing changed/);
    const same = cli(["schema", "diff", entity, entity]);
    expect(same.err).toBe("");
    expect(same.code).toBe(0);
    expect(same.out).toMatch(/^no changes$/m);
    // Its commented source, uncommented, loads, and the generated pipelines read it on PostgreSQL.
    const config = readFileSync(join(d, "saleslake.config.ts"), "utf8");
    const uncommented = config.replace(/ {2}\/\/ sources: \{[\s\S]*?\n {2}\/\/ \},\n/, (block) =>
      block.replace(/^ {2}\/\/ ?/gm, "  "),
    );
    expect(uncommented).not.toBe(config);
    // So does its estate's lake, once it names a storage account; the placeholder is refused.
    const withLake = uncommented.replace(/^ {4}\/\/ (adls: .*)$/m, "    $1");
    expect(withLake).not.toBe(uncommented);
    writeFileSync(join(d, "saleslake.config.ts"), withLake);
    expect(cli(["generate", "--dir", d, "--out", join(work, "newproj-unnamed")]).err).toMatch(
      /^error INVALID_PROJECT_FILE: .*saleslake\.config\.ts: lake\.adls\.accountUrl "https:\/\/<storage account>\.blob\.core\.windows\.net" is not an https URL\n/,
    );
    writeFileSync(join(d, "saleslake.config.ts"), withLake.replace("<storage account>", "salesprod"));
    const out = join(work, "newproj-generated");
    const generated = cli(["generate", "--dir", d, "--out", out]);
    expect(generated.err).toBe("");
    expect(
      JSON.parse(readFileSync(join(out, "adf", "dataset", "ds_sales_returns_source.json"), "utf8"))
        .properties,
    ).toMatchObject({
      type: "AzurePostgreSqlTable",
      typeProperties: { schema: "erp", table: "returns" },
      linkedServiceName: {
        referenceName: "ls_source_postgres",
        parameters: { passwordSecret: "returns-db-password" },
      },
    });
  });

  it("init takes its folder as --dir too, as every project command does", () => {
    const d = join(work, "init-dir-option");
    const r = cli(["init", "--dir", d]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^created saleslake\.config\.ts/);
    expect(existsSync(join(d, "saleslake.config.ts"))).toBe(true);
    expect(cli(["init", d, "--dir", d]).out).toMatch(/already has a project: nothing created/);
    const both = cli(["init", join(work, "init-a"), "--dir", join(work, "init-b")]);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/^usage error: give the folder once: /);
    expect(existsSync(join(work, "init-a"))).toBe(false);
    expect(existsSync(join(work, "init-b"))).toBe(false);
  });

  it("init's next steps name the folder as a shell reads it back, spaces and quotes included", () => {
    const d = join(work, "it's my [sales]");
    const next = cli(["init", d]).out.match(/^next: .* saleslake run --dir (.+)$/m)?.[1];
    expect(next).toBeDefined();
    const echoed = spawnSync("sh", ["-c", `printf %s ${next}`], { encoding: "utf8" });
    expect(echoed.stdout).toBe(d);
  });

  it("a config that does not parse: the file and line, and a hint", () => {
    const d = join(work, "broken-config");
    cli(["init", d]);
    const file = join(d, "saleslake.config.ts");
    writeFileSync(file, readFileSync(file, "utf8").replace("entities: [returns],", "entities: [returns:],"));
    const line =
      readFileSync(file, "utf8")
        .split("\n")
        .findIndex((l) => l.includes("[returns:]")) + 1;
    const r = cli(["plan", "--dir", d]);
    expect(r.code).toBe(1);
    expect(r.err.trim().split("\n")).toEqual([
      `error INVALID_PROJECT_FILE: ${file}:${line}: Expected ',', got ':'`,
      expect.stringMatching(/^hint: Fix the syntax there/),
    ]);
  });

  it("a star the run would leave out is a config error: its entity not listed, or a second star over one", () => {
    const config = (entities: string, stars: string) =>
      `import { carSales, carSalesStar, salesOrderLines, salesOrderStar, defineStar } from "@saleslake/schema";
const units = defineStar({
  name: "dealer_units",
  entity: carSales,
  dimensions: [{ kind: "attribute", name: "dim_dealer_units", key: ["dealer_id"], attributes: [] }],
  fact: { name: "fact_dealer_units", measures: ["units_sold"] },
});
export default { ${entities} stars: [${stars}] };
`;
    const cases: [string, string, RegExp][] = [
      [
        "entities: [carSales],",
        "carSalesStar, salesOrderStar",
        /saleslake\.config\.ts: star sales_orders is built on entity sales_order_lines, which entities does not list \(entities: car_sales\)$/,
      ],
      [
        "",
        "salesOrderStar",
        /saleslake\.config\.ts: star sales_orders is built on entity sales_order_lines, which entities does not list \(entities is left out: the bundled car_sales is loaded\)$/,
      ],
      [
        "entities: [carSales, salesOrderLines],",
        "carSalesStar, salesOrderStar, units",
        /saleslake\.config\.ts: stars car_sales and dealer_units are both built on entity car_sales; one star per entity is built$/,
      ],
    ];
    for (const [i, [entities, stars, message]] of cases.entries()) {
      const d = join(work, `star-config-${i}`);
      mkdirSync(d);
      writeFileSync(join(d, "saleslake.config.ts"), config(entities, stars));
      for (const command of ["plan", "generate"]) {
        const r = cli([command, "--dir", d]);
        expect(r.code).toBe(1);
        const [line, hint] = r.err.trim().split("\n");
        expect(line).toMatch(/^error INVALID_PROJECT_FILE: /);
        expect(line).toMatch(message);
        expect(hint).toMatch(/^hint: /);
      }
      expect(existsSync(join(d, "generated"))).toBe(false);
    }
  });

  it("ingest says which columns of a file differ from the entity, and what the contract made of them", () => {
    const csv = join(work, "drift.csv");
    writeFileSync(csv, "ID,Extra,Till\nA,x,3\n");
    for (const unknownColumns of ["ignore", "rescue"]) {
      const d = join(work, `drift-${unknownColumns}`);
      mkdirSync(d);
      writeFileSync(
        join(d, "saleslake.config.ts"),
        `import { defineEntity, t } from "@saleslake/schema";
export default {
  entities: [
    defineEntity({
      name: "drift_demo",
      columns: { id: t.string().source("ID"), note: t.string().nullable().source("Note") },
      key: ["id"],
      contract: { unknownColumns: "${unknownColumns}", missingColumns: "null" },
    }),
  ],
};
`,
      );
      const r = cli(["ingest", "--dir", d, csv]);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      expect(r.out.trim().split("\n").slice(1)).toEqual([
        unknownColumns === "ignore"
          ? "  drift.csv: columns Extra, Till are not in drift_demo, not loaded: their values are in no table (contract unknownColumns: ignore)"
          : "  drift.csv: columns Extra, Till are not in drift_demo, kept as JSON in _rescued_data of bronze (contract unknownColumns: rescue)",
        "  drift.csv: no column Note: read as NULL (contract missingColumns: null)",
      ]);
    }
  });

  it("a mistake in the code of an entity file: the file and line, not only the message", () => {
    const d = join(work, "typo-entity");
    cli(["init", d]);
    const file = join(d, "entities", "returns.ts");
    writeFileSync(file, readFileSync(file, "utf8").replace("quantity: t.int()", "quantity: t.integer()"));
    const line =
      readFileSync(file, "utf8")
        .split("\n")
        .findIndex((l) => l.includes("t.integer()")) + 1;
    const r = cli(["plan", "--dir", d]);
    expect(r.code).toBe(1);
    expect(r.err.trim().split("\n")).toEqual([
      `error INVALID_PROJECT_FILE: ${file}:${line}: t.integer is not a function`,
      "hint: Fix the code there and run again.",
    ]);
  });

  it("report: the sales sections of the project's own star", () => {
    const d = join(work, "own-star");
    mkdirSync(d);
    writeFileSync(
      join(d, "saleslake.config.ts"),
      `import { defineConfig } from "@saleslake/cli";
import { carSales, defineStar } from "@saleslake/schema";
export default defineConfig({
  entities: [carSales],
  stars: [
    defineStar({
      name: "dealer_units",
      entity: carSales,
      dimensions: [{ kind: "attribute", name: "dim_dealer", key: ["dealer_id"], attributes: ["dealer_name"] }],
      fact: { name: "fact_dealer_units", measures: ["units_sold"] },
    }),
  ],
});
`,
    );
    expect(cli(["ingest", "--dir", d, carSalesSeedFiles.initial]).code).toBe(0);
    expect(cli(["run", "--dir", d]).code).toBe(0);
    const out = join(d, "report.html");
    expect(cli(["report", "--dir", d, "--out", out]).code).toBe(0);
    const html = readFileSync(out, "utf8");
    expect([...html.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1])).toEqual([
      "Sales by dealer",
      "Run history",
      "Rows per step",
      "Quarantine by rule",
    ]);
    const units = Number(queryJson(d, "select sum(units_sold) as u from gold.fact_dealer_units")[0].u);
    const cells = [...html.matchAll(/<tr><td>[^<]*<\/td><td[^>]*>(\d+)<\/td><\/tr>/g)].map((m) =>
      Number(m[1]),
    );
    expect(cells.length).toBeGreaterThan(3);
    expect(cells.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(units);
    expect(cells[0]).toBe(Math.max(...cells));
  });

  it("report: a quarantine table's name is data, never SQL", async () => {
    const d = join(work, "odd-quarantine");
    expect(cli(["ingest", "--dir", d, carSalesSeedFiles.initial]).code).toBe(0);
    expect(cli(["run", "--dir", d]).code).toBe(0);
    // A warehouse someone else made: a name that would close the report's string literal.
    const name = "it's' AS entity, 'injected' AS rule, 42 AS rows --";
    const db = await DuckDBInstance.create(join(d, "state", "warehouse.duckdb"));
    const con = await db.connect();
    await con.run(`CREATE TABLE quarantine."${name}" AS SELECT ['odd.rule'] AS rule_ids`);
    con.closeSync();
    db.closeSync();
    const out = join(d, "report.html");
    const r = cli(["report", "--dir", d, "--out", out]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const rows = quarantineByRule(readFileSync(out, "utf8")).filter(
      ([, rule]) => rule === "odd.rule" || rule === "injected",
    );
    // A table from before replays and repeats: its one row is held back.
    expect(rows).toEqual([
      ["it&#39;s&#39; AS entity, &#39;injected&#39; AS rule, 42 AS rows --", "odd.rule", "1", "0", "0"],
    ]);
  });

  it("generate --out is read from the current folder, like every other path", () => {
    expect(cli(["generate", "--dir", demoDir, "--out", "gen-here"]).code).toBe(0);
    expect(existsSync(join(work, "gen-here", "adf"))).toBe(true);
    expect(cli(["adf", "lint", "gen-here/adf"]).code).toBe(0);
  });

  it("an option's value the engine or a command refuses is a usage error, named", () => {
    for (const [args, message] of [
      [["run", "--dir", demoDir, "--memory-limit", "lots"], /^error INVALID_OPTION: .*lots/],
      [
        ["run", "--dir", demoDir, "--from", "2026-03-01", "--to", "2026-02-01"],
        /^error INVALID_OPTION: backfill window/,
      ],
      [
        ["runs", "--dir", demoDir, "--limit", "99999999999999999999"],
        /^usage error: --limit takes a whole number/,
      ],
    ] as const) {
      const r = cli([...args]);
      expect(r.err).toMatch(message);
      expect(r.code).toBe(2);
    }
  });

  it("generate into a project folder that is not there, or --out a file, is a usage error", () => {
    const typo = join(work, "no-such-project-to-generate");
    const r = cli(["generate", "--dir", typo]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^usage error: no such project folder: .*no-such-project-to-generate /);
    expect(existsSync(typo)).toBe(false);
    const file = join(work, "a-file");
    writeFileSync(file, "x");
    const f = cli(["generate", "--dir", demoDir, "--out", file]);
    expect(f.code).toBe(2);
    expect(f.err).toMatch(/^usage error: --out .*a-file is a file: give a folder to write into\n/);
  });
});

describe("usage and errors", () => {
  it("run in a folder that does not exist is refused and creates nothing; in one with nothing landed, says so", () => {
    const missing = join(work, "no-such-project");
    const r = cli(["run", "--dir", missing]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^usage error: no such project folder: .*no-such-project \(create one with saleslake init/,
    );
    expect(existsSync(missing)).toBe(false);
    const empty = join(work, "nothing-landed");
    mkdirSync(empty);
    const e = cli(["run", "--dir", empty]);
    expect(e.code).toBe(0);
    expect(e.out).toContain(`nothing landed yet in ${join(empty, "lake", "landing", "car_sales")}`);
  });

  it("a file to read that is not there, or one to write in a folder that is not, is a usage error", () => {
    const v = cli(["validate", "car_sales", join(work, "nosuch.csv")]);
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/^usage error: no such file: .*nosuch\.csv\n/);
    const out = join(work, "no-such-folder", "x");
    for (const args of [
      ["report", "--dir", demoDir, "--out", join(out, "r.html")],
      ["quarantine", "--dir", demoDir, "--export", join(out, "q.jsonl")],
    ]) {
      const r = cli(args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(
        /^usage error: --(out|export) .*: the folder .*no-such-folder\/x does not exist\n/,
      );
    }
    expect(existsSync(join(work, "no-such-folder"))).toBe(false);
  });

  it("schema diff of a module that is not there, or of a folder, is a usage error naming it", () => {
    const entity = join(work, "diff-entity.ts");
    const schemaUrl = new URL("../../../packages/schema/src/index.ts", import.meta.url).href;
    writeFileSync(
      entity,
      `import { defineEntity, t } from ${JSON.stringify(schemaUrl)};\nexport const o = defineEntity({ name: "o", columns: { id: t.int() }, key: ["id"] });\n`,
    );
    for (const [args, message] of [
      [["nosuch.ts", entity], /^usage error: no such file: nosuch\.ts\n/],
      [[entity, "nosuch.json"], /^usage error: no such file: nosuch\.json\n/],
      [[work, entity], /^usage error: .* is a folder: give the module \(or JSON export\) of one entity\n/],
    ] as const) {
      const r = cli(["schema", "diff", ...args]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
    }
  });

  it("output cut short by its reader (| head) ends the command quietly, with its own exit code", async () => {
    const child = spawn(
      process.execPath,
      [bin, "query", "--dir", demoDir, "--json", "select * from silver.car_sales, range(20)"],
      { cwd: work, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    // Read the first chunk, then close the pipe, as `head -c` does.
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(err).toBe("");
    expect(code).toBe(0);
  });

  it("usage errors exit 2", () => {
    expect(cli(["frobnicate"]).code).toBe(2);
    expect(cli(["run", "--from", "2026-01-01"]).code).toBe(2);
    for (const c of ["run", "plan"]) {
      const r = cli([c, "--dir", demoDir, "--entity", "nope"]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^usage error: no entity named nope; configured: car_sales\n/);
    }
    const limit = cli(["runs", "--dir", demoDir, "--limit", "abc"]);
    expect(limit.code).toBe(2);
    expect(limit.err).toMatch(/^usage error: --limit takes a whole number of runs, 1 or more, not "abc"$/m);
  });

  // One test per command: each spawns the CLI, and a busy machine makes ten in one test slow.
  it.each([
    "demo",
    "init",
    "ingest",
    "run",
    "plan",
    "status",
    "runs",
    "report",
    "query",
    "validate",
    "quarantine",
    "quarantine replay",
    "generate",
    "schema diff",
    "adf lint",
    "deploy",
  ])("--help of %s has examples", (c) => {
    const h = cli([...c.split(" "), "--help"]);
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/Examples:\n {2}\$ saleslake /);
  });

  it("--version and -V print the package's version alone", () => {
    const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    for (const flag of ["--version", "-V"])
      expect(cli([flag])).toMatchObject({ code: 0, out: `${version}\n`, err: "" });
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

describe("Ctrl-C during a run", () => {
  it("rolls back, releases the lock and exits 130; the next run does the work", async () => {
    const d = join(work, "interrupted");
    mkdirSync(d);
    writeFileSync(
      join(d, "saleslake.config.ts"),
      'import { defineConfig } from "@saleslake/cli";\nimport { salesOrderLines } from "@saleslake/schema";\nexport default defineConfig({ entities: [salesOrderLines] });\n',
    );
    const lines = [
      "OrderID,LineNo,order_date,customer_id,product_id,quantity,unit_price,discount_pct,currency,status,channel,updated_at,is_deleted",
    ];
    for (let i = 0; i < 400_000; i++)
      lines.push(
        `SO${String(i).padStart(8, "0")},1,2026-01-05,C000001,P-00001,1,10.00,,EUR,open,web,2026-01-05T10:00:00Z,false`,
      );
    const file = join(d, "orders.csv");
    writeFileSync(file, `${lines.join("\n")}\n`);
    expect(cli(["ingest", "--dir", d, file]).code).toBe(0);

    const lock = join(d, "state", "run.lock");
    const child = spawn(process.execPath, [bin, "run", "--dir", d], {
      cwd: work,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (b: Buffer) => {
      err += b.toString();
    });
    const closed = new Promise<number | null>((resolve) => child.once("close", resolve));
    // The lock is taken once the run has started; 400k rows keep it busy for seconds after.
    while (!existsSync(lock)) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    child.kill("SIGINT");
    expect(await closed).toBe(130);
    expect(err).toMatch(
      /^stopping: rolling back what is not committed \(press Ctrl-C again to stop at once\)\nerror INTERRUPTED: sales_order_lines: the run was interrupted before it committed; its data and watermarks are as they were\nhint: Run again/,
    );
    expect(existsSync(lock)).toBe(false);
    // Interrupted before or after its ledger entry was written: no run is left "running".
    const before = JSON.parse(cli(["runs", "--dir", d, "--json"]).out).runs as {
      run_id: string;
      status: string;
      error: string;
    }[];
    expect(before.length).toBeLessThanOrEqual(1);
    for (const r of before) expect([r.status, r.error.split(":")[0]]).toEqual(["failed", "INTERRUPTED"]);
    // The table lists a failed run's error whole, under it.
    const history = cli(["runs", "--dir", d]).out;
    for (const r of before) expect(history).toContain(`\nerrors:\n  ${r.run_id}  ${r.error}\n`);
    const again = cli(["run", "--dir", d, "--json"]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out).runs[0]).toMatchObject({ status: "succeeded", rowsInserted: 400_000 });
  }, 120_000);
});

describe("quarantine replay", () => {
  it("re-lands the fixed row, which reaches silver, and the quarantine entry is marked replayed", () => {
    const d = join(work, "replay");
    expect(cli(["demo", "--dir", d]).code).toBe(0);
    const file = join(work, "replay-fix.jsonl");
    const exported = cli(["quarantine", "--dir", d, "--export", file]);
    // The command it suggests, run as printed (from the same folder), replays into the same project.
    const next = /then: saleslake (quarantine replay .*)$/m.exec(exported.out)?.[1];
    expect(next).toBe(`quarantine replay --dir ${d} --entity car_sales ${file}`);
    const broken = readFileSync(file, "utf8");
    expect(broken.trim().split("\n")).toHaveLength(1);
    // 29/2/2019 does not exist: the dealer meant the 28th.
    writeFileSync(file, broken.replace('"Day":"29"', '"Day":"28"'));

    const r = cli([...next!.split(" "), "--json"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      entity: "car_sales",
      rows: 1,
      accepted: 1,
      quarantinedAgain: 0,
      resolved: 1,
      run: { rowsRead: 1, rowsInserted: 1, rowsQuarantined: 0 },
    });
    expect(queryJson(d, "select count(*) as n from silver.car_sales")).toEqual([{ n: "1853" }]);
    expect(
      queryJson(
        d,
        "select branch_id, dealer_id, model_id, date_id, cast(sale_date as varchar) as sale_date from silver.car_sales where date_id = 'DT00794' and branch_id = 'BR1665'",
      ),
    ).toEqual([
      {
        branch_id: "BR1665",
        dealer_id: "DLR0087",
        model_id: "Che-M47",
        date_id: "DT00794",
        sale_date: "2019-02-28",
      },
    ]);
    expect(JSON.parse(cli(["quarantine", "--dir", d, "--json"]).out).rows).toEqual([]);
    // The history keeps the row quarantined once; nothing is left waiting for a fix.
    expect(JSON.parse(cli(["status", "--dir", d, "--json"]).out).entities[0]).toMatchObject({
      rows_quarantined: "1",
      quarantine_open: 0,
    });
    const runs = JSON.parse(cli(["runs", "--dir", d, "--json"]).out).runs;
    expect(runs[0]).toMatchObject({ status: "succeeded", rows_read: "1", rows_accepted: "1" });
    // The report counts the fixed row as replayed, no longer held back, and charts nothing.
    const report = join(d, "report.html");
    expect(cli(["report", "--dir", d, "--out", report]).code).toBe(0);
    const html = readFileSync(report, "utf8");
    expect(quarantineByRule(html)).toEqual([["car_sales", "sale_date.parse", "0", "1", "0"]]);
    expect(html).toContain("No rows held back.");
    expect(html).not.toContain("Rows held back by rule");
  });

  it("a CSV row with fields past its header is exported with them, and replays with the header's", () => {
    const d = join(work, "replay-extra");
    expect(cli(["demo", "--dir", d]).code).toBe(0);
    const file = join(work, "replay-extra.jsonl");
    cli(["quarantine", "--dir", d, "--export", file]);
    const {
      _saleslake_batch_id: _first,
      _saleslake_source_file: _part,
      _saleslake_row_number: _row,
      ...leap
    } = JSON.parse(readFileSync(file, "utf8").trim()) as Record<string, string>;
    // The same sale landed again on the right day, with two fields more: held back for them.
    const cell = (v: string) => `"${v.replaceAll('"', '""')}"`;
    const csv = join(work, "replay-extra.csv");
    const fixed = { ...leap, Day: "28" };
    writeFileSync(
      csv,
      `${Object.keys(fixed).join(",")}\n${Object.values(fixed).map(cell).join(",")},x,"y, z"\n`,
    );
    expect(cli(["ingest", "--dir", d, csv]).code).toBe(0);
    cli(["run", "--dir", d]);
    cli(["quarantine", "--dir", d, "--entity", "car_sales", "--export", file]);
    const held = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(held).toHaveLength(2);
    expect(held).toContainEqual({
      ...fixed,
      _saleslake_extra_fields: ["x", "y, z"],
      _saleslake_batch_id: expect.stringMatching(/^[0-9]{8}T[0-9]{9}Z-[0-9a-f]{8}$/),
      _saleslake_source_file: expect.stringMatching(/^landing\/car_sales\/ingest_date=.*\/part-00000\.csv$/),
      _saleslake_row_number: 1,
    });
    writeFileSync(file, readFileSync(file, "utf8").replace('"Day":"29"', '"Day":"28"'));
    const r = cli(["quarantine", "replay", "--dir", d, "--entity", "car_sales", file, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ rows: 2, accepted: 2, quarantinedAgain: 0, resolved: 2 });
    const rescued = cli([
      "query",
      "--dir",
      d,
      "--json",
      "select count(*) as n from bronze.car_sales where _rescued_data is not null",
    ]);
    expect(JSON.parse(rescued.out)).toEqual([{ n: "0" }]);
  });

  it("a fixed row takes the place of its first landing: a version of its key landed after it wins", () => {
    // car_sales has no sequence column: of two versions of a key, the one landed last is newest.
    const d = join(work, "replay-order");
    expect(cli(["demo", "--dir", d]).code).toBe(0);
    const file = join(work, "replay-order.jsonl");
    cli(["quarantine", "--dir", d, "--export", file]);
    const {
      _saleslake_batch_id: first,
      _saleslake_source_file: _part,
      _saleslake_row_number: _row,
      ...leap
    } = JSON.parse(readFileSync(file, "utf8").trim()) as Record<string, string>;
    expect(first).toMatch(/^[0-9]{8}T[0-9]{9}Z-[0-9a-f]{8}$/);
    // The dealer sends the sale again, on the right day and at a corrected revenue, and it lands.
    const csv = join(work, "replay-order.csv");
    const corrected = { ...leap, Day: "28", Revenue: "12345" };
    const cell = (v: string) => `"${v.replaceAll('"', '""')}"`;
    writeFileSync(
      csv,
      `${Object.keys(corrected).join(",")}\n${Object.values(corrected).map(cell).join(",")}\n`,
    );
    expect(cli(["ingest", "--dir", d, csv]).code).toBe(0);
    expect(cli(["run", "--dir", d]).code).toBe(0);
    const revenue = () =>
      queryJson(
        d,
        "select cast(revenue as varchar) as revenue, count(*) over () as n from silver.car_sales where date_id = 'DT00794' and branch_id = 'BR1665'",
      );
    expect(revenue()).toEqual([{ revenue: "12345", n: "1" }]);

    // Then the first landing's row is fixed and replayed: it is older than the corrected one.
    writeFileSync(file, readFileSync(file, "utf8").replace('"Day":"29"', '"Day":"28"'));
    const r = cli(["quarantine", "replay", "--dir", d, "--entity", "car_sales", file, "--json"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out).toMatchObject({
      rows: 1,
      accepted: 1,
      resolved: 1,
      run: { rowsInserted: 0, rowsUpdated: 0, rowsStale: 1 },
    });
    expect(out.batchIds).toHaveLength(1);
    expect(out.batchIds[0] > first!).toBe(true);
    expect(revenue()).toEqual([{ revenue: "12345", n: "1" }]);
    expect(JSON.parse(cli(["quarantine", "--dir", d, "--json"]).out).rows).toEqual([]);

    // A row that names no batch is a new landing, and wins as the newest.
    writeFileSync(file, `${JSON.stringify({ ...leap, Day: "28", Revenue: "777" })}\n`);
    const fresh = JSON.parse(
      cli(["quarantine", "replay", "--dir", d, "--entity", "car_sales", file, "--json"]).out,
    );
    expect(fresh).toMatchObject({ run: { rowsUpdated: 1 } });
    expect(revenue()).toEqual([{ revenue: "777", n: "1" }]);
    writeFileSync(file, `${JSON.stringify({ ...leap, _saleslake_batch_id: "yesterday" })}\n`);
    const bad = cli(["quarantine", "replay", "--dir", d, "--entity", "car_sales", file]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/replay-order\.jsonl:1: _saleslake_batch_id is "yesterday", not a batch id/);
  });

  it("a row quarantined for its key, fixed there, resolves its entry and reaches silver", () => {
    const d = join(work, "replay-key");
    expect(cli(["demo", "--dir", d]).code).toBe(0);
    // A sale whose branch code is mangled (too long for the key column): held back.
    const sale = ["BR9901-BR9901-BR9901", "DLR9901", "Che-M47", "1000", "1", "DT99901", "3", "3", "2020"];
    const csv = join(work, "replay-key.csv");
    writeFileSync(csv, `${CAR_SALES_HEADER}\n${[...sale, "North", "Dana", "Chevrolet"].join(",")}\n`);
    expect(cli(["ingest", "--dir", d, csv]).code).toBe(0);
    cli(["run", "--dir", d]);
    const file = join(work, "replay-key.jsonl");
    cli(["quarantine", "--dir", d, "--export", file]);
    const exported = readFileSync(file, "utf8");
    expect(exported.trim().split("\n")).toHaveLength(2);
    // Both fixed: the branch code, a column of the key, and the leap day of the demo's row.
    writeFileSync(
      file,
      exported.replace('"BR9901-BR9901-BR9901"', '"BR9901"').replace('"Day":"29"', '"Day":"28"'),
    );
    const r = cli(["quarantine", "replay", "--dir", d, "--entity", "car_sales", file, "--json"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      rows: 2,
      accepted: 2,
      quarantinedAgain: 0,
      resolved: 2,
      superseded: 0,
    });
    expect(JSON.parse(cli(["quarantine", "--dir", d, "--json"]).out).rows).toEqual([]);
    expect(
      queryJson(
        d,
        "select branch_id, dealer_id, cast(sale_date as varchar) as sale_date from silver.car_sales where date_id = 'DT99901'",
      ),
    ).toEqual([{ branch_id: "BR9901", dealer_id: "DLR9901", sale_date: "2020-03-03" }]);
    expect(JSON.parse(cli(["status", "--dir", d, "--json"]).out).entities[0]).toMatchObject({
      rows_quarantined: "2",
      quarantine_open: 0,
    });
  });

  it("a row still broken is listed once, under its replay, until a real fix resolves it; the replay exits 1", () => {
    const d = join(work, "replay-bad");
    expect(cli(["demo", "--dir", d]).code).toBe(0);
    const file = join(work, "replay-bad.jsonl");
    cli(["quarantine", "--dir", d, "--export", file]);
    const first = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
    const r = cli(["quarantine", "replay", "--dir", d, file]); // not fixed
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /1 quarantined again; 0 quarantine entries marked replayed, 1 superseded by the row quarantined again/,
    );
    // The row's new entry, under the replay batch, takes the place of the first.
    const again = JSON.parse(cli(["quarantine", "--dir", d, "--json"]).out).rows;
    const replay = batchIdAfter(first._saleslake_batch_id!);
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ _batch_id: replay, _row_number: "1" });
    expect(JSON.parse(cli(["status", "--dir", d, "--json"]).out).entities[0]).toMatchObject({
      rows_quarantined: "2",
      quarantine_open: 1,
    });

    // Exported again, it names the replay batch, and lands right after it: still where the row
    // was first landed in landing order.
    cli(["quarantine", "--dir", d, "--export", file]);
    const second = readFileSync(file, "utf8");
    expect(JSON.parse(second)).toMatchObject({ _saleslake_batch_id: replay, _saleslake_row_number: 1 });
    writeFileSync(file, second.replace('"Day":"29"', '"Day":"28"'));
    const fixed = cli(["quarantine", "replay", "--dir", d, file, "--json"]);
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.out)).toMatchObject({
      batchIds: [batchIdAfter(replay)],
      accepted: 1,
      quarantinedAgain: 0,
      resolved: 1,
      superseded: 0,
      run: { rowsInserted: 1 },
    });
    expect(JSON.parse(cli(["quarantine", "--dir", d, "--json"]).out).rows).toEqual([]);
    expect(
      queryJson(
        d,
        "select cast(sale_date as varchar) as sale_date from silver.car_sales where date_id = 'DT00794' and branch_id = 'BR1665'",
      ),
    ).toEqual([{ sale_date: "2019-02-28" }]);

    // The fields naming the entry are checked, line by line.
    const line = JSON.parse(second) as Record<string, unknown>;
    const refused = (fields: Record<string, unknown>) => {
      writeFileSync(file, `${JSON.stringify({ ...line, ...fields })}\n`);
      const bad = cli(["quarantine", "replay", "--dir", d, file]);
      expect(bad.code).toBe(1);
      return bad.err;
    };
    expect(refused({ _saleslake_source_file: "SalesData.csv" })).toMatch(
      /replay-bad\.jsonl:1: _saleslake_source_file is "SalesData\.csv", not a landed part of batch \S+ of car_sales/,
    );
    expect(refused({ _saleslake_row_number: "one" })).toMatch(
      /replay-bad\.jsonl:1: _saleslake_row_number is "one", not a row number/,
    );
    expect(refused({ _saleslake_row_number: undefined })).toMatch(
      /replay-bad\.jsonl:1: no _saleslake_row_number \(leave _saleslake_batch_id, _saleslake_source_file and _saleslake_row_number as exported, or take all three out/,
    );
    writeFileSync(file, second + second);
    expect(cli(["quarantine", "replay", "--dir", d, file]).err).toMatch(
      /replay-bad\.jsonl:2: the same quarantined row as line 1/,
    );
    writeFileSync(file, "not json\n");
    const bad = cli(["quarantine", "replay", "--dir", d, file]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^error INVALID_REPLAY_FILE: .*replay-bad\.jsonl:1: not a JSON object/);
  });
});

describe("adf lint", () => {
  it("lints the project's generated factory by default", () => {
    const r = cli(["adf", "lint", "--dir", demoDir, "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ source: null, errors: 0, findings: [] });
    expect(j.counts.pipeline).toBeGreaterThan(0);
    expect(cli(["adf", "lint", "--dir", demoDir]).out).toMatch(
      /the project's generated factory: \d+ linked services, \d+ datasets, 1 pipeline, 1 trigger; 0 errors, 0 warnings/,
    );
  });

  it("names the artifact, activity and expression of a hand-broken pipeline", () => {
    const out = join(work, "adf-gen");
    expect(cli(["generate", "--dir", demoDir, "--out", out]).code).toBe(0);
    const folder = join(out, "adf");
    expect(cli(["adf", "lint", folder]).code).toBe(0);
    const file = join(folder, "pipeline", "pl_car_sales.json");
    const doc = JSON.parse(readFileSync(file, "utf8"));
    const silver = doc.properties.activities.find((a: { name: string }) => a.name === "silver");
    silver.typeProperties.baseParameters.run_id = "@activity('Lookup old watermark').output.firstRow.value";
    silver.typeProperties.baseParameters.batch_id = "@concat('batch=', pipeline().RunId";
    writeFileSync(file, JSON.stringify(doc, null, 2));

    const r = cli(["adf", "lint", folder]);
    expect(r.code).toBe(1);
    const lines = r.out.trim().split("\n");
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^error unknown-activity: pipeline pl_car_sales, activity "silver": .*Lookup old watermark.* in "@activity\('Lookup old watermark'\)\.output\.firstRow\.value"/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^error expression-syntax: pipeline pl_car_sales, activity "silver": .* in "@concat\('batch=', pipeline\(\)\.RunId"/,
      ),
    );
    expect(lines.at(-1)).toMatch(/; 2 errors, 0 warnings$/);
    const j = JSON.parse(cli(["adf", "lint", folder, "--json"]).out);
    expect(j.errors).toBe(2);
    expect(
      j.findings.map((f: { rule: string; artifact: string; activity: string }) => [
        f.rule,
        f.artifact,
        f.activity,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ["unknown-activity", "pl_car_sales", "silver"],
        ["expression-syntax", "pl_car_sales", "silver"],
      ]),
    );
    // A folder that is not there, or a file, is a usage error; a folder without the factory's
    // layout is named as such.
    const none = cli(["adf", "lint", join(work, "nowhere")]);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/^usage error: no such folder: .*nowhere\n/);
    const aFile = cli(["adf", "lint", file]);
    expect(aFile.code).toBe(2);
    expect(aFile.err).toMatch(/^usage error: .*pl_car_sales\.json is a file: give the factory's folder\n/);
    const notFactory = cli(["adf", "lint", join(folder, "pipeline")]);
    expect(notFactory.code).toBe(1);
    expect(notFactory.err).toMatch(/^error INVALID_OPTIONS: .* is not a Data Factory folder.*\nhint: /);
  });
});

describe("deploy", () => {
  const noAzure = { AZURE_SUBSCRIPTION_ID: "", SALESLAKE_ENV: "" };

  it("without Azure credentials: the whole plan, then one line and a hint, exit 1", () => {
    const r = cli(["deploy", "--dir", demoDir, "--env", "dev"], noAzure);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^deploy plan for dev: .*resource group saleslake-dev/);
    for (const step of ["build", "infra", "control-db", "synapse-views", "databricks", "factory", "triggers"])
      expect(r.out).toMatch(new RegExp(`^ {2}\\d\\. ${step}: `, "m"));
    expect(r.err.trim().split("\n")).toEqual([
      expect.stringMatching(/^error NO_CREDENTIALS: no Azure subscription given: nothing was deployed$/),
      expect.stringMatching(/^hint: Set AZURE_SUBSCRIPTION_ID/),
    ]);
  });

  it("--dry-run prints the plan and each Data Factory artifact, and changes nothing", () => {
    const r = cli(["deploy", "--dir", demoDir, "--dry-run", "--env", "test"], noAzure);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^deploy plan for test: /);
    expect(r.out).toMatch(/^ {2}pipeline pl_car_sales$/m);
    expect(r.out).toMatch(/^ {2}trigger tr_car_sales_file_drop$/m);
    const j = JSON.parse(
      cli(["deploy", "--dir", demoDir, "--dry-run", "--env", "test", "--json"], noAzure).out,
    );
    expect(j).toMatchObject({ env: "test", dryRun: true });
    expect(j.artifacts).toContainEqual({ type: "pipeline", name: "pl_car_sales", action: "not compared" });
    expect(cli(["deploy", "--dir", demoDir, "--env", "staging"], noAzure).code).toBe(2);
  });
});
