import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { IngestError } from "../errors.ts";
import { hashingTap } from "./hashing-tap.ts";
import { assertLakePath, type LakeStore, type PutResult } from "./lake-store.ts";

/** The embedded default: a local folder with the ADLS layout. Writes go to a temp name, then rename. */
export class LocalLakeStore implements LakeStore {
  readonly kind = "local" as const;
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  private abs(path: string): string {
    try {
      return join(this.root, assertLakePath(path));
    } catch (e) {
      throw new IngestError(
        "UNSAFE_PATH",
        (e as Error).message,
        "Lake paths are relative and may not contain '..'.",
        { file: path },
      );
    }
  }

  async put(path: string, body: Readable | Buffer): Promise<PutResult> {
    const target = this.abs(path);
    mkdirSync(dirname(target), { recursive: true });
    const tmp = join(dirname(target), `.tmp-${randomBytes(6).toString("hex")}`);
    const { tap, result } = hashingTap();
    try {
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, tap, createWriteStream(tmp));
      renameSync(tmp, target);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    return result();
  }

  async get(path: string): Promise<Buffer> {
    return readFile(this.abs(path));
  }

  async exists(path: string): Promise<boolean> {
    return existsSync(this.abs(path));
  }

  async list(prefix: string): Promise<string[]> {
    const base = join(this.root, prefix);
    if (!existsSync(base)) return [];
    const out: string[] = [];
    const walk = (d: string) => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (!name.startsWith(".tmp-")) out.push(relative(this.root, p).split(sep).join("/"));
      }
    };
    walk(base);
    return out.sort();
  }

  async delete(path: string): Promise<void> {
    rmSync(this.abs(path), { force: true });
  }
}
