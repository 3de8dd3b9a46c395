import { writeFileSync } from "node:fs";

/** A car-sales record with a key of its own (branch × dealer), as the source columns name it. */
export function carSalesRecord(i: number): Record<string, string> {
  const pad = (n: number, w: number) => String(n).padStart(w, "0");
  return {
    Branch_ID: `BR${pad(i % 1000, 4)}`,
    Dealer_ID: `DLR${pad(Math.floor(i / 1000), 4)}`,
    Model_ID: "BMW-M1",
    Revenue: String(1000 + (i % 97)),
    Units_Sold: String(1 + (i % 5)),
    Date_ID: "DT00001",
    Day: "1",
    Month: "1",
    Year: "2017",
    BranchName: `Branch ${i % 1000}`,
    DealerName: `Dealer ${Math.floor(i / 1000)}`,
    Product_Name: "BMW",
  };
}

const HEADER =
  "Branch_ID,Dealer_ID,Model_ID,Revenue,Units_Sold,Date_ID,Day,Month,Year,BranchName,DealerName,Product_Name";

/** Writes records 0..rows-1 as a car-sales CSV file with the seed header. */
export function writeCarSalesCsv(path: string, rows: number): void {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) lines.push(Object.values(carSalesRecord(i)).join(","));
  writeFileSync(path, `${lines.join("\n")}\n`);
}
