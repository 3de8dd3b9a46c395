import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type Entity,
  type LandingManifest,
  landingManifestSchema,
  MANIFEST_FILE,
  quoteIdent,
  quoteString,
} from "@saleslake/schema";
import { PipelineError } from "../errors.ts";

export interface LandedBatch {
  readonly batchId: string;
  /** Absolute folder of the batch. */
  readonly dir: string;
  readonly manifest: LandingManifest;
}

/**
 * Landed batches of an entity in a local lake folder, oldest first. A batch folder without its
 * manifest is still being written (or was abandoned) and is not returned.
 */
export function listLandedBatches(lakeRoot: string, entity: string): LandedBatch[] {
  const base = join(lakeRoot, "landing", entity);
  if (!existsSync(base)) return [];
  const out: LandedBatch[] = [];
  for (const day of readdirSync(base)
    .filter((d) => d.startsWith("ingest_date="))
    .sort()) {
    for (const b of readdirSync(join(base, day))
      .filter((d) => d.startsWith("batch="))
      .sort()) {
      const dir = join(base, day, b);
      const manifestPath = join(dir, MANIFEST_FILE);
      if (!existsSync(manifestPath)) continue;
      const parsed = landingManifestSchema.safeParse(JSON.parse(readFileSync(manifestPath, "utf8")));
      if (!parsed.success) {
        throw new PipelineError(
          "BAD_MANIFEST",
          `${manifestPath}: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`,
          "Re-land the batch; manifests are written by saleslake ingest.",
          { file: manifestPath },
        );
      }
      out.push({ batchId: parsed.data.batchId, dir, manifest: parsed.data });
    }
  }
  return out.sort((a, b) => (a.batchId < b.batchId ? -1 : a.batchId > b.batchId ? 1 : 0));
}

const sqlPath = (p: string) => quoteString("duckdb", p);
const q = (n: string) => quoteIdent("duckdb", n);

/** Source names the entity reads, and for each, every header name that may carry it. */
function wantedSources(entity: Entity): Map<string, string[]> {
  const wanted = new Map<string, string[]>();
  for (const c of entity.columns) {
    if (c.composedFrom) for (const s of c.composedFrom.sources) wanted.set(s, [s]);
    else wanted.set(c.source, [c.source, ...c.aliases]);
  }
  return wanted;
}

function isRequired(entity: Entity, source: string): boolean {
  return entity.columns.some(
    (c) => (c.composedFrom ? c.composedFrom.sources.includes(source) : c.source === source) && !c.nullable,
  );
}

/**
 * Maps the columns found in a landed file onto the entity's source names: case-insensitive,
 * aliases included. Missing and unknown columns are handled by the entity's contract.
 */
export function mapColumns(
  entity: Entity,
  found: string[],
  file: string,
): { select: Map<string, string | null>; unknown: string[] } {
  const lower = new Map<string, string>();
  const dupes = new Set<string>();
  for (const f of found) {
    const k = f.trim().toLowerCase();
    if (lower.has(k)) dupes.add(f);
    lower.set(k, f);
  }
  if (dupes.size > 0) {
    throw new PipelineError(
      "DUPLICATE_COLUMNS",
      `${file}: column ${[...dupes].join(", ")} appears more than once`,
      "Rename or remove the repeated column in the source.",
      { file },
    );
  }
  const select = new Map<string, string | null>();
  const used = new Set<string>();
  const missing: string[] = [];
  for (const [source, names] of wantedSources(entity)) {
    const hit = names.map((n) => lower.get(n.toLowerCase())).find((h) => h !== undefined);
    if (hit === undefined) {
      if (entity.contract.missingColumns === "reject" || isRequired(entity, source)) missing.push(source);
      select.set(source, null);
    } else {
      select.set(source, hit);
      used.add(hit);
    }
  }
  if (missing.length > 0) {
    throw new PipelineError(
      "MISSING_COLUMNS",
      `${file}: missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} for entity ${entity.name} (found: ${found.join(", ")})`,
      'Check the delimiter and header of the file, or declare the column nullable with contract missingColumns: "null".',
      { file },
    );
  }
  const unknown = found.filter((f) => !used.has(f));
  if (unknown.length > 0 && entity.contract.unknownColumns === "reject") {
    throw new PipelineError(
      "UNKNOWN_COLUMNS",
      `${file}: unknown column${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} for entity ${entity.name}`,
      'Add the columns to the entity, or set contract unknownColumns to "rescue" or "ignore".',
      { file },
    );
  }
  return { select, unknown: entity.contract.unknownColumns === "rescue" ? unknown : [] };
}

function projection(
  batchId: string,
  select: Map<string, string | null>,
  unknown: string[],
  rawRef: (name: string) => string,
  file: string,
  rowNumber: string,
): string {
  const cols = [...select].map(
    ([source, found]) => `${found === null ? "CAST(NULL AS VARCHAR)" : rawRef(found)} AS ${q(source)}`,
  );
  const rescued = unknown.length
    ? `CAST(json_object(${unknown.map((u) => `${quoteString("duckdb", u)}, ${rawRef(u)}`).join(", ")}) AS VARCHAR)`
    : "CAST(NULL AS VARCHAR)";
  return `${quoteString("duckdb", batchId)} AS _batch_id, ${quoteString("duckdb", file)} AS _source_file, ${rowNumber} AS _row_number, ${rescued} AS _rescued_data, ${cols.join(", ")}`;
}

/**
 * DuckDB SQL reading one landed batch as text rows: one subquery per file, so that
 * `row_number() OVER ()` follows the file's own row order.
 * `columnsOf` lists a JSON file's keys (read once by the caller).
 */
export function batchRelationSql(
  entity: Entity,
  batch: LandedBatch,
  jsonKeys: (path: string) => string[],
): string {
  const m = batch.manifest;
  const parts = m.files.map((f) => {
    const path = join(batch.dir, f.path);
    const rel =
      `landing/${entity.name}/${batch.dir.split("/landing/" + entity.name + "/")[1] ?? ""}/${f.path}`.replace(
        /\/+/g,
        "/",
      );
    if (m.format === "csv") {
      const header = m.csv?.columns ?? [];
      const { select, unknown } = mapColumns(entity, header, rel);
      const columns = `{${header.map((h) => `${quoteString("duckdb", h)}: 'VARCHAR'`).join(", ")}}`;
      const read = `read_csv(${sqlPath(path)}, header = true, auto_detect = false, columns = ${columns}, delim = ${quoteString("duckdb", m.csv?.delimiter ?? ",")}, quote = ${quoteString("duckdb", m.csv?.quote ?? '"')}, escape = ${quoteString("duckdb", m.csv?.quote ?? '"')}, null_padding = true, strict_mode = false, compression = ${m.compression === "gzip" ? "'gzip'" : "'none'"})`;
      return `SELECT ${projection(batch.batchId, select, unknown, (n) => q(n), rel, "row_number() OVER ()")} FROM ${read}`;
    }
    if (m.format === "parquet") {
      const found = jsonKeys(path);
      const { select, unknown } = mapColumns(entity, found, rel);
      return `SELECT ${projection(batch.batchId, select, unknown, (n) => `CAST(${q(n)} AS VARCHAR)`, rel, "file_row_number + 1")} FROM read_parquet(${sqlPath(path)}, file_row_number = true)`;
    }
    const found = jsonKeys(path);
    const { select, unknown } = mapColumns(entity, found, rel);
    const format = m.format === "json" ? "'array'" : "'newline_delimited'";
    return `SELECT ${projection(batch.batchId, select, unknown, (n) => `json_extract_string(json, ${quoteString("duckdb", `$.${JSON.stringify(n)}`)})`, rel, "row_number() OVER ()")} FROM read_json_objects(${sqlPath(path)}, format = ${format}${m.compression === "gzip" ? ", compression = 'gzip'" : ""})`;
  });
  return parts.join("\nUNION ALL BY NAME\n");
}
