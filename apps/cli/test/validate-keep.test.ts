import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineEntity, t } from "@saleslake/schema";
import { afterAll, describe, expect, it } from "vitest";
import { validateFile } from "../src/commands/validate.ts";

const work = mkdtempSync(join(tmpdir(), "saleslake-validate-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const returns = defineEntity({
  name: "sales_returns",
  columns: {
    return_id: t.string(),
    quantity: t.int().min(1),
    refund: t.decimal(10, 2),
  },
  key: ["return_id"],
  watermark: "batch",
  checks: [{ id: "refund_not_negative", sql: "refund >= 0", message: "a refund is not negative" }],
});

describe("validate keeps the first issues and counts them all", () => {
  it("whatever order they are found in", async () => {
    // Every third row breaks quantity.min as it is read; every fifth breaks the SQL check, found
    // only when its chunk of 50,000 rows is checked, after 10,000 column issues have been found.
    const n = 60_000;
    const lines = ["return_id,quantity,refund"];
    for (let i = 1; i <= n; i++) lines.push(`R${i},${i % 3 ? 1 : 0},${i % 5 ? "1.00" : "-1.00"}`);
    const file = join(work, "returns.csv");
    writeFileSync(file, `${lines.join("\n")}\n`);

    const all = await validateFile(returns, file);
    const first = await validateFile(returns, file, { keep: 7 });
    const broken = (every: number) => Math.floor(n / every);
    const expected = {
      file,
      rows: n,
      invalid: broken(3) + broken(5) - broken(15),
      valid: n - (broken(3) + broken(5) - broken(15)),
      warnings: 0,
      byRule: [
        ["quantity.min", broken(3)],
        ["row.refund_not_negative", broken(5)],
      ],
    };
    expect(all).toMatchObject(expected);
    expect(first).toMatchObject(expected);
    expect(all.issues).toHaveLength(broken(3) + broken(5));
    expect(first.issues).toEqual(all.issues.slice(0, 7));
    expect(first.issues.map((i) => [i.row, i.rule])).toEqual([
      [3, "quantity.min"],
      [5, "row.refund_not_negative"],
      [6, "quantity.min"],
      [9, "quantity.min"],
      [10, "row.refund_not_negative"],
      [12, "quantity.min"],
      [15, "quantity.min"],
    ]);
    // The rows in order to the last one.
    expect(all.issues.slice(-2).map((i) => i.rule)).toEqual(["quantity.min", "row.refund_not_negative"]);
    expect(all.issues.at(-1)?.row).toBe(n);
    expect(all.issues.every((x, i, a) => i === 0 || a[i - 1]!.row <= x.row)).toBe(true);
  }, 60_000);
});
