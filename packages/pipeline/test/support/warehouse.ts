import { Warehouse } from "../../src/index.ts";

/** One query on the warehouse of `dir`, opened for it and closed after. */
export async function queryWarehouse(dir: string, sql: string) {
  const w = await Warehouse.open(dir);
  try {
    return await w.query(sql);
  } finally {
    w.close();
  }
}
