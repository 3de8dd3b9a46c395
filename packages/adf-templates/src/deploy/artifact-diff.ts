import diff from "microdiff";

/** One difference between what the factory has and what would be deployed. */
export interface ArtifactDiffEntry {
  readonly op: "add" | "remove" | "change";
  /** JSON path under `properties`, e.g. `activities[2].policy.retry`. */
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Properties the service adds or manages itself; never a reason to write. */
const SERVICE_MANAGED = new Set(["runtimeState"]);

const isEmpty = (v: unknown) =>
  v === null ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);

/**
 * What the service returns, reduced to what we control: service-managed properties dropped, and
 * empty defaults it adds (`[]`, `{}`, `null`) dropped where we did not set the key.
 */
export function normalizeExisting(existing: unknown, desired: unknown, top = true): unknown {
  if (Array.isArray(existing) && Array.isArray(desired))
    return existing.map((v, i) => (i < desired.length ? normalizeExisting(v, desired[i], false) : v));
  if (typeof existing !== "object" || existing === null || Array.isArray(existing)) return existing;
  const d =
    typeof desired === "object" && desired !== null && !Array.isArray(desired)
      ? (desired as Record<string, unknown>)
      : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(existing)) {
    if (top && SERVICE_MANAGED.has(k)) continue;
    if (!(k in d) && isEmpty(v)) continue;
    out[k] = normalizeExisting(v, d[k], false);
  }
  return out;
}

function pathOf(segments: readonly (string | number)[]): string {
  return segments.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

/** Differences between the factory's artifact properties and the desired ones; empty when equal. */
export function artifactDiff(existingProperties: unknown, desiredProperties: unknown): ArtifactDiffEntry[] {
  const before = normalizeExisting(existingProperties ?? {}, desiredProperties) as Record<string, unknown>;
  const after = (desiredProperties ?? {}) as Record<string, unknown>;
  return diff(before, after).map((d) => {
    const path = pathOf(d.path);
    if (d.type === "CREATE") return { op: "add", path, after: d.value };
    if (d.type === "REMOVE") return { op: "remove", path, before: d.oldValue };
    return { op: "change", path, before: d.oldValue, after: d.value };
  });
}
