import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { link, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { IngestError } from "../errors.ts";
import { hashingTap } from "./hashing-tap.ts";
import {
  assertLakePath,
  assertLakePrefix,
  type LakeStore,
  type PutBody,
  type PutResult,
  type StagedWrite,
} from "./lake-store.ts";

/** Temp names of writes in progress: hidden from `list`, never read. */
const TEMP_PREFIX = ".tmp-";

function notFound(path: string, cause: unknown): IngestError {
  return new IngestError(
    "NOT_FOUND",
    `lake object ${path} does not exist`,
    "Check the path, or land the data first.",
    {
      file: path,
      cause,
    },
  );
}

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException).code === "ENOENT";

/**
 * The embedded default: a local folder with the ADLS layout. A write goes to a temp name in the
 * target folder, is flushed to disk, then renamed, so a reader never sees a partial file.
 */
export class LocalLakeStore implements LakeStore {
  readonly kind = "local" as const;
  readonly root: string;
  readonly location: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.location = this.root;
  }

  private abs(path: string): string {
    return join(this.root, assertLakePath(path));
  }

  async put(path: string, body: PutBody): Promise<PutResult> {
    const target = this.abs(path);
    await mkdir(dirname(target), { recursive: true });
    const tmp = join(dirname(target), `${TEMP_PREFIX}${basename(target)}-${randomBytes(6).toString("hex")}`);
    const { tap, result } = hashingTap();
    const source = body instanceof Uint8Array ? Readable.from([body]) : body;
    try {
      // flush: fsync before close, so the rename never publishes bytes still in the page cache.
      await pipeline(source, tap, createWriteStream(tmp, { flush: true }));
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    return result();
  }

  /**
   * A temp file in `folder`, flushed to disk and renamed to its path when published. Not flushed
   * before: a copy discarded (content landed before) costs no disk write-back.
   */
  async stage(folder: string): Promise<StagedWrite> {
    const dir = this.abs(folder);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `${TEMP_PREFIX}staged-${randomBytes(6).toString("hex")}`);
    const stream = createWriteStream(tmp);
    // A failed write is kept in `stream.errored`, for `publish` to throw.
    stream.on("error", () => {});
    let published = false;
    return {
      stream,
      publish: async (path) => {
        const target = this.abs(path);
        // Closed: written and closed, or failed.
        if (!stream.closed) await once(stream, "close");
        if (stream.errored) throw stream.errored;
        if (!stream.writableFinished) throw new Error(`${tmp}: the staged write was not ended`);
        // On disk before the rename publishes it, as `put` flushes before its rename.
        const file = await open(tmp, "r+");
        try {
          await file.sync();
        } finally {
          await file.close();
        }
        await mkdir(dirname(target), { recursive: true });
        await rename(tmp, target);
        published = true;
      },
      discard: async () => {
        if (published) return;
        if (!stream.closed) {
          stream.destroy();
          await once(stream, "close");
        }
        await rm(tmp, { force: true });
      },
    };
  }

  async putIfAbsent(path: string, body: Uint8Array): Promise<boolean> {
    const target = this.abs(path);
    await mkdir(dirname(target), { recursive: true });
    const tmp = join(dirname(target), `${TEMP_PREFIX}${basename(target)}-${randomBytes(6).toString("hex")}`);
    try {
      await writeFile(tmp, body, { flush: true });
      // A hard link fails where a file is, and publishes the whole file at once where none is.
      await link(tmp, target);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw e;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async get(path: string): Promise<Buffer> {
    try {
      return await readFile(this.abs(path));
    } catch (e) {
      throw isMissing(e) ? notFound(path, e) : e;
    }
  }

  async getStream(path: string): Promise<Readable> {
    const file = this.abs(path);
    try {
      await stat(file);
    } catch (e) {
      throw isMissing(e) ? notFound(path, e) : e;
    }
    return createReadStream(file);
  }

  async exists(path: string): Promise<boolean> {
    try {
      return (await stat(this.abs(path))).isFile();
    } catch (e) {
      if (isMissing(e)) return false;
      throw e;
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertLakePrefix(prefix);
    // A prefix names a folder (`landing/car_sales/`) or the start of a name (`landing/car_`).
    const folder =
      prefix.endsWith("/") || prefix === "" ? prefix : prefix.slice(0, prefix.lastIndexOf("/") + 1);
    const out: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      let entries: import("node:fs").Dirent[];
      try {
        entries = await readdir(join(this.root, rel), { withFileTypes: true });
      } catch (e) {
        if (isMissing(e)) return;
        throw e;
      }
      for (const d of entries) {
        const p = `${rel}${d.name}`;
        if (d.isDirectory()) {
          if (p.startsWith(prefix) || prefix.startsWith(`${p}/`)) await walk(`${p}/`);
        } else if (d.isFile() && !d.name.startsWith(TEMP_PREFIX) && p.startsWith(prefix)) out.push(p);
      }
    };
    await walk(folder);
    return out.sort();
  }

  async delete(path: string): Promise<void> {
    await rm(this.abs(path), { force: true });
  }

  async localPath(path: string): Promise<string> {
    const file = this.abs(path);
    if (!(await this.exists(path))) throw notFound(path, undefined);
    return file;
  }
}
