import { defineEntity, t } from "@saleslake/schema";
import { describe, expect, it } from "vitest";
import { describeQuarantine } from "../src/commands/describe-quarantine.ts";

const returns = defineEntity({
  name: "sales_returns",
  columns: {
    return_id: t.string().source("ReturnID", "Return Id"),
    quantity: t.int().min(1),
    returned_on: t.date().composedFrom(["Day", "Month", "Year"], "/").format("d/M/yyyy"),
  },
  key: ["return_id"],
  watermark: "batch",
  checks: [{ id: "positive", sql: "quantity > 0", message: "the quantity is not positive" }],
});

const held = (row: number, ruleIds: string[], messages: string[], raw: Record<string, unknown>) => ({
  entity: "sales_returns",
  source: row === 9 ? null : "returns.csv",
  _batch_id: "20261207T000000000Z-00000000",
  _source_file:
    "landing/sales_returns/ingest_date=2026-12-07/batch=20261207T000000000Z-00000000/part-00000.csv",
  _row_number: String(row),
  rule_ids: ruleIds,
  messages,
  raw: JSON.stringify(raw),
});

describe("quarantine as text", () => {
  const rows = [
    held(
      2,
      ["quantity.min", "returned_on.parse", "row.positive"],
      [
        "quantity: below the minimum 1",
        "returned_on: not a valid date in format d/M/yyyy",
        "the quantity is not positive",
      ],
      { "return id": "R2", quantity: "0", Day: "31", Month: "2", Year: "2026", Note: "x".repeat(80) },
    ),
    held(9, ["return_id.not_null", "gone.rule"], ["return_id: a value is required", "from an older schema"], {
      ReturnID: null,
      quantity: "1\n2",
    }),
  ];

  // As the warehouse counts them: most first, then by name.
  const summary = {
    entity: "sales_returns",
    rows: 2,
    rules: [
      ["gone.rule", 1],
      ["quantity.min", 1],
      ["return_id.not_null", 1],
      ["returned_on.parse", 1],
      ["row.positive", 1],
    ] as const,
  };

  it("counts rows per rule, then shows each row's rules, the values they read, and its raw values whole", () => {
    expect(describeQuarantine([summary], rows, [returns]).split("\n")).toEqual([
      "sales_returns: 2 rows held back",
      "  rule                rows",
      "  gone.rule           1",
      "  quantity.min        1",
      "  return_id.not_null  1",
      "  returned_on.parse   1",
      "  row.positive        1",
      "",
      "sales_returns  returns.csv  row 2",
      '  quantity.min       quantity: below the minimum 1  (quantity "0")',
      '  returned_on.parse  returned_on: not a valid date in format d/M/yyyy  (Day "31", Month "2", Year "2026")',
      "  row.positive       the quantity is not positive",
      `  raw: {"return id":"R2","quantity":"0","Day":"31","Month":"2","Year":"2026","Note":"${"x".repeat(80)}"}`,
      "",
      // No source recorded (the batch's manifest is gone): the landed part; a rule the entity no
      // longer has: its message alone; the raw text as stored, its line break escaped.
      "sales_returns  landing/sales_returns/ingest_date=2026-12-07/batch=20261207T000000000Z-00000000/part-00000.csv  row 9",
      "  return_id.not_null  return_id: a value is required  (ReturnID null)",
      "  gone.rule           from an older schema",
      '  raw: {"ReturnID":null,"quantity":"1\\n2"}',
    ]);
  });

  it("shows the rows it is given, and says how many more there are", () => {
    const out = describeQuarantine([summary], rows.slice(0, 1), [returns]).split("\n");
    expect(out.filter((l) => l.startsWith("sales_returns  "))).toEqual(["sales_returns  returns.csv  row 2"]);
    expect(out.at(-1)).toBe("1 more row not shown: --limit N, --json, or --export FILE for all");
    expect(out).toContain("  return_id.not_null  1"); // the counts cover every row
  });

  it("says so when nothing is held back", () => {
    expect(describeQuarantine([], [], [returns])).toBe("no rows held back");
    expect(describeQuarantine([{ entity: "sales_returns", rows: 0, rules: [] }], [], [returns])).toBe(
      "no rows held back",
    );
  });
});
