import { realpathSync } from "node:fs";
import { glob, readdir, stat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { IngestError } from "../errors.ts";
import { formatOf } from "./file-format.ts";

export interface ResolveSourceOptions {
  /**
   * Folder every source file must lie in (after resolving symlinks); relative patterns are
   * taken from it. Default: no confinement, relative to the current directory.
   */
  readonly baseDir?: string;
}

/** A file to land, and the name the batch gives it. */
export interface SourceFile {
  /** Absolute path. */
  readonly path: string;
  /**
   * Forward-slash path relative to the folder, or to the glob's fixed leading folders, it was
   * found through (`jan/returns.csv`); the base name for a file named itself. Two files of one
   * batch never share a name: alike names are lengthened with the folders that tell them apart.
   */
  readonly name: string;
}

const GLOB_CHARS = /[*?[\]{}]/;

/**
 * Whether a name stays below the folder it is relative to: no `..`, `.` or empty segment, not
 * absolute. The name is shown to users and written to manifests, never joined onto a path, but
 * a name that climbs out would no longer say which file under the folder was meant.
 */
export function isSafeSourceName(name: string): boolean {
  return !isAbsolute(name) && name.split("/").every((s) => s !== "" && s !== "." && s !== "..");
}

/** `path` relative to `base`, with forward slashes; the base name when that would leave `base`. */
function nameUnder(base: string, path: string): string {
  const name = relative(base, path).split(sep).join("/");
  return isSafeSourceName(name) ? name : basename(path);
}

/** The folder a glob's matches are named from: its leading segments up to the first with a glob character. */
function globBase(base: string, pattern: string): string {
  const fixed: string[] = [];
  for (const segment of pattern.split(/[\\/]/).slice(0, -1)) {
    if (GLOB_CHARS.test(segment)) break;
    fixed.push(segment);
  }
  return resolve(base, fixed.length === 1 && fixed[0] === "" ? "/" : fixed.join("/"));
}

/** The folder holding `path` above its name's segments. */
function above(f: SourceFile): string {
  let dir = f.path;
  for (const _ of f.name.split("/")) dir = dirname(dir);
  return dir;
}

/** The deepest folder every one of `dirs` is, or lies in. */
function commonFolder(dirs: readonly string[]): string {
  let dir = dirs[0]!;
  const within = (d: string) => d === dir || d.startsWith(dir.endsWith(sep) ? dir : `${dir}${sep}`);
  while (!dirs.every(within) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/**
 * Renames files that share a name (`jan/returns.csv` and `feb/returns.csv` named themselves,
 * or each found through its own folder) by their paths below the deepest folder they all lie
 * in, until no two are alike: a row's file must be found from its name alone. Each pass
 * lengthens all but at most one of the names a group shares, so the passes end; files on
 * different Windows drives, which no folder holds, keep their names.
 */
function distinctNames(files: readonly SourceFile[]): SourceFile[] {
  let named = [...files];
  for (;;) {
    const byName = new Map<string, SourceFile[]>();
    for (const f of named) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
    const shared = [...byName.values()].filter((g) => g.length > 1);
    if (shared.length === 0) return named;
    const renamed = new Map<string, string>();
    for (const group of shared) {
      const root = commonFolder(group.map(above));
      for (const f of group) renamed.set(f.path, nameUnder(root, f.path));
    }
    const next = named.map((f) => ({ path: f.path, name: renamed.get(f.path) ?? f.name }));
    if (next.every((f, i) => f.name === named[i]!.name)) return named;
    named = next;
  }
}

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
  return (await resolveSourceFileNames(patterns, options)).map((f) => f.path);
}

/**
 * As `resolveSourceFiles`, with the name each file is landed under (see `SourceFile`). A file
 * named twice (itself and through its folder) is listed once, under the name given first.
 */
export async function resolveSourceFileNames(
  patterns: readonly string[],
  options: ResolveSourceOptions = {},
): Promise<SourceFile[]> {
  const base = resolve(options.baseDir ?? ".");
  const realBase = options.baseDir ? realpathSync(base) : undefined;
  const found = new Map<string, string>();
  for (const pattern of patterns) {
    let matches: string[];
    let nameOf: (path: string) => string = basename;
    if (GLOB_CHARS.test(pattern)) {
      matches = [];
      for await (const m of glob(pattern, { cwd: base })) matches.push(isAbsolute(m) ? m : join(base, m));
      const files: string[] = [];
      for (const m of matches) if ((await stat(m)).isFile()) files.push(m);
      matches = files;
      const from = globBase(base, pattern);
      nameOf = (m) => nameUnder(from, m);
    } else {
      const path = resolve(base, pattern);
      const info = await stat(path).catch(() => undefined);
      if (!info) {
        throw new IngestError("NO_FILES", `${path}: no such file or folder`, "Check the path.", {
          file: path,
        });
      }
      if (info.isDirectory()) {
        matches = await folderFiles(path);
        nameOf = (m) => nameUnder(path, m);
      } else matches = [path];
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
      if (!found.has(m)) found.set(m, nameOf(m));
    }
  }
  const files = [...found].map(([path, name]) => ({ path, name }));
  return distinctNames(files).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
