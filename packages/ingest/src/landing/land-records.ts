import { createHash, randomBytes } from "node:crypto";
import {
  batchPath,
  type Entity,
  type LandingManifest,
  landingManifestSchema,
  MANIFEST_FILE,
  newBatchId,
  partFileName,
  schemaFingerprint,
} from "@saleslake/schema";
import type { LakeStore } from "../lake/lake-store.ts";

export interface LandRecordsOptions {
  readonly store: LakeStore;
  readonly entity: Entity;
  readonly records: AsyncIterable<Record<string, unknown>>;
  readonly source: LandingManifest["source"];
  readonly window: LandingManifest["window"];
  /** Records per JSON Lines part. Default `100_000`. */
  readonly rowsPerPart?: number;
  readonly now?: Date;
}

/**
 * Lands records (from a database or an API) as JSON Lines parts keyed by source column names,
 * then the manifest with the watermark window. Nothing is visible until the manifest is written.
 */
export async function landRecords(
  options: LandRecordsOptions,
): Promise<{ batchId: string; rows: number } | undefined> {
  const { store, entity } = options;
  const now = options.now ?? new Date();
  const batchId = newBatchId(now, randomBytes(4).toString("hex"));
  const dir = batchPath("landing", entity.name, batchId);
  const perPart = Math.max(1, options.rowsPerPart ?? 100_000);
  const files: LandingManifest["files"] = [];
  let lines: string[] = [];
  const flush = async () => {
    if (lines.length === 0) return;
    const path = partFileName(files.length, "jsonl");
    const put = await store.put(`${dir}/${path}`, Buffer.from(`${lines.join("\n")}\n`));
    files.push({ path, rows: lines.length, bytes: put.bytes, sha256: put.sha256 });
    lines = [];
  };
  for await (const r of options.records) {
    lines.push(JSON.stringify(r));
    if (lines.length >= perPart) await flush();
  }
  await flush();
  if (files.length === 0) return undefined;
  const rows = files.reduce((a, f) => a + f.rows, 0);
  const manifest: LandingManifest = {
    version: 1,
    entity: entity.name,
    batchId,
    landedAt: now.toISOString(),
    source: options.source,
    window: options.window,
    format: "jsonl",
    compression: "none",
    files,
    rowCount: rows,
    bytes: files.reduce((a, f) => a + f.bytes, 0),
    contentSha256: createHash("sha256")
      .update(files.map((f) => f.sha256).join(""))
      .digest("hex"),
    schemaFingerprint: schemaFingerprint(entity),
  };
  await store.put(
    `${dir}/${MANIFEST_FILE}`,
    Buffer.from(`${JSON.stringify(landingManifestSchema.parse(manifest), null, 2)}\n`),
  );
  return { batchId, rows };
}
