import { stat } from "node:fs/promises";
import { IngestError } from "../errors.ts";
import { formatOf } from "./file-format.ts";
import type { FileInspection, InspectStreamOptions } from "./file-inspection.ts";
import { inspectCsv } from "./inspect-csv.ts";
import { inspectJson } from "./inspect-json.ts";
import { inspectParquet } from "./inspect-parquet.ts";

/** Reads a file once, streaming: its format, rows, columns, hash; or a typed error saying what is wrong and where. */
export async function inspectFile(path: string, options: InspectStreamOptions = {}): Promise<FileInspection> {
  const kind = formatOf(path);
  if (!kind) {
    throw new IngestError(
      "MIXED_FORMATS",
      `${path}: unknown file type`,
      "Supported: .csv, .tsv, .json, .jsonl, .ndjson, .parquet, each optionally .gz.",
      { file: path },
    );
  }
  if ((await stat(path)).size === 0)
    throw new IngestError(
      "EMPTY_FILE",
      `${path}: the file is empty`,
      "Nothing to land; check the export that produced it.",
      { file: path },
    );
  switch (kind.format) {
    case "csv":
      return inspectCsv(path, kind.compression, options);
    case "json":
    case "jsonl":
      return inspectJson(path, kind.format, kind.compression, options);
    case "parquet":
      return inspectParquet(path, kind.compression, options.copyTo);
  }
}
