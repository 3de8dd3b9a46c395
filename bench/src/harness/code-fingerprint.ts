import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** What the bench measures: the packages' code, the bench's own, the Python contenders, the lockfile. */
export const MEASURED_PATHS = [
  "packages",
  "bench/src",
  "bench/python",
  "bench/requirements.txt",
  "pnpm-lock.yaml",
];

/**
 * Files that change no figure: documentation, and the packages' tests (their goldens among them).
 * A run may resume across a commit that touches only these.
 */
const UNMEASURED: readonly RegExp[] = [/\.md$/i, /^packages\/[^/]+\/test\//];

const measured = (path: string) => !UNMEASURED.some((re) => re.test(path));

/**
 * The code a run measures: every measured file's path and content (its git blob id), as the
 * working tree has it, committed or not. A run resumes only on the same. `repo` is the
 * repository's root; outside a git checkout the code cannot be told apart, and the result is
 * "no-git", so a run resumes only within one install.
 */
export function codeFingerprint(repo: string): string {
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  // -z: paths as they are, whatever characters they hold.
  const paths = (out: string) => out.split("\0").filter((p) => p && measured(p));
  try {
    const blobs = new Map<string, string>();
    for (const line of git("ls-tree", "-r", "-z", "HEAD", "--", ...MEASURED_PATHS).split("\0")) {
      const tab = line.indexOf("\t");
      if (tab > 0 && measured(line.slice(tab + 1)))
        blobs.set(line.slice(tab + 1), line.slice(0, tab).split(" ")[2]!);
    }
    const changed = [
      ...paths(git("diff", "--name-only", "-z", "HEAD", "--", ...MEASURED_PATHS)),
      ...paths(git("ls-files", "-z", "--others", "--exclude-standard", "--", ...MEASURED_PATHS)),
    ];
    for (const f of changed) {
      if (existsSync(join(repo, f))) blobs.set(f, git("hash-object", "--", f).trim());
      else blobs.delete(f);
    }
    const hash = createHash("sha256");
    for (const f of [...blobs.keys()].sort()) hash.update(`${f}\0${blobs.get(f)}\n`);
    return hash.digest("hex").slice(0, 16);
  } catch {
    return "no-git";
  }
}
