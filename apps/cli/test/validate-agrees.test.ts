import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/**
 * `saleslake validate` against the engine, row for row: a file validate calls clean loads with
 * nothing quarantined, and the rows and rules it reports are the ones a run quarantines.
 */

const bin = new URL("../src/bin.ts", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "saleslake-validate-agrees-"));

afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    cwd: work,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const ENTITY = `import { defineEntity, t } from "@saleslake/schema";

export const payments = defineEntity({
  name: "payments",
  columns: {
    id: t.string(),
    amount: t.decimal(8, 2).nullable().check("positive", "amount > 0", "amount must be positive"),
    qty: t.int().nullable(),
    paid_at: t.timestamp().nullable(),
    paid_on: t.date().nullable(),
  },
  key: ["id"],
  watermark: "batch",
  checks: [
    { id: "qty_known", sql: "qty IS NOT NULL", message: "qty is unknown" },
    { id: "same_day", sql: "CAST(paid_at AS DATE) = paid_on", message: "paid on another day", severity: "warn" },
  ],
  contract: { missingColumns: "null" },
});
`;

const CONFIG = `import { defineConfig } from "@saleslake/cli";
import { salesOrderLines } from "@saleslake/schema";
import { payments } from "./entities/payments.ts";

export default defineConfig({
  entities: [salesOrderLines, payments],
  lake: { root: "lake" },
});
`;

let projects = 0;

/** A new project folder, its lake empty. */
function project(): string {
  const dir = join(work, `p${++projects}`);
  mkdirSync(join(dir, "entities"), { recursive: true });
  writeFileSync(join(dir, "entities", "payments.ts"), ENTITY);
  writeFileSync(join(dir, "saleslake.config.ts"), CONFIG);
  return dir;
}

type Outcome = { refused: string } | { broken: string[] };

/** What `validate --json` says of the file: the error code it refuses it with, or each `row:rule` it reports. */
function validate(dir: string, entity: string, file: string): Outcome {
  const r = cli(["validate", "--dir", dir, "--json", entity, file]);
  // A file with broken rows exits non-zero with its report; a refused file prints no report.
  if (!r.out.trim().startsWith("{")) return { refused: /error ([A-Z_]+)/.exec(r.err)?.[1] ?? r.err };
  const result = JSON.parse(r.out) as { issues: { row: number; rule: string }[] };
  return { broken: result.issues.map((i) => `${i.row}:${i.rule}`).sort() };
}

/** What landing and a run make of the file: the error code ingest refuses it with, or each quarantined `row:rule`. */
function load(dir: string, entity: string, file: string): Outcome {
  const landed = cli(["ingest", "--dir", dir, "--entity", entity, file]);
  if (landed.code !== 0) return { refused: /error ([A-Z_]+)/.exec(landed.err)?.[1] ?? landed.err };
  const run = cli(["run", "--dir", dir, "--entity", entity]);
  expect(run.err).toBe("");
  expect(run.code).toBe(0);
  const q = cli(["quarantine", "--dir", dir, "--entity", entity, "--json"]);
  expect(q.code).toBe(0);
  const rows = (JSON.parse(q.out) as { rows: { _row_number: string; rule_ids: string[] }[] }).rows;
  return { broken: rows.flatMap((r) => r.rule_ids.map((id) => `${r._row_number}:${id}`)).sort() };
}

/** Validate and ingest + run on one file, each in its own project; both outcomes. */
function both(entity: string, name: string, content: string) {
  const dir = project();
  const file = join(dir, name);
  writeFileSync(file, content);
  return { validate: validate(dir, entity, file), engine: load(project(), entity, file) };
}

const ORDER_HEADER =
  "OrderID,LineNo,order_date,customer_id,product_id,quantity,unit_price,discount_pct,currency,status,channel,updated_at,is_deleted";
const order = (line: number, quantity: string, price: string, currency = "EUR") =>
  `SO00000001,${line},2024-01-05,C000001,P-00001,${quantity},${price},,${currency},open,web,2024-01-05T10:00:00Z,`;

describe("validate agrees with ingest + run", () => {
  it("runs an entity's SQL checks, as the run does", () => {
    const csv = [
      ORDER_HEADER,
      order(1, "1", "10.00"),
      // 100000 × 9999.99 is past the entity's net_amount_bounded check.
      order(2, "100000", "9999.99"),
      order(3, "100000", "9999.99", "eur"),
      order(4, "2", "5.00"),
    ].join("\n");
    const { validate, engine } = both("sales_order_lines", "orders.csv", `${csv}\n`);
    expect(engine).toEqual({
      broken: ["2:row.net_amount_bounded", "3:currency.enum", "3:row.net_amount_bounded"],
    });
    expect(validate).toEqual(engine);
  });

  it("runs column checks and entity checks on typed values, NULL where a value did not parse", () => {
    const csv = [
      "id,amount,qty,paid_at,paid_on",
      "a,1,1,2024-01-05T23:30:00-01:00,2024-01-06",
      "b,-1,1,,",
      "c,x,1,,",
      "d,,,,",
      "e,0,y,2024-01-05T10:00:00Z,2024-01-05",
    ].join("\n");
    const { validate, engine } = both("payments", "payments.csv", `${csv}\n`);
    expect(engine).toEqual({
      broken: [
        "2:amount.positive",
        "3:amount.parse",
        "4:row.qty_known",
        "5:amount.positive",
        "5:qty.parse",
        "5:row.qty_known",
      ],
    });
    expect(validate).toEqual(engine);
  });

  it("runs the checks on JSON Lines numbers as the engine reads them", () => {
    const jsonl = [
      '{"id":"a","amount":1.5,"qty":1}',
      '{"id":"b","amount":-0.5,"qty":null}',
      '{"id":"c","amount":1e2,"qty":2}',
      '{"id":"d","amount":0.0,"qty":3}',
    ].join("\n");
    const { validate, engine } = both("payments", "payments.jsonl", `${jsonl}\n`);
    expect(engine).toEqual({ broken: ["2:amount.positive", "2:row.qty_known", "4:amount.positive"] });
    expect(validate).toEqual(engine);
  });

  it("refuses a JSON Lines file with a lone surrogate escape, as landing does", () => {
    const { validate, engine } = both(
      "payments",
      "lone.jsonl",
      '{"id":"a","qty":1}\n{"id":"b\\ud800","qty":1}\n',
    );
    expect(engine).toEqual({ refused: "MALFORMED_JSON" });
    expect(validate).toEqual(engine);
    // A surrogate pair escapes one character: both take it.
    const pair = both("payments", "pair.jsonl", '{"id":"\\ud83d\\ude00","qty":1}\n');
    expect(pair.engine).toEqual({ broken: [] });
    expect(pair.validate).toEqual(pair.engine);
  });

  it("refuses a JSON array with a lone surrogate escape in a key or a value, as landing does", () => {
    for (const record of ['{"id":"b","qty":1,"x\\udc00":1}', '{"id":"x\\udc00","qty":1}']) {
      const { validate, engine } = both("payments", "lone.json", `[{"id":"a","qty":1},${record}]`);
      expect(engine).toEqual({ refused: "MALFORMED_JSON" });
      expect(validate).toEqual(engine);
    }
  });
});
