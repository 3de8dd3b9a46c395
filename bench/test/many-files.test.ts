import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const script = new URL("../src/many-files.ts", import.meta.url).pathname;

/** Runs `pnpm --filter @saleslake/bench many-files` as a user would, small. */
function manyFiles(args: string[]) {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("many-files: a first load from many small landed files", () => {
  it.each(["csv", "jsonl", "parquet"])(
    "lands %s files as batches and runs them once, every row read",
    (format) => {
      const r = manyFiles([
        "--files",
        "6",
        "--rows",
        "25",
        "--batches",
        "2",
        "--format",
        format,
        "--repeats",
        "1",
      ]);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      expect(r.out).toMatch(
        new RegExp(
          `^6 ${format} files of 25 rows in 2 batch\\(es\\): [0-9.]+ s \\(succeeded, 150 rows read; bronze [0-9.]+ s, silver [0-9.]+ s\\)\\n$`,
        ),
      );
    },
  );

  it("refuses more batches than files", () => {
    const r = manyFiles(["--files", "2", "--batches", "3"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no more batches than files/);
  });
});
