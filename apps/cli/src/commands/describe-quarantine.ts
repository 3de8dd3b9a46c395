import type { Row } from "@saleslake/pipeline";
import { type Entity, qualityRules } from "@saleslake/schema";
import { count, fmt, visible } from "../output.ts";
import type { QuarantineSummary } from "./quarantine.ts";

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
 * `quarantine` as text. For each entity, how many rows each rule held back (of every row, from
 * `summaries`); then the rows given (the first ones, up to the command's limit), where each came
 * from, each rule it broke with its message and the source values that rule reads, and its raw
 * values whole. In a table the raw values were cut at the column's width, most often before the
 * value that broke the rule.
 */
export function describeQuarantine(
  summaries: readonly QuarantineSummary[],
  rows: readonly Row[],
  entities: readonly Entity[],
): string {
  const held = summaries.filter((s) => s.rows > 0);
  if (held.length === 0) return "no rows held back";
  const lines: string[] = [];
  for (const s of held) {
    lines.push(`${s.entity}: ${count(s.rows, "row")} held back`);
    const width = Math.max(4, ...s.rules.map(([id]) => visible(id).length));
    lines.push(`  ${"rule".padEnd(width)}  rows`);
    for (const [id, n] of s.rules) lines.push(`  ${visible(id).padEnd(width)}  ${fmt(n)}`);
  }
  const rulesOf = new Map(
    entities.map((e) => [e.name, { entity: e, rules: new Map(qualityRules(e).map((q) => [q.id, q])) }]),
  );
  for (const r of rows) {
    const known = rulesOf.get(String(r.entity));
    const raw = parseRaw(r.raw);
    const from = r.source ?? r._source_file;
    lines.push("", `${visible(String(r.entity))}  ${visible(String(from))}  row ${r._row_number}`);
    const ids = list(r.rule_ids);
    const messages = list(r.messages);
    const width = Math.max(...ids.map((id) => visible(id).length));
    for (const [i, id] of ids.entries()) {
      const column = known?.rules.get(id)?.column;
      const read = column && known ? valuesRead(raw, sourceNames(known.entity, column)) : "";
      lines.push(
        `  ${visible(id).padEnd(width)}  ${visible(messages[i] ?? "")}${read ? `  (${read})` : ""}`.trimEnd(),
      );
    }
    lines.push(`  raw: ${visible(String(r.raw ?? ""))}`);
  }
  const more = held.reduce((a, s) => a + s.rows, 0) - rows.length;
  if (more > 0)
    lines.push("", `${count(more, "more row")} not shown: --limit N, --json, or --export FILE for all`);
  return lines.join("\n");
}
