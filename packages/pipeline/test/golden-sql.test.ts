import { carSales, carSalesStar, customers, salesOrderLines, salesOrderStar } from "@saleslake/schema";
import { describe, expect, it } from "vitest";
import {
  buildPlan,
  DuckdbCompiler,
  duckdbContext,
  SparkCompiler,
  sparkNotebookContext,
} from "../src/index.ts";

const plans = [
  buildPlan(carSales, carSalesStar),
  buildPlan(salesOrderLines, salesOrderStar),
  buildPlan(customers),
];
const compilers = [
  {
    name: "duckdb",
    compiler: new DuckdbCompiler(),
    ctx: duckdbContext("run-golden", new Date("2026-01-01T00:00:00Z"), "incremental"),
  },
  { name: "spark", compiler: new SparkCompiler(), ctx: sparkNotebookContext() },
] as const;

// Whole-text goldens per dialect and plan. Regenerate with `vitest run -u` and review the diff.
describe.each(compilers)("$name SQL", ({ name, compiler, ctx }) => {
  it.each(plans.map((p) => [p.entity.name, p] as const))("%s", async (entity, plan) => {
    const ddl = compiler.ddl(plan, ctx).map((s) => `${s.sql};`);
    const steps = compiler
      .compile(plan, ctx)
      .flatMap((s) => [`-- step ${s.id} (${s.kind})`, ...s.statements.map((st) => `${st.sql};`)]);
    await expect([...ddl, "", ...steps].join("\n\n")).toMatchFileSnapshot(`__golden__/${name}/${entity}.sql`);
  });
});

// A first load (or a full refresh) into an empty silver: the classified delta is a view, with no
// join; gold reads it through views (the fact's source, the changed keys), the aggregate through
// a source of its own joined to the dimensions it groups by, and the dimensions' members are found
// and numbered before the run's transaction, from the delta.
it.each([
  ["sales_order_lines", "silver"],
  ["sales_order_lines", "dimension"],
  ["sales_order_lines", "fact"],
  ["car_sales", "dimension"],
] as const)("duckdb SQL of a first load: %s, the %s step", async (entity, kind) => {
  const compiler = new DuckdbCompiler();
  const ctx = {
    ...duckdbContext("run-golden", new Date("2026-01-01T00:00:00Z"), "incremental"),
    silverEmpty: true,
  };
  const plan = plans.find((p) => p.entity.name === entity)!;
  const step = compiler.compile(plan, ctx).find((s) => s.kind === kind);
  const text = step?.statements.map((st) => `${st.prepare ? "-- before the transaction\n" : ""}${st.sql};`);
  await expect(text?.join("\n\n")).toMatchFileSnapshot(`__golden__/duckdb/${entity}.first-load.${kind}.sql`);
});

// A part of one file (its batch and file are constants of the view, not columns of its stage),
// then a part of several small files read together (each row's file and batch are stored).
it("duckdb SQL of the bronze step of a one-file part and a grouped part", async () => {
  const compiler = new DuckdbCompiler();
  const ctx = {
    ...duckdbContext("run-golden", new Date("2026-01-01T00:00:00Z"), "incremental"),
    landingParts: 2,
    groupedParts: [1],
    partLineage: [
      {
        batchId: "20260101T000000000Z-0a1b2c3d",
        sourceFile:
          "landing/sales_order_lines/ingest_date=2026-01-01/batch=20260101T000000000Z-0a1b2c3d/part-00000.csv",
      },
      undefined,
    ],
  };
  const bronze = compiler.compile(buildPlan(salesOrderLines), ctx).find((s) => s.kind === "bronze");
  await expect(bronze?.statements.map((st) => `${st.sql};`).join("\n\n")).toMatchFileSnapshot(
    "__golden__/duckdb/sales_order_lines.parts.bronze.sql",
  );
});

describe("the plan", () => {
  it("orders steps bronze → silver → dimensions → fact → aggregate", () => {
    const plan = buildPlan(carSales, carSalesStar);
    expect(plan.steps.map((s) => [s.id, s.dependsOn])).toEqual([
      ["bronze", []],
      ["silver", ["bronze"]],
      ["dim_branch", ["silver"]],
      ["dim_dealer", ["silver"]],
      ["dim_model", ["silver"]],
      ["dim_date", ["silver"]],
      ["fact_sales", ["dim_branch", "dim_dealer", "dim_model", "dim_date"]],
      ["agg_sales_daily", ["fact_sales"]],
    ]);
    expect(() => buildPlan(customers, carSalesStar)).toThrow(/built on car_sales, not customers/);
  });
});
