import { basename } from "node:path";

export type FileFormat = "csv" | "json" | "jsonl" | "parquet";

/** `orders.csv.gz` → csv + gzip; `.tsv`/`.txt` read as CSV, `.ndjson` as JSON Lines; undefined otherwise. */
export function formatOf(path: string): { format: FileFormat; compression: "none" | "gzip" } | undefined {
  const name = basename(path).toLowerCase();
  const gz = name.endsWith(".gz");
  const base = gz ? name.slice(0, -3) : name;
  const ext = base.slice(base.lastIndexOf(".") + 1);
  const format = ext === "ndjson" ? "jsonl" : ext === "tsv" || ext === "txt" ? "csv" : ext;
  if (format === "csv" || format === "json" || format === "jsonl" || format === "parquet") {
    return { format, compression: gz ? "gzip" : "none" };
  }
  return undefined;
}
