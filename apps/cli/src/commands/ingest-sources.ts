import { type LakeStore, type LandSourceWindowResult, landSourceWindow } from "@saleslake/ingest";
import type { ResolvedConfig } from "../config.ts";
import { fmt, markText } from "../output.ts";

/** What one source landed, as `ingest --source … --json` prints it. */
export interface SourceLanding {
  /** The config's name for the source. */
  readonly name: string;
  readonly entity: string;
  readonly kind: string;
  /** Where the rows came from, without credentials (the manifest's source name). */
  readonly from: string;
  /** `empty`: the window held no rows, so nothing was landed. */
  readonly status: "landed" | "duplicate" | "empty";
  readonly batchId?: string;
  readonly rows: number;
  readonly window: LandSourceWindowResult["window"];
  readonly previous?: LandSourceWindowResult["previous"];
  /** API sources: records that break the schema, landed for bronze to quarantine. */
  readonly invalid?: NonNullable<LandSourceWindowResult["invalid"]>;
  /** Rows no window read this time: dated after the read began (`ahead`), with no watermark (`unmarked`) or no key (`keyless`). */
  readonly unread: LandSourceWindowResult["unread"];
}

/**
 * Lands the next window of each named source, one after the other. Each landing stands alone: a
 * source that fails stops the command, and the windows landed before it stay landed.
 */
export async function ingestSources(
  cfg: ResolvedConfig,
  names: readonly string[],
  options: { store: LakeStore; force: boolean; onLanding?: (l: SourceLanding) => void },
): Promise<SourceLanding[]> {
  const { store } = options;
  const out: SourceLanding[] = [];
  for (const name of names) {
    const { entity: entityName, ...source } = cfg.sources[name]!;
    const entity = cfg.entities.find((e) => e.name === entityName)!;
    const r = await landSourceWindow({ store, entity, source, label: name, force: options.force }).catch(
      (e: unknown) => {
        // With several sources, the message says which one failed.
        if (e instanceof Error && !e.message.startsWith(`source ${name}: `))
          e.message = `source ${name}: ${e.message}`;
        throw e;
      },
    );
    const landing: SourceLanding = {
      name,
      entity: entity.name,
      kind: source.kind,
      from: r.source.name,
      status: r.landed?.status ?? "empty",
      ...(r.landed && { batchId: r.landed.batchId }),
      rows: r.landed?.rows ?? 0,
      window: r.window,
      ...(r.previous && { previous: r.previous }),
      ...(r.invalid && { invalid: r.invalid }),
      unread: r.unread,
    };
    options.onLanding?.(landing);
    out.push(landing);
  }
  return out;
}

/** One source's landing in words. */
export function describeSourceLanding(l: SourceLanding): string {
  const window = `${l.window.column} in (${l.window.low === null ? "the start" : markText(l.window.low)}, ${l.window.high === null ? "—" : markText(l.window.high)}]`;
  const head = `${l.name} (${l.kind} ${l.from})`;
  const lines =
    l.status === "landed"
      ? [
          `${head}: landed ${fmt(l.rows)} ${l.rows === 1 ? "row" : "rows"} as batch ${l.batchId}`,
          `  window: ${window}`,
        ]
      : l.status === "duplicate"
        ? [
            `${head}: this window was landed before, as batch ${l.batchId}: nothing written (use --force to land again)`,
            `  window: ${window}`,
          ]
        : [`${head}: no rows in ${window}: nothing landed`];
  const { ahead, unmarked, keyless, at } = l.unread;
  const rows = (n: number) => `${fmt(n)} ${n === 1 ? "row" : "rows"}`;
  if (ahead > 0)
    lines.push(
      `  ${rows(ahead)} with ${l.window.column} after ${at}, when the read began, not landed: a later window takes them once that time has passed (a value far ahead is likely a mistake in the source)`,
    );
  if (unmarked > 0)
    lines.push(
      `  ${rows(unmarked)} with no ${l.window.column}: no window reads them; give them a value in the source`,
    );
  if (keyless > 0)
    lines.push(
      `  ${rows(keyless)} with a key column empty: no window reads them; give them their key in the source`,
    );
  if (l.invalid && l.invalid.count > 0) {
    lines.push(
      `  ${fmt(l.invalid.count)} landed ${l.invalid.count === 1 ? "record breaks" : "records break"} the schema; the run will quarantine them:`,
    );
    for (const i of l.invalid.issues.slice(0, 5))
      lines.push(`    ${i.file} row ${i.row}: ${i.rule}: ${i.message}`);
  }
  return lines.join("\n");
}
