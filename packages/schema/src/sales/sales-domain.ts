import type { Entity, Star } from "../model.ts";
import { carSales, carSalesStar } from "./car-sales.ts";
import { customers } from "./customers.ts";
import { products } from "./products.ts";
import { salesOrderLines, salesOrderStar } from "./sales-order-lines.ts";

export { carSales, carSalesStar, customers, products, salesOrderLines, salesOrderStar };

/** Every entity of the bundled sales domain, in a stable order. */
export const salesEntities: readonly Entity[] = [carSales, salesOrderLines, customers, products];
/** Every star of the bundled sales domain. */
export const salesStars: readonly Star[] = [carSalesStar, salesOrderStar];
