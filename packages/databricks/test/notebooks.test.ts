import { carSales, carSalesStar, salesOrderLines, salesOrderStar } from "@saleslake/schema";
import { describe, expect, it } from "vitest";
import { generateNotebooks } from "../src/index.ts";

describe("generated notebooks", () => {
  it.each([
    ["car_sales", generateNotebooks(carSales, carSalesStar)],
    ["sales_order_lines", generateNotebooks(salesOrderLines, salesOrderStar)],
  ] as const)("%s: one per step, widgets, JSON exit; whole-text goldens", async (entity, notebooks) => {
    expect(notebooks.map((n) => n.path)[0]).toBe(`/Workspace/saleslake/${entity}/bronze`);
    for (const nb of notebooks) {
      expect(nb.source.startsWith("# Databricks notebook source\n")).toBe(true);
      expect(nb.source).toContain('dbutils.widgets.text(_p, "")');
      expect(nb.source).toContain("dbutils.notebook.exit(json.dumps(counts))");
      await expect(nb.source).toMatchFileSnapshot(`__golden__/${entity}/${nb.stepId}.py`);
    }
  });
});
