import type { Column, Entity } from "../model.ts";

export interface ColumnMapping {
  /** Source name the entity reads → the column found in the file (null when absent). */
  readonly select: ReadonlyMap<string, string | null>;
  /** Found columns the entity does not know. */
  readonly unknown: readonly string[];
  /** Source names the contract requires that the file lacks. */
  readonly missing: readonly string[];
  /** Found names that appear more than once (case-insensitively). */
  readonly duplicates: readonly string[];
}

/** A source name the entity reads, the names it is found by (its own first, then aliases), and whether a value is required. */
export interface SourceColumn {
  readonly source: string;
  readonly names: readonly string[];
  readonly required: boolean;
}

/**
 * The source names an entity reads, in column order: a column by its source name and aliases, a
 * composed column by each of its parts. A name two columns read is required if either is.
 */
export function sourceColumnNames(entity: Entity): SourceColumn[] {
  const wanted = new Map<string, { names: string[]; required: boolean }>();
  for (const c of entity.columns) {
    const sources = c.composedFrom ? c.composedFrom.sources.map((s) => [s]) : [[c.source, ...c.aliases]];
    for (const names of sources) {
      const prior = wanted.get(names[0]!);
      wanted.set(names[0]!, { names, required: (prior?.required ?? false) || !c.nullable });
    }
  }
  return [...wanted].map(([source, w]) => ({ source, ...w }));
}

/**
 * The date and timestamp columns a source name feeds alone, by that name: a typed date read from
 * it (a Parquet DATE or TIMESTAMP) is written in the column's pattern (see typedDatetimeTextSql).
 * A name that also feeds another column, or a part of a composed one, keeps its own text.
 */
export function datetimeSources(entity: Entity): ReadonlyMap<string, Column> {
  const readers = new Map<string, Column[]>();
  for (const c of entity.columns)
    for (const s of c.composedFrom?.sources ?? [c.source]) readers.set(s, [...(readers.get(s) ?? []), c]);
  const out = new Map<string, Column>();
  for (const [source, [c, ...others]] of readers)
    if (
      c &&
      others.length === 0 &&
      !c.composedFrom &&
      (c.type.kind === "date" || c.type.kind === "timestamp")
    )
      out.set(source, c);
  return out;
}

/**
 * The column names of a CSV header's fields: each trimmed, and a field with no name (as a header
 * ending in a delimiter has, when its rows end in one too) named `_unnamed_<position>`. Every
 * column needs a name for the engines to read it, and an entity never declares this one: it is
 * an unknown column, held to the contract (rescued, ignored, or refused by name).
 */
export function csvHeaderNames(fields: readonly string[]): string[] {
  return fields.map((f, i) => f.trim() || `_unnamed_${i + 1}`);
}

/**
 * Maps the columns found in a source (CSV header, JSON keys) onto the entity's source names:
 * case-insensitive, aliases included, composed columns by their parts. Missing columns follow
 * the entity's contract. Ingest and every engine use this one mapping.
 */
export function mapSourceColumns(entity: Entity, found: readonly string[]): ColumnMapping {
  const lower = new Map<string, string>();
  const duplicates: string[] = [];
  for (const f of found) {
    const k = f.trim().toLowerCase();
    if (lower.has(k)) duplicates.push(f);
    else lower.set(k, f);
  }
  const select = new Map<string, string | null>();
  const used = new Set<string>();
  const missing: string[] = [];
  for (const { source, names, required } of sourceColumnNames(entity)) {
    const hit = names.map((n) => lower.get(n.toLowerCase())).find((h) => h !== undefined);
    if (hit === undefined) {
      if (entity.contract.missingColumns === "reject" || required) missing.push(source);
      select.set(source, null);
    } else {
      select.set(source, hit);
      used.add(hit);
    }
  }
  const unknown = found.filter((f) => !used.has(f) && !duplicates.includes(f));
  return { select, unknown, missing, duplicates };
}
