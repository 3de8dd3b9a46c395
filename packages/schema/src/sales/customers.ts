import { t } from "../dsl/column-builder.ts";
import { defineEntity } from "../dsl/define-entity.ts";

/** Customers from the CRM database. History is kept (SCD2): segment and region changes matter for reporting. */
export const customers = defineEntity({
  name: "customers",
  description: "Customer master data from the CRM.",
  domain: "sales",
  columns: {
    customer_id: t.string().source("CustomerID").pattern("C[0-9]{6}").describe("CRM customer number."),
    full_name: t.string().maxLength(200).pii("name"),
    email: t.string().nullable().maxLength(320).pattern("[^@ ]+@[^@ ]+").pii("email"),
    segment: t.enum(["consumer", "business", "fleet"]),
    region: t.string().maxLength(64),
    updated_at: t.timestamp().describe("Last change in the CRM, UTC."),
    is_deleted: t.boolean().nullable(),
  },
  key: ["customer_id"],
  sequence: "updated_at",
  watermark: { column: "updated_at", lookback: "PT15M" },
  scd: 2,
  softDelete: "is_deleted",
});
