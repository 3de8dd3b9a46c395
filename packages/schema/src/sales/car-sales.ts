import { t } from "../dsl/column-builder.ts";
import { defineEntity } from "../dsl/define-entity.ts";
import { defineStar } from "../dsl/define-star.ts";

/**
 * The car-sales feed of the original project (`SalesData.csv`, `IncrementalSales.csv`): one row
 * per branch, dealer, model and Date_ID. Files carry no change time, so new rows are found by
 * landing batch; Date_ID is a surrogate string, not a date, so the sale date comes from
 * Day/Month/Year.
 */
export const carSales = defineEntity({
  name: "car_sales",
  description: "Car sales per branch, dealer, model and day, as exported by the dealer network.",
  domain: "sales",
  columns: {
    branch_id: t.string().source("Branch_ID").length(1, 16).describe("Selling branch code, e.g. BR0001."),
    dealer_id: t.string().source("Dealer_ID").length(1, 16).describe("Dealer code, e.g. DLR0001."),
    model_id: t.string().source("Model_ID").length(1, 16).describe("Car model code, e.g. BMW-M1."),
    revenue: t.bigint().source("Revenue").min(0).describe("Revenue of the sale, in whole currency units."),
    units_sold: t.int().source("Units_Sold").min(0).describe("Number of cars sold."),
    date_id: t
      .string()
      .source("Date_ID")
      .length(1, 16)
      .describe("The source system's date surrogate (DTnnnnn); not in date order."),
    day: t.int().source("Day").min(1).max(31),
    month: t.int().source("Month").min(1).max(12),
    year: t.int().source("Year").min(1900).max(2999),
    sale_date: t
      .date()
      .composedFrom(["Day", "Month", "Year"], "/")
      .format("d/M/yyyy")
      .describe("Calendar date of the sale, from Day/Month/Year."),
    branch_name: t.string().source("BranchName").maxLength(200),
    dealer_name: t.string().nullable().warnIfMissing().source("DealerName").maxLength(200).pii("name"),
    product_name: t.string().source("Product_Name").maxLength(200).describe("Car make."),
  },
  key: ["branch_id", "dealer_id", "model_id", "date_id"],
  watermark: "batch",
  partitionBy: [],
  clusterBy: ["sale_date"],
  scd: 1,
});

export const carSalesStar = defineStar({
  name: "car_sales",
  entity: carSales,
  dimensions: [
    { kind: "attribute", name: "dim_branch", key: ["branch_id"], attributes: ["branch_name"] },
    { kind: "attribute", name: "dim_dealer", key: ["dealer_id"], attributes: ["dealer_name"] },
    { kind: "attribute", name: "dim_model", key: ["model_id"], attributes: ["product_name"] },
    { kind: "calendar", name: "dim_date", column: "sale_date" },
  ],
  fact: { name: "fact_sales", measures: ["revenue", "units_sold"], degenerate: ["date_id"] },
  dailyAggregate: {
    name: "agg_sales_daily",
    dateColumn: "sale_date",
    by: ["dim_branch", "dim_model"],
    measures: [
      { name: "revenue", column: "revenue", agg: "sum" },
      { name: "units_sold", column: "units_sold", agg: "sum" },
      { name: "sales_count", column: "revenue", agg: "count" },
    ],
  },
});
