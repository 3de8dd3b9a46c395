import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const pkgDir = new URL("..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "saleslake-schema-pack-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The README's example, run as another team would: from the packed tarball, outside the workspace. */
describe("the packed package", () => {
  it("installs into a throwaway project and runs the README example", () => {
    execFileSync("pnpm", ["pack", "--pack-destination", work], { cwd: pkgDir, stdio: "pipe" });
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    expect(tarball).toMatch(/^saleslake-schema-\d+\.\d+\.\d+\.tgz$/);

    const project = join(work, "consumer");
    execFileSync("mkdir", ["-p", project]);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }),
    );
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", join(work, tarball!)], {
      cwd: project,
      stdio: "pipe",
    });
    const installed = JSON.parse(
      readFileSync(join(project, "node_modules/@saleslake/schema/package.json"), "utf8"),
    );
    expect(installed.exports["."].default).toBe("./dist/index.js");
    expect(installed.dependencies.zod).toMatch(/^\d/);

    const readme = readFileSync(join(pkgDir, "README.md"), "utf8");
    const example = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    writeFileSync(join(project, "example.ts"), example);
    const out = execFileSync(process.execPath, ["example.ts"], { cwd: project, encoding: "utf8" })
      .trim()
      .split("\n");
    expect(out[0]).toBe("2026-07-03T14:05:00.000000Z");
    expect(out[1]).toBe("CREATE TABLE IF NOT EXISTS `main`.`silver`.`sales_returns` (");
    expect(out[2]).toMatch(/^\d+ 7$/);

    // The bundled seed files travel with the package.
    const seed = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        "import { carSalesSeedFiles } from '@saleslake/schema'; console.log(carSalesSeedFiles.initial)",
      ],
      { cwd: project, encoding: "utf8" },
    ).trim();
    expect(readFileSync(seed, "utf8").split("\n").length).toBe(1851);
  }, 180_000);
});
