import { realpathSync } from "node:fs";
import { glob, readdir, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { IngestError } from "../errors.ts";
import { formatOf } from "./file-format.ts";

export interface ResolveSourceOptions {
  /**
   * Folder every source file must lie in (after resolving symlinks); relative patterns are
   * taken from it. Default: no confinement, relative to the current directory.
   */
  readonly baseDir?: string;
}

const GLOB_CHARS = /[*?[\]{}]/;

async function folderFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(d.parentPath, d.name);
    // Hidden files (editor swap files, partial copies named .tmp-…) are not data.
    if (
      d.isFile() &&
      !relative(dir, path)
        .split(sep)
        .some((s) => s.startsWith(".")) &&
      formatOf(path)
    )
      out.push(path);
  }
  return out;
}

/**
 * Expands files, folders (every data file beneath, hidden ones skipped) and globs into a
 * sorted list of absolute file paths. With `baseDir`, anything resolving outside it —
 * `../` in a name, an absolute path elsewhere, a symlink out — is refused as UNSAFE_PATH.
 */
export async function resolveSourceFiles(
  patterns: readonly string[],
  options: ResolveSourceOptions = {},
): Promise<string[]> {
  const base = resolve(options.baseDir ?? ".");
  const realBase = options.baseDir ? realpathSync(base) : undefined;
  const found = new Set<string>();
  for (const pattern of patterns) {
    let matches: string[];
    if (GLOB_CHARS.test(pattern)) {
      matches = [];
      for await (const m of glob(pattern, { cwd: base })) matches.push(isAbsolute(m) ? m : join(base, m));
      const files: string[] = [];
      for (const m of matches) if ((await stat(m)).isFile()) files.push(m);
      matches = files;
    } else {
      const path = resolve(base, pattern);
      const info = await stat(path).catch(() => undefined);
      if (!info) {
        throw new IngestError("NO_FILES", `${path}: no such file or folder`, "Check the path.", {
          file: path,
        });
      }
      matches = info.isDirectory() ? await folderFiles(path) : [path];
    }
    if (matches.length === 0) {
      throw new IngestError(
        "NO_FILES",
        `${pattern}: matches no data files`,
        "Supported: .csv, .tsv, .json, .jsonl, .ndjson, .parquet, each optionally .gz.",
        { file: pattern },
      );
    }
    for (const m of matches) {
      if (realBase) {
        const real = realpathSync(m);
        if (real !== realBase && !real.startsWith(`${realBase}${sep}`)) {
          throw new IngestError(
            "UNSAFE_PATH",
            `${m}: lies outside ${realBase}`,
            "Source files must be inside the drop folder; copy the file there instead of linking or pointing outside.",
            { file: m },
          );
        }
      }
      found.add(m);
    }
  }
  return [...found].sort();
}
