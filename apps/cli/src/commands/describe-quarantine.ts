import type { Row } from "@saleslake/pipeline";
import { type Entity, qualityRules } from "@saleslake/schema";
import { fmt, visible } from "../output.ts";

/** The source columns a column is read from, as the file names them or may. */
function sourceNames(entity: Entity, column: string): string[] {
  const c = entity.columns.find((x) => x.name === column);
  if (!c) return [];
  return c.composedFrom ? [...c.composedFrom.sources] : [c.source, ...c.aliases];
}

/** `Day "29", Month "2"`: the raw values of the named source columns the row has, as read. */
function valuesRead(raw: Record<string, unknown> | undefined, names: readonly string[]): string {
  if (!raw) return "";
  const byName = new Map(Object.keys(raw).map((k) => [k.trim().toLowerCase(), k]));
  const found = names.flatMap((n) => {
    const k = byName.get(n.trim().toLowerCase());
    return k === undefined ? [] : [`${visible(k)} ${visible(JSON.stringify(raw[k]) ?? "null")}`];
  });
  return found.join(", ");
}

function parseRaw(raw: unknown): Record<string, unknown> | undefined {
  if (typeof raw !== "string") return undefined;
  try {
    const v: unknown = JSON.parse(raw);
    return v !== null && typeof v === "object" && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/**
 * `quarantine` as text. For each entity, how many rows each rule held back (of every row);
 * then, up to `limit` rows, where each came from, each rule it broke with its message and the
 * source values that rule reads, and its raw values whole. In a table the raw values were cut
 * at the column's width, most often before the value that broke the rule.
 */
export function describeQuarantine(rows: readonly Row[], entities: readonly Entity[], limit: number): string {
  if (rows.length === 0) return "no rows held back";
  const lines: string[] = [];
  const byEntity = new Map<string, Row[]>();
  for (const r of rows) {
    const name = String(r.entity);
    const held = byEntity.get(name);
    if (held) held.push(r);
    else byEntity.set(name, [r]);
  }
  for (const [name, held] of byEntity) {
    const counts = new Map<string, number>();
    for (const r of held) for (const id of list(r.rule_ids)) counts.set(id, (counts.get(id) ?? 0) + 1);
    lines.push(`${name}: ${fmt(held.length)} row${held.length === 1 ? "" : "s"} held back`);
    const width = Math.max(4, ...[...counts.keys()].map((k) => k.length));
    lines.push(`  ${"rule".padEnd(width)}  rows`);
    for (const [id, n] of counts) lines.push(`  ${visible(id).padEnd(width)}  ${fmt(n)}`);
  }
  const rulesOf = new Map(
    entities.map((e) => [e.name, { entity: e, rules: new Map(qualityRules(e).map((q) => [q.id, q])) }]),
  );
  for (const r of rows.slice(0, limit)) {
    const known = rulesOf.get(String(r.entity));
    const raw = parseRaw(r.raw);
    const from = r.source ?? r._source_file;
    lines.push("", `${visible(String(r.entity))}  ${visible(String(from))}  row ${r._row_number}`);
    const ids = list(r.rule_ids);
    const messages = list(r.messages);
    const width = Math.max(...ids.map((id) => id.length));
    for (const [i, id] of ids.entries()) {
      const column = known?.rules.get(id)?.column;
      const read = column && known ? valuesRead(raw, sourceNames(known.entity, column)) : "";
      lines.push(
        `  ${visible(id).padEnd(width)}  ${visible(messages[i] ?? "")}${read ? `  (${read})` : ""}`.trimEnd(),
      );
    }
    lines.push(`  raw: ${visible(String(r.raw ?? ""))}`);
  }
  if (rows.length > limit)
    lines.push(
      "",
      `${fmt(rows.length - limit)} more row${rows.length - limit === 1 ? "" : "s"} not shown: --limit N, --json, or --export FILE for all`,
    );
  return lines.join("\n");
}
