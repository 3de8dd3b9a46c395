import type { Readable } from "node:stream";

export interface PutResult {
  readonly bytes: number;
  readonly sha256: string;
}

/**
 * A lake: the local folder (embedded default) or ADLS Gen2, behind one interface. Paths are
 * relative, `/`-separated, inside the lake; a written object is visible whole or not at all.
 */
export interface LakeStore {
  readonly kind: "local" | "adls";
  /** Writes a stream, computing its size and sha256 on the way. */
  put(path: string, body: Readable | Buffer): Promise<PutResult>;
  get(path: string): Promise<Buffer>;
  exists(path: string): Promise<boolean>;
  /** Every object path under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
  delete(path: string): Promise<void>;
}

/** Refuses absolute paths and `..` segments: nothing may escape the lake root. */
export function assertLakePath(path: string): string {
  const parts = path.split("/");
  if (
    path.startsWith("/") ||
    path.includes("\\") ||
    parts.some((p) => p === ".." || p === "." || p === "") ||
    /[\u0000-\u001f]/.test(path)
  ) {
    throw new Error(`unsafe lake path ${JSON.stringify(path)}`);
  }
  return path;
}
