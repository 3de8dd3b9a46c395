import { once } from "node:events";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Transform, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { IngestError } from "../errors.ts";
import { hashingTap } from "../lake/hashing-tap.ts";
import { expansionGuard } from "./expansion-guard.ts";
import type { InspectStreamOptions } from "./file-inspection.ts";
import { Utf8Guard } from "./utf8-guard.ts";

/**
 * How much of a file each read takes, landing's reads and its copy into the lake alike. Node's
 * default, 64 KiB, made landing a 991 MB CSV take 7.4–8.5 s; 1 MiB, 6.3–6.9 s.
 */
export const READ_CHUNK_BYTES = 1 << 20;

/**
 * Streams a text file once: the hash and size of its stored bytes, and its decompressed,
 * UTF-8-checked text into `sink`. Memory stays at a few chunks whatever the file size.
 */
export async function streamTextFile(
  path: string,
  compression: "none" | "gzip",
  sink: Writable,
  options: InspectStreamOptions,
): Promise<{ bytes: number; sha256: string }> {
  const { tap, result } = hashingTap();
  const stages: (NodeJS.ReadableStream | NodeJS.WritableStream | Transform)[] = [
    createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }),
    tap,
  ];
  if (options.copyTo) stages.push(teeTo(options.copyTo));
  if (compression === "gzip")
    stages.push(
      createGunzip(),
      expansionGuard(path, (await stat(path)).size, options.maxExpansionRatio ?? 100),
    );
  try {
    await (pipeline as (...s: unknown[]) => Promise<void>)(...stages, new Utf8Guard(path), sink);
  } catch (e) {
    if (e instanceof IngestError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? "";
    if (
      code.startsWith("Z_") ||
      /unexpected end of file|incorrect header check/i.test((e as Error).message)
    ) {
      throw new IngestError(
        "CORRUPT_FILE",
        `${path}: the gzip stream is damaged (${(e as Error).message})`,
        "Re-export or re-copy the file.",
        { file: path, cause: e },
      );
    }
    throw e;
  }
  return result();
}

/**
 * Passes the bytes on, each chunk written to `copy` first (waiting while `copy` is full, failing
 * when it fails); ends `copy` once every byte has passed.
 */
export function teeTo(copy: Writable): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (copy.errored) return done(copy.errored);
      if (copy.write(chunk)) return done(null, chunk);
      once(copy, "drain").then(() => done(null, chunk), done);
    },
    flush(done) {
      copy.end();
      done();
    },
  });
}
