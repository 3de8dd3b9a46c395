import type { Readable, Writable } from "node:stream";
import { IngestError } from "../errors.ts";

export interface PutResult {
  readonly bytes: number;
  readonly sha256: string;
}

/** What `put` accepts: a byte stream, an async iterable of chunks, or bytes in memory. */
export type PutBody = Readable | AsyncIterable<Uint8Array> | Uint8Array;

/**
 * Bytes written before their path is known (see `LakeStore.stage`): hidden until published,
 * then visible whole at the path, or not at all.
 */
export interface StagedWrite {
  /** Takes the bytes in order; ending it finishes the write. */
  readonly stream: Writable;
  /** Once `stream` has ended: makes the bytes the object at `path`, replacing one that is there. */
  publish(path: string): Promise<void>;
  /** Removes what was written, unless published; safe to call more than once. */
  discard(): Promise<void>;
}

/**
 * A lake: the local folder (embedded default) or ADLS Gen2, behind one interface. Paths are
 * relative, `/`-separated, inside the lake; a written object is visible whole or not at all.
 */
export interface LakeStore {
  readonly kind: "local" | "adls";
  /** Where the lake is, for messages and engine parameters: a folder or an `abfss://` URI; never a credential. */
  readonly location: string;
  /** Writes a stream, computing its size and sha256 on the way. Replaces an existing object. */
  put(path: string, body: PutBody): Promise<PutResult>;
  /**
   * Where a store can move an object cheaply (a rename in the local folder): a write under
   * `folder` whose path is given later, so that landing copies a file while it checks it, in one
   * read, and publishes it once the batch is known. Stores without it are written with `put`.
   */
  stage?(folder: string): Promise<StagedWrite>;
  /**
   * Writes a small object only where none is: true when this call wrote it, false when an object
   * was there. Of writers racing for one path, exactly one gets true.
   */
  putIfAbsent(path: string, body: Uint8Array): Promise<boolean>;
  /** Reads a small object (a manifest) whole. Use `getStream` for data files. */
  get(path: string): Promise<Buffer>;
  getStream(path: string): Promise<Readable>;
  exists(path: string): Promise<boolean>;
  /** Every object path under a prefix, sorted; objects still being written are not listed. */
  list(prefix: string): Promise<string[]>;
  /** Removes an object; a missing object is not an error. */
  delete(path: string): Promise<void>;
  /**
   * A local file holding the object's bytes, for engines that read files (DuckDB): the file
   * itself for the local store, a cached download for ADLS.
   */
  localPath(path: string): Promise<string>;
}

/** Refuses absolute paths, `..`, `.`, empty segments, backslashes and control characters: nothing may escape the lake root. */
export function assertLakePath(path: string): string {
  const parts = path.split("/");
  if (
    path.startsWith("/") ||
    path.includes("\\") ||
    /^[A-Za-z]:/.test(path) ||
    parts.some((p) => p === ".." || p === "." || p === "") ||
    /[\u0000-\u001f\u007f]/.test(path)
  ) {
    throw new IngestError(
      "UNSAFE_PATH",
      `unsafe lake path ${JSON.stringify(path)}`,
      "Lake paths are relative, '/'-separated, without '..', '.' or empty segments.",
      { file: path },
    );
  }
  return path;
}

/** A list prefix: empty (the whole lake) or a safe path, optionally ending in `/`. */
export function assertLakePrefix(prefix: string): string {
  if (prefix === "") return prefix;
  assertLakePath(prefix.endsWith("/") ? prefix.slice(0, -1) : prefix);
  return prefix;
}
