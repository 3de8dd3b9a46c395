import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const repo = new URL("../../", import.meta.url).pathname;
const workflow = join(repo, ".github/workflows/ci.yml");

function actionlint(): string {
  for (const candidate of [
    process.env.ACTIONLINT,
    join(homedir(), "go/bin/actionlint"),
    "/usr/local/bin/actionlint",
    "/usr/bin/actionlint",
  ]) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync("sh", ["-c", "command -v actionlint"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(
      "actionlint is not installed: run `go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.7` (scripts/prereqs.sh does)",
    );
  }
}

describe("the users' GitHub Actions workflow", () => {
  it("passes actionlint", () => {
    const out = execFileSync(actionlint(), ["-no-color", workflow], { encoding: "utf8", cwd: repo });
    expect(out).toBe("");
  });

  it("actionlint fails on a broken workflow (the check is real)", () => {
    const dir = mkdtempSync(join(tmpdir(), "saleslake-actionlint-"));
    try {
      const broken = readFileSync(workflow, "utf8").replace(
        "runs-on: ubuntu-24.04",
        "runs-on: ${{ matrix.nope }}",
      );
      const file = join(dir, "broken.yml");
      writeFileSync(file, broken);
      let output = "";
      try {
        execFileSync(actionlint(), ["-no-color", file], { encoding: "utf8", stdio: "pipe" });
      } catch (e) {
        output = String((e as { stdout?: string }).stdout);
      }
      expect(output).toMatch(/property "nope" is not defined/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("tests each affected package in its own job, with pnpm and turbo caches, on Node 24", () => {
    const text = readFileSync(workflow, "utf8");
    const pkgs = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { packageManager: string };
    expect(pkgs.packageManager).toMatch(/^pnpm@10\./);
    expect(text).toMatch(/pnpm exec turbo ls --affected --output=json/);
    expect(text).toMatch(/package: \$\{\{ fromJSON\(needs\.affected\.outputs\.packages\) \}\}/);
    expect(text).toMatch(/turbo run test --filter="\$PACKAGE"/);
    expect(text).toMatch(/cache: pnpm/);
    expect(text).toMatch(/path: \.turbo\/cache/);
    expect(text.match(/node-version: 24/g)).toHaveLength(3);
  });

  it("the affected-package script keeps the packages that have tests", () => {
    const script = /node -e '\n([\s\S]*?)\n\s*'\n/.exec(readFileSync(workflow, "utf8"))?.[1];
    expect(script).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), "saleslake-affected-"));
    try {
      for (const [path, scripts] of [
        ["packages/a", { test: "vitest run" }],
        ["packages/b", { build: "tsc" }],
      ] as const) {
        mkdirSync(join(dir, path), { recursive: true });
        writeFileSync(join(dir, path, "package.json"), JSON.stringify({ scripts }));
      }
      const items = [
        { name: "@x/a", path: "packages/a" },
        { name: "@x/b", path: "packages/b" },
      ];
      writeFileSync(join(dir, "affected.json"), JSON.stringify({ packages: { count: 2, items } }));
      const output = join(dir, "github-output");
      execFileSync(process.execPath, ["-e", script!], {
        cwd: dir,
        env: { ...process.env, GITHUB_OUTPUT: output },
      });
      expect(readFileSync(output, "utf8")).toBe('packages=["@x/a"]\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
