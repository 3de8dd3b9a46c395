import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { batchPath, type LandingManifest, MANIFEST_FILE } from "@saleslake/schema";
import { IngestError } from "../errors.ts";
import type { LakeStore } from "../lake/lake-store.ts";

/** Who is landing a content: written once, where the content's claim is. */
export interface ClaimHolder {
  readonly batchId: string;
  readonly claimedAt: string;
  readonly host: string;
  readonly pid: number;
}

/** A claim older than this whose batch never got its manifest is taken over, wherever it was made. */
export const CLAIM_STALE_MS = 24 * 60 * 60 * 1000;

/**
 * Where the claim of a content (and, for records, the window it was read for) lives. Claims sit
 * in the landing zone beside the entities' folders: `_claims` is no entity name (entity names
 * start with a letter), and readers of `landing/<entity>/` never see them.
 */
export function claimPath(entity: string, contentSha256: string, window: LandingManifest["window"]): string {
  const key = createHash("sha256").update(contentSha256).update(JSON.stringify(window)).digest("hex");
  return `landing/_claims/${entity}/${key}.json`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The claim's landing is over without a manifest: its process is gone from this host, or it is a day old. */
function stale(holder: ClaimHolder, now: Date): boolean {
  const age = now.getTime() - Date.parse(holder.claimedAt);
  return (holder.host === hostname() && !alive(holder.pid)) || !(age < CLAIM_STALE_MS);
}

/**
 * Claims a content for the landing of `batchId`, so that two landings of the same content at
 * once land it once. `claimed`: this landing goes on (and removes the claim if it fails);
 * `landed`: another landing of it has its manifest. A landing of it still under way is an
 * error naming it. A claim left by a landing that died is taken over (see takeOver).
 */
export async function claimContent(
  store: LakeStore,
  entity: string,
  path: string,
  batchId: string,
  now: Date,
): Promise<"claimed" | "landed"> {
  const me: ClaimHolder = { batchId, claimedAt: now.toISOString(), host: hostname(), pid: process.pid };
  const body = Buffer.from(`${JSON.stringify(me)}\n`);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await store.putIfAbsent(path, body)) return "claimed";
    const found = await readIfThere(store, path);
    if (found === undefined) continue; // released meanwhile
    const holder = parseHolder(found);
    if (holder && (await store.exists(`${batchPath("landing", entity, holder.batchId)}/${MANIFEST_FILE}`)))
      return "landed";
    if (holder && !stale(holder, now)) {
      throw new IngestError(
        "LANDING_IN_PROGRESS",
        `the same content is being landed now as batch ${holder.batchId}, by pid ${holder.pid} on ${holder.host} since ${holder.claimedAt}`,
        `Wait for it to finish: then this content is landed. If no such landing is running, land again with --force (force: true), or delete ${path}.`,
      );
    }
    if (await takeOver(store, path, found, body, now)) return "claimed";
  }
  throw new IngestError(
    "LANDING_IN_PROGRESS",
    `could not claim ${path}: another landing of the same content started at the same moment`,
    "Land again: a landed content is then recognised.",
  );
}

async function readIfThere(store: LakeStore, path: string): Promise<Buffer | undefined> {
  try {
    return await store.get(path);
  } catch (e) {
    if (e instanceof IngestError && e.code === "NOT_FOUND") return undefined;
    throw e;
  }
}

function parseHolder(bytes: Buffer): ClaimHolder | undefined {
  try {
    const h = JSON.parse(bytes.toString("utf8")) as Partial<ClaimHolder> | null;
    return typeof h?.batchId === "string" && typeof h.claimedAt === "string" ? (h as ClaimHolder) : undefined;
  } catch {
    return undefined; // not a claim (a write cut short): taken over
  }
}

/**
 * Replaces the stale claim `found` with this landing's, once: landings that found the same stale
 * claim race for a lock named by its content, and the one that gets it replaces the claim only
 * if it still reads `found`, by overwriting it, so the claim is never absent for a third landing
 * to take. A landing that loses goes back to reading the claim, now the winner's. A delete and a
 * new claim instead let the slower of two such landings delete the faster one's claim: both
 * landed. A lock left by a landing that died before it replaced the claim is itself a stale
 * claim, on the lock's path: taken over the same way, then held. False: the claim changed
 * meanwhile, or another landing holds the lock.
 */
async function takeOver(
  store: LakeStore,
  path: string,
  found: Buffer,
  body: Buffer,
  now: Date,
): Promise<boolean> {
  const lock = `${path.replace(/\.json$/, "")}.takeover-${createHash("sha256").update(found).digest("hex").slice(0, 16)}.json`;
  if (!(await store.putIfAbsent(lock, body))) {
    const held = await readIfThere(store, lock);
    if (held === undefined) return false; // released: read the claim again
    const taker = parseHolder(held);
    if (taker && !stale(taker, now)) return false; // another landing is taking it over
    if (!(await takeOver(store, lock, held, body, now))) return false;
  }
  try {
    const current = await readIfThere(store, path);
    if (current === undefined) return store.putIfAbsent(path, body);
    if (!current.equals(found)) return false;
    await store.put(path, body);
    return true;
  } finally {
    await store.delete(lock);
  }
}
