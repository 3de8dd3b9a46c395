import { t } from "../dsl/column-builder.ts";
import { defineEntity } from "../dsl/define-entity.ts";

/** The product catalogue. */
export const products = defineEntity({
  name: "products",
  description: "Products that can be sold, with list prices.",
  domain: "sales",
  columns: {
    product_id: t.string().source("sku").pattern("P-[0-9]{5}"),
    product_name: t.string().maxLength(200),
    category: t.string().maxLength(64),
    list_price: t.decimal(12, 2).min(0),
    updated_at: t.timestamp(),
  },
  key: ["product_id"],
  sequence: "updated_at",
  watermark: { column: "updated_at", lookback: "PT5M" },
  clusterBy: ["category"],
});
