import type { Column, Entity, LogicalType } from "../model.ts";

export type ChangeKind = "added" | "removed" | "renamed" | "widened" | "narrowed" | "changed";

export interface SchemaChange {
  readonly kind: ChangeKind;
  readonly column?: string;
  /** For renames: the old name. */
  readonly from?: string;
  readonly detail: string;
  /** Compatible changes let existing data and readers keep working. */
  readonly compatible: boolean;
}

export interface SchemaDiff {
  readonly entity: string;
  readonly changes: readonly SchemaChange[];
  readonly compatible: boolean;
}

const label = (t: LogicalType) => (t.kind === "decimal" ? `decimal(${t.precision},${t.scale})` : t.kind);

/** 1 when `b` holds every value of `a` and more, -1 for the reverse, 0 when equal, undefined when unrelated. */
function typeOrder(a: LogicalType, b: LogicalType): 1 | 0 | -1 | undefined {
  if (a.kind === b.kind) {
    if (a.kind === "decimal" && b.kind === "decimal") {
      const ai = a.precision - a.scale;
      const bi = b.precision - b.scale;
      if (ai === bi && a.scale === b.scale) return 0;
      if (bi >= ai && b.scale >= a.scale) return 1;
      if (bi <= ai && b.scale <= a.scale) return -1;
      return undefined;
    }
    if (a.kind === "enum" && b.kind === "enum") {
      const as = new Set(a.values);
      const bs = new Set(b.values);
      const aInB = [...as].every((v) => bs.has(v));
      const bInA = [...bs].every((v) => as.has(v));
      return aInB && bInA ? 0 : aInB ? 1 : bInA ? -1 : undefined;
    }
    return 0;
  }
  const widenings: Record<string, readonly string[]> = {
    int: ["bigint", "double", "decimal", "string"],
    bigint: ["decimal", "string"],
    enum: ["string"],
    date: ["timestamp", "string"],
    boolean: ["string"],
    decimal: ["string"],
    double: ["string"],
    timestamp: ["string"],
  };
  if (b.kind === "decimal" && (a.kind === "int" || a.kind === "bigint")) {
    return b.precision - b.scale >= (a.kind === "int" ? 10 : 19) ? 1 : undefined;
  }
  if (a.kind === "decimal" && (b.kind === "int" || b.kind === "bigint")) return -1;
  if (widenings[a.kind]?.includes(b.kind)) return 1;
  if (widenings[b.kind]?.includes(a.kind)) return -1;
  return undefined;
}

function lengthOrder(a: Column, b: Column): 1 | 0 | -1 {
  const al = a.constraints.maxLength ?? Number.POSITIVE_INFINITY;
  const bl = b.constraints.maxLength ?? Number.POSITIVE_INFINITY;
  return al === bl ? 0 : bl > al ? 1 : -1;
}

/**
 * Classifies the changes from `before` to `after`. A new column that lists an old column's name
 * or source name among its own source names is a rename: breaking for readers of the tables,
 * while landed files keep mapping through the alias.
 */
export function schemaDiff(before: Entity, after: Entity): SchemaDiff {
  const changes: SchemaChange[] = [];
  const oldCols = new Map(before.columns.map((c) => [c.name, c]));
  const newCols = new Map(after.columns.map((c) => [c.name, c]));
  const renamedFrom = new Map<string, string>();
  for (const c of after.columns) {
    if (oldCols.has(c.name)) continue;
    const names = [c.source, ...c.aliases].map((n) => n.toLowerCase());
    const old = before.columns.find(
      (o) => !newCols.has(o.name) && (names.includes(o.name) || names.includes(o.source.toLowerCase())),
    );
    if (old) renamedFrom.set(c.name, old.name);
  }
  const renamedOld = new Set(renamedFrom.values());
  for (const c of after.columns) {
    const from = renamedFrom.get(c.name);
    const prev = oldCols.get(from ?? c.name);
    if (from && prev) {
      const keepsSource = [c.source, ...c.aliases].some((n) => n.toLowerCase() === prev.source.toLowerCase());
      changes.push({
        kind: "renamed",
        column: c.name,
        from,
        detail: `${from} → ${c.name}`,
        compatible: false,
      });
      if (!keepsSource) continue;
    }
    if (!prev) {
      changes.push({
        kind: "added",
        column: c.name,
        detail: `${c.name} ${label(c.type)}${c.nullable ? " NULL" : " NOT NULL"}`,
        compatible: c.nullable,
      });
      continue;
    }
    const order = typeOrder(prev.type, c.type);
    const lo = lengthOrder(prev, c);
    const nullOrder = prev.nullable === c.nullable ? 0 : c.nullable ? 1 : -1;
    if (order === undefined) {
      changes.push({
        kind: "changed",
        column: c.name,
        detail: `${label(prev.type)} → ${label(c.type)}`,
        compatible: false,
      });
      continue;
    }
    const parts: string[] = [];
    if (order !== 0) parts.push(`${label(prev.type)} → ${label(c.type)}`);
    if (lo !== 0)
      parts.push(`max length ${prev.constraints.maxLength ?? "∞"} → ${c.constraints.maxLength ?? "∞"}`);
    if (nullOrder !== 0) parts.push(c.nullable ? "NOT NULL → NULL" : "NULL → NOT NULL");
    if (parts.length === 0) continue;
    const narrows = order < 0 || lo < 0 || nullOrder < 0;
    changes.push({
      kind: narrows ? "narrowed" : "widened",
      column: c.name,
      detail: parts.join(", "),
      compatible: !narrows,
    });
  }
  for (const c of before.columns) {
    if (!newCols.has(c.name) && !renamedOld.has(c.name)) {
      changes.push({
        kind: "removed",
        column: c.name,
        detail: `${c.name} ${label(c.type)}`,
        compatible: false,
      });
    }
  }
  const sameKey =
    before.key.length === after.key.length &&
    before.key.every((k, i) => (renamedFrom.get(after.key[i]!) ?? after.key[i]) === k);
  if (!sameKey) {
    changes.push({
      kind: "changed",
      detail: `key (${before.key.join(", ")}) → (${after.key.join(", ")})`,
      compatible: false,
    });
  }
  if (before.scd !== after.scd) {
    changes.push({ kind: "changed", detail: `SCD ${before.scd} → ${after.scd}`, compatible: false });
  }
  return { entity: after.name, changes, compatible: changes.every((ch) => ch.compatible) };
}
