/** A valid sales_order_lines row, as returned by its zod validator. */
export interface SalesOrderLinesRow {
  order_id: string;
  line_number: number;
  /** Date the order was placed. */
  order_date: string;
  customer_id: string;
  product_id: string;
  quantity: number;
  unit_price: string;
  discount_pct: string | null;
  currency: "EUR" | "USD" | "GBP";
  status: "open" | "shipped" | "invoiced" | "cancelled";
  channel: string | null;
  /** Last change of the line, UTC. Never in the future. */
  updated_at: string;
  is_deleted: boolean | null;
}
