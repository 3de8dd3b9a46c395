import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { codeFingerprint } from "../src/harness/code-fingerprint.ts";

const repo = mkdtempSync(join(tmpdir(), "saleslake-bench-fingerprint-"));
afterAll(() => rmSync(repo, { recursive: true, force: true }));

const git = (...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
    cwd: repo,
    stdio: "ignore",
  });
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
};
const commit = () => {
  git("add", "-A");
  git("commit", "-q", "-m", "change");
};

describe("codeFingerprint: the code a run measures", () => {
  git("init", "-q");
  write("packages/pipeline/src/engine.ts", "export const a = 1;\n");
  write("packages/pipeline/README.md", "# pipeline\n");
  write("packages/pipeline/test/engine.test.ts", "// a test\n");
  write("bench/src/run.ts", "// the bench\n");
  write("pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
  write("apps/cli/src/main.ts", "// the CLI\n");
  commit();
  const first = codeFingerprint(repo);

  it("stays the same over documentation, the packages' tests and code the bench does not run", () => {
    expect(first).toMatch(/^[0-9a-f]{16}$/);
    write("packages/pipeline/README.md", "# pipeline, documented\n");
    write("packages/pipeline/test/engine.test.ts", "// another test\n");
    write("packages/pipeline/test/new.test.ts", "// untracked\n");
    write("apps/cli/src/main.ts", "// the CLI, changed\n");
    expect(codeFingerprint(repo)).toBe(first); // uncommitted
    commit();
    expect(codeFingerprint(repo)).toBe(first); // committed
  });

  it("changes with the packages' code, the bench's, and the lockfile, committed or not", () => {
    for (const [path, text] of [
      ["packages/pipeline/src/engine.ts", "export const a = 2;\n"],
      ["bench/src/run.ts", "// the bench, changed\n"],
      ["pnpm-lock.yaml", "lockfileVersion: '9.1'\n"],
    ] as const) {
      const before = codeFingerprint(repo);
      write(path, text);
      const uncommitted = codeFingerprint(repo);
      expect(uncommitted, path).not.toBe(before);
      commit();
      expect(codeFingerprint(repo), path).toBe(uncommitted);
    }
    const before = codeFingerprint(repo);
    write("packages/pipeline/src/added.ts", "export const b = 1;\n"); // untracked
    expect(codeFingerprint(repo)).not.toBe(before);
  });

  it("is no-git outside a checkout", () => {
    const outside = mkdtempSync(join(tmpdir(), "saleslake-bench-nogit-"));
    try {
      expect(codeFingerprint(outside)).toBe("no-git");
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
