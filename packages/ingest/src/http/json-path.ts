/**
 * The value at a dotted path in a parsed JSON body: `data`, `meta.next_page`, `paging.next`.
 * An empty path (or `.`) is the body itself. Undefined when any step is missing.
 */
export function atPath(body: unknown, path: string): unknown {
  if (path === "" || path === ".") return body;
  let v: unknown = body;
  for (const key of path.split(".")) {
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}
