import type { Column, Contract, CustomCheck, Entity, LogicalType } from "../model.ts";

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

/**
 * Whether tables holding a column of type `a` take type `b` in place, on both engines (DuckDB's
 * ALTER COLUMN, Delta's type widening): the same stored type (an enum and text are both text),
 * int → bigint, or a decimal with as many digits or more on each side of the point.
 */
export function changesInPlace(a: LogicalType, b: LogicalType): boolean {
  const text = (t: LogicalType) => t.kind === "string" || t.kind === "enum";
  if (a.kind === b.kind && a.kind !== "decimal") return true;
  if (text(a) && text(b)) return true;
  if (a.kind === "int") return b.kind === "bigint";
  if (a.kind === "decimal" && b.kind === "decimal")
    return b.precision - b.scale >= a.precision - a.scale && b.scale >= a.scale;
  return false;
}

function lengthOrder(a: Column, b: Column): 1 | 0 | -1 {
  const al = a.constraints.maxLength ?? Number.POSITIVE_INFINITY;
  const bl = b.constraints.maxLength ?? Number.POSITIVE_INFINITY;
  return al === bl ? 0 : bl > al ? 1 : -1;
}

/** -1 when `b` is stricter than `a` as a lower (`dir` 1) or upper (`dir` -1) bound, 1 when looser, 0 when equal, undefined when unrelated. */
function boundOrder(
  a: number | string | undefined,
  b: number | string | undefined,
  dir: 1 | -1,
): 1 | 0 | -1 | undefined {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  // "now" (not in the future) moves with the clock: it orders against no fixed bound.
  if (typeof a !== typeof b || a === "now" || b === "now") return undefined;
  return (b < a ? 1 : -1) * dir > 0 ? 1 : -1;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const show = (v: unknown) =>
  v === undefined ? "none" : typeof v === "string" ? JSON.stringify(v) : String(v);

/**
 * The changes of quality rules: a new rule, or a tighter one, quarantines rows the old one
 * accepted (breaking: the same file loads differently); a rule dropped or loosened is
 * compatible. Rules that only warn never hold a row back.
 */
function checkChanges(
  where: string,
  before: readonly CustomCheck[],
  after: readonly CustomCheck[],
): SchemaChange[] {
  const out: SchemaChange[] = [];
  const old = new Map(before.map((c) => [c.id, c]));
  const now = new Map(after.map((c) => [c.id, c]));
  const holds = (c: CustomCheck) => c.severity === "error";
  for (const c of after) {
    const o = old.get(c.id);
    if (!o) {
      out.push({
        kind: holds(c) ? "narrowed" : "changed",
        detail: `${where}check ${c.id} added${holds(c) ? "" : " (warns)"}`,
        compatible: !holds(c),
      });
    } else if (!same(o.sql, c.sql) || o.severity !== c.severity) {
      const parts = [
        ...(same(o.sql, c.sql) ? [] : ["its SQL"]),
        ...(o.severity === c.severity ? [] : [`severity ${o.severity} → ${c.severity}`]),
      ];
      const loosens = same(o.sql, c.sql) && !holds(c);
      out.push({
        kind: loosens ? "widened" : "changed",
        detail: `${where}check ${c.id} changed: ${parts.join(", ")}`,
        compatible: loosens || (!holds(o) && !holds(c)),
      });
    }
  }
  for (const c of before) {
    if (!now.has(c.id))
      out.push({ kind: "widened", detail: `${where}check ${c.id} removed`, compatible: true });
  }
  return out;
}

/** How a column is read from sources: header names, parse formats. */
function readChanges(prev: Column, c: Column): SchemaChange[] {
  const out: SchemaChange[] = [];
  const names = (col: Column) => [col.source, ...col.aliases];
  const reads = (col: Column, n: string) => names(col).some((x) => x.toLowerCase() === n.toLowerCase());
  const lost = names(prev).filter((n) => !reads(c, n));
  const gained = names(c).filter((n) => !reads(prev, n));
  if (lost.length > 0) {
    out.push({
      kind: "changed",
      column: c.name,
      detail: `${c.name}: no longer read from ${lost.map(show).join(", ")} (files with that header stop loading; keep it as an alias: .source(${show(c.source)}, ${show(prev.source)}))`,
      compatible: false,
    });
  } else if (gained.length > 0) {
    out.push({
      kind: "widened",
      column: c.name,
      detail: `${c.name}: also read from ${gained.map(show).join(", ")}`,
      compatible: true,
    });
  }
  for (const [what, a, b] of [
    ["format", prev.format, c.format],
    ["number format", prev.numberFormat, c.numberFormat],
    ["composed from", prev.composedFrom, c.composedFrom],
  ] as const) {
    if (!same(a, b)) {
      out.push({
        kind: "changed",
        column: c.name,
        detail: `${c.name}: ${what} ${typeof a === "object" ? JSON.stringify(a) : show(a)} → ${typeof b === "object" ? JSON.stringify(b) : show(b)} (files written the old way no longer parse)`,
        compatible: false,
      });
    }
  }
  return out;
}

/** A column's value rules: bounds, lengths, pattern, custom checks. */
function ruleChanges(prev: Column, c: Column): SchemaChange[] {
  const out: SchemaChange[] = [];
  const a = prev.constraints;
  const b = c.constraints;
  const looser: string[] = [];
  const tighter: string[] = [];
  const unrelated: string[] = [];
  for (const [what, x, y, dir] of [
    ["min", a.min, b.min, 1],
    ["max", a.max, b.max, -1],
    ["min length", a.minLength, b.minLength, 1],
  ] as const) {
    const order = boundOrder(x, y, dir);
    if (order === 0) continue;
    const line = `${what} ${show(x)} → ${show(y)}`;
    (order === undefined ? unrelated : order > 0 ? looser : tighter).push(line);
  }
  if (a.pattern !== b.pattern) {
    (b.pattern === undefined ? looser : a.pattern === undefined ? tighter : unrelated).push(
      `pattern ${show(a.pattern)} → ${show(b.pattern)}`,
    );
  }
  if (unrelated.length > 0 || tighter.length > 0) {
    out.push({
      kind: unrelated.length > 0 ? "changed" : "narrowed",
      column: c.name,
      detail: `${c.name}: ${[...tighter, ...unrelated, ...looser].join(", ")} (rows accepted before may be quarantined)`,
      compatible: false,
    });
  } else if (looser.length > 0) {
    out.push({
      kind: "widened",
      column: c.name,
      detail: `${c.name}: ${looser.join(", ")}`,
      compatible: true,
    });
  }
  out.push(...checkChanges(`${c.name}: `, prev.checks, c.checks).map((ch) => ({ ...ch, column: c.name })));
  return out;
}

const UNKNOWN_STRICTNESS: Record<Contract["unknownColumns"], number> = { ignore: 0, rescue: 0, reject: 1 };
const MISSING_STRICTNESS: Record<Contract["missingColumns"], number> = { null: 0, reject: 1 };
const SHORT_ROWS_STRICTNESS: Record<Contract["shortRows"], number> = { null: 0, quarantine: 1 };

/** What the entity declares beside its columns: sequence, watermark, delete flag, layout, contract, checks. */
function entityChanges(
  before: Entity,
  after: Entity,
  renamedFrom: ReadonlyMap<string, string>,
): SchemaChange[] {
  const out: SchemaChange[] = [];
  const was = (name: string | undefined) =>
    name === undefined ? undefined : (renamedFrom.get(name) ?? name);
  if (before.sequence !== was(after.sequence)) {
    out.push({
      kind: "changed",
      detail: `sequence ${show(before.sequence)} → ${show(after.sequence)} (which version of a key wins)`,
      compatible: false,
    });
  }
  const wa = before.watermark;
  const wb = after.watermark;
  if (wa.kind !== wb.kind || (wa.kind === "column" && wb.kind === "column" && wa.column !== was(wb.column))) {
    const label = (w: typeof wa) => (w.kind === "column" ? `column ${w.column}` : "landing batches");
    out.push({
      kind: "changed",
      detail: `watermark ${label(wa)} → ${label(wb)} (the stored watermarks no longer apply)`,
      compatible: false,
    });
  } else if (wa.kind === "column" && wb.kind === "column" && wa.lookback !== wb.lookback) {
    out.push({
      kind: "changed",
      detail: `watermark lookback ${wa.lookback} → ${wb.lookback}`,
      compatible: true,
    });
  }
  if (before.softDelete !== was(after.softDelete)) {
    out.push({
      kind: "changed",
      detail: `delete flag ${show(before.softDelete)} → ${show(after.softDelete)}`,
      compatible: false,
    });
  }
  const list = (xs: readonly string[]) => `(${xs.join(", ")})`;
  if (
    !same(
      before.partitionBy,
      after.partitionBy.map((c) => was(c)),
    )
  ) {
    out.push({
      kind: "changed",
      detail: `partitioned by ${list(before.partitionBy)} → ${list(after.partitionBy)} (the Delta tables are rewritten)`,
      compatible: false,
    });
  }
  if (
    !same(
      before.clusterBy,
      after.clusterBy.map((c) => was(c)),
    )
  ) {
    out.push({
      kind: "changed",
      detail: `clustered by ${list(before.clusterBy)} → ${list(after.clusterBy)}`,
      compatible: true,
    });
  }
  for (const [what, a, b, strictness, narrowing] of [
    [
      "unknown columns",
      before.contract.unknownColumns,
      after.contract.unknownColumns,
      UNKNOWN_STRICTNESS,
      "batches that loaded before may be refused",
    ],
    [
      "missing columns",
      before.contract.missingColumns,
      after.contract.missingColumns,
      MISSING_STRICTNESS,
      "batches that loaded before may be refused",
    ],
    [
      "short rows",
      before.contract.shortRows,
      after.contract.shortRows,
      SHORT_ROWS_STRICTNESS,
      "rows that loaded before may be quarantined",
    ],
  ] as const) {
    if (a === b) continue;
    const order = (strictness as Record<string, number>)[b]! - (strictness as Record<string, number>)[a]!;
    out.push({
      kind: order > 0 ? "narrowed" : order < 0 ? "widened" : "changed",
      detail: `${what}: ${a} → ${b}${order > 0 ? ` (${narrowing})` : ""}`,
      compatible: order <= 0,
    });
  }
  out.push(...checkChanges("", before.checks, after.checks));
  return out;
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
        detail: `${c.name}: ${label(prev.type)} → ${label(c.type)}`,
        compatible: false,
      });
      changes.push(...readChanges(prev, c), ...ruleChanges(prev, c));
      continue;
    }
    const parts: string[] = [];
    if (order !== 0) parts.push(`${label(prev.type)} → ${label(c.type)}`);
    if (lo !== 0)
      parts.push(`max length ${prev.constraints.maxLength ?? "∞"} → ${c.constraints.maxLength ?? "∞"}`);
    if (nullOrder !== 0) parts.push(c.nullable ? "NOT NULL → NULL" : "NULL → NOT NULL");
    if (parts.length > 0) {
      const narrows = order < 0 || lo < 0 || nullOrder < 0;
      // Stored tables take a wider type in place only where both engines change it without
      // rewriting values; another (int → double, anything → string) the engines refuse.
      const inPlace = order <= 0 || changesInPlace(prev.type, c.type);
      changes.push({
        kind: narrows ? "narrowed" : "widened",
        column: c.name,
        detail: `${c.name}: ${parts.join(", ")}${narrows || inPlace ? "" : " (stored tables cannot change it in place)"}`,
        compatible: !narrows && inPlace,
      });
    }
    if (!from) changes.push(...readChanges(prev, c));
    changes.push(...ruleChanges(prev, c));
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
  changes.push(...entityChanges(before, after, renamedFrom));
  return { entity: after.name, changes, compatible: changes.every((ch) => ch.compatible) };
}
