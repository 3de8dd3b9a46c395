import {
  type LandingManifest,
  landingManifestSchema,
  MANIFEST_FILE,
  parseBatchPath,
} from "@saleslake/schema";
import { IngestError } from "../errors.ts";
import type { LakeStore } from "../lake/lake-store.ts";

export interface LandedBatch {
  readonly batchId: string;
  /** The batch folder, relative to the lake root: `landing/<entity>/ingest_date=…/batch=<id>`. */
  readonly dir: string;
  readonly manifest: LandingManifest;
  /** Lake paths of the batch's part files, in manifest order. */
  readonly files: readonly string[];
}

function badManifest(path: string, why: string, cause?: unknown): IngestError {
  return new IngestError(
    "BAD_MANIFEST",
    `${path}: ${why}`,
    "Manifests are written by saleslake ingest; inspect the batch folder, then remove it and land the data again.",
    { file: path, cause },
  );
}

/** One batch's manifest, read and checked against the manifest schema; BAD_MANIFEST otherwise. */
export async function readLandedManifest(store: LakeStore, path: string): Promise<LandingManifest> {
  let json: unknown;
  try {
    json = JSON.parse((await store.get(path)).toString("utf8"));
  } catch (e) {
    throw badManifest(path, `not valid JSON (${(e as Error).message})`, e);
  }
  const parsed = landingManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badManifest(path, `${issue?.path.join(".") || "manifest"}: ${issue?.message}`);
  }
  return parsed.data;
}

/**
 * The landed batches of an entity, oldest first (batch ids sort by landing time). A batch
 * folder without its manifest is still being written, or was abandoned, and is not returned.
 * A manifest that does not parse, or names a part that is not there, is a BAD_MANIFEST error
 * rather than a batch silently skipped.
 */
export async function listLandedBatches(store: LakeStore, entity: string): Promise<LandedBatch[]> {
  const paths = await store.list(`landing/${entity}/`);
  const present = new Set(paths);
  const out: LandedBatch[] = [];
  for (const path of paths) {
    if (!path.endsWith(`/${MANIFEST_FILE}`)) continue;
    const where = parseBatchPath(path);
    // Only `landing/<entity>/ingest_date=…/batch=…/_manifest.json`, directly in its batch folder.
    if (!where || where.entity !== entity || path.split("/").length !== 5) continue;
    const dir = path.slice(0, -MANIFEST_FILE.length - 1);
    const manifest = await readLandedManifest(store, path);
    if (manifest.batchId !== where.batchId || manifest.entity !== entity)
      throw badManifest(path, `names batch ${manifest.batchId} of ${manifest.entity}, but lies in ${dir}`);
    const files = manifest.files.map((f) => `${dir}/${f.path}`);
    const gone = files.find((f) => !present.has(f));
    if (gone) throw badManifest(path, `lists ${gone}, which is not in the lake`);
    out.push({ batchId: manifest.batchId, dir, manifest, files });
  }
  return out.sort((a, b) => (a.batchId < b.batchId ? -1 : a.batchId > b.batchId ? 1 : 0));
}

/** The manifests of an entity's landed batches, oldest first. */
export async function listLandedManifests(store: LakeStore, entity: string): Promise<LandingManifest[]> {
  return (await listLandedBatches(store, entity)).map((b) => b.manifest);
}
