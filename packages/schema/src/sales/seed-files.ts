import { fileURLToPath } from "node:url";

/** Absolute paths of the bundled car-sales seed files (initial load, then one increment). */
export const carSalesSeedFiles = {
  initial: fileURLToPath(new URL("../../seed/SalesData.csv", import.meta.url)),
  incremental: fileURLToPath(new URL("../../seed/IncrementalSales.csv", import.meta.url)),
} as const;
