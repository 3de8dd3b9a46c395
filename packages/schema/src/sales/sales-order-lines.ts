import { t } from "../dsl/column-builder.ts";
import { defineEntity } from "../dsl/define-entity.ts";
import { defineStar } from "../dsl/define-star.ts";

/**
 * Order lines from the order system: the transactional feed. Lines change (quantity, status)
 * and can be cancelled; the greatest `updated_at` wins, late changes within an hour are caught
 * by the lookback.
 */
export const salesOrderLines = defineEntity({
  name: "sales_order_lines",
  description: "One row per order line, as maintained by the order system.",
  domain: "sales",
  columns: {
    order_id: t.string().source("OrderID", "order_number").maxLength(10).pattern("SO[0-9]{8}"),
    line_number: t.int().source("LineNo", "line").min(1).max(9999),
    order_date: t.date().describe("Date the order was placed."),
    customer_id: t.string().maxLength(7).pattern("C[0-9]{6}"),
    product_id: t.string().maxLength(7).pattern("P-[0-9]{5}"),
    quantity: t.int().min(1).max(100000),
    unit_price: t.decimal(12, 2).min(0),
    discount_pct: t.decimal(5, 2).min(0).max(100).nullable(),
    currency: t.enum(["EUR", "USD", "GBP"]),
    status: t.enum(["open", "shipped", "invoiced", "cancelled"]),
    channel: t.string().nullable().maxLength(32),
    updated_at: t.timestamp().max("now").describe("Last change of the line, UTC. Never in the future."),
    is_deleted: t.boolean().nullable(),
  },
  key: ["order_id", "line_number"],
  sequence: "updated_at",
  watermark: { column: "updated_at", lookback: "PT1H" },
  // Liquid clustering rather than day partitions: a day of lines is a few megabytes, and a
  // delta's updates reach back across many days, so a write would leave a small file in each.
  clusterBy: ["order_date", "customer_id"],
  scd: 1,
  softDelete: "is_deleted",
  checks: [
    {
      id: "net_amount_bounded",
      sql: "quantity * unit_price <= 100000000",
      message: "line amount exceeds 100,000,000",
    },
  ],
});

export const salesOrderStar = defineStar({
  name: "sales_orders",
  entity: salesOrderLines,
  dimensions: [
    { kind: "attribute", name: "dim_customer", key: ["customer_id"], attributes: [] },
    { kind: "attribute", name: "dim_product", key: ["product_id"], attributes: [] },
    { kind: "attribute", name: "dim_channel", key: ["channel"], attributes: [] },
    { kind: "calendar", name: "dim_order_date", column: "order_date" },
  ],
  fact: {
    name: "fact_order_lines",
    measures: ["quantity", "unit_price"],
    degenerate: ["order_id", "line_number", "status", "currency"],
  },
  dailyAggregate: {
    name: "agg_orders_daily",
    dateColumn: "order_date",
    by: ["dim_product"],
    measures: [
      { name: "quantity", column: "quantity", agg: "sum" },
      { name: "line_count", column: "order_id", agg: "count" },
    ],
  },
});
