/** A landed row of the bundled `salesOrderLines` entity, by its source names. */
export type Line = Record<string, string | number | boolean | null>;

/** Order `order`'s first line: one unit at 10.00 EUR, open, on the web, changed 2026-01-05 10:00 UTC. */
export function line(order: number, patch: Line = {}): Line {
  return {
    OrderID: `SO${String(order).padStart(8, "0")}`,
    LineNo: 1,
    order_date: "2026-01-05",
    customer_id: "C000001",
    product_id: "P-00001",
    quantity: 1,
    unit_price: "10.00",
    discount_pct: null,
    currency: "EUR",
    status: "open",
    channel: "web",
    updated_at: "2026-01-05T10:00:00Z",
    is_deleted: false,
    ...patch,
  };
}
