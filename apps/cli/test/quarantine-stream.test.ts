import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import type { Row } from "@saleslake/pipeline";
import { describe, expect, it } from "vitest";
import { exportLine, exportQuarantine } from "../src/commands/quarantine.ts";
import { writeJsonStream } from "../src/output.ts";

const row = (n: number): Row => ({
  entity: "sales_returns",
  source: n % 2 ? "returns.csv" : null,
  _batch_id: "20261207T000000000Z-00000000",
  _source_file:
    "landing/sales_returns/ingest_date=2026-12-07/batch=20261207T000000000Z-00000000/part-00000.csv",
  _row_number: String(n),
  rule_ids: ["quantity.min"],
  messages: ["quantity: below the minimum 1"],
  raw: JSON.stringify({ ReturnID: `R${n}`, quantity: "0", note: 'a "quoted"\nline' }),
});

async function* chunks(...sizes: number[]): AsyncGenerator<Row[]> {
  let n = 0;
  for (const size of sizes) yield Array.from({ length: size }, () => row(++n));
}

/** An output that takes each write a moment later, asking to drain past `limit` bytes, as a pipe does. */
function slowOut(limit: number) {
  let text = "";
  let held = 0;
  const out: Writable = new Writable({
    highWaterMark: limit,
    write(chunk: Buffer, _enc, done) {
      held = Math.max(held, out.writableLength);
      text += chunk.toString();
      setTimeout(done, 1);
    },
  });
  return { out, text: () => text, mostHeld: () => held };
}

describe("quarantine --json, a chunk at a time", () => {
  it("writes what JSON.stringify writes, for several chunks and for none", async () => {
    for (const sizes of [[3, 1, 2], [], [0, 2]]) {
      const o = slowOut(1 << 20);
      await writeJsonStream(o.out, { entities: ["sales_returns", "car_sales"] }, "rows", chunks(...sizes));
      await finished(o.out.end());
      const all: Row[] = [];
      for await (const c of chunks(...sizes)) all.push(...c);
      expect(o.text()).toBe(
        `${JSON.stringify({ entities: ["sales_returns", "car_sales"], rows: all }, null, 2)}\n`,
      );
    }
  });

  it("waits for the output to drain instead of buffering every row", async () => {
    const o = slowOut(256);
    await writeJsonStream(o.out, { entities: ["sales_returns"] }, "rows", chunks(...Array(20).fill(5)));
    await finished(o.out.end());
    const text = o.text();
    expect(JSON.parse(text).rows).toHaveLength(100);
    // At most one chunk of five rows waits beside the one being written, not the hundred.
    expect(o.mostHeld()).toBeGreaterThan(0);
    expect(o.mostHeld()).toBeLessThan(text.length / 10);
  });
});

describe("quarantine --export, a chunk at a time", () => {
  it("writes every row's line, and leaves no partial file beside it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "saleslake-export-"));
    const file = join(dir, "fix.jsonl");
    expect(await exportQuarantine(file, chunks(2, 3))).toBe(5);
    const expected: string[] = [];
    for await (const c of chunks(2, 3)) expected.push(...c.map(exportLine));
    expect(readFileSync(file, "utf8")).toBe(expected.join(""));
    expect(readdirSync(dir)).toEqual(["fix.jsonl"]);
  });

  it("that fails part way leaves the file as it was", async () => {
    const dir = mkdtempSync(join(tmpdir(), "saleslake-export-"));
    const file = join(dir, "fix.jsonl");
    writeFileSync(file, "an earlier export\n");
    async function* failing(): AsyncGenerator<Row[]> {
      yield [row(1), row(2)];
      throw new Error("the warehouse went away");
    }
    await expect(exportQuarantine(file, failing())).rejects.toThrow("the warehouse went away");
    expect(readFileSync(file, "utf8")).toBe("an earlier export\n");
    expect(readdirSync(dir)).toEqual(["fix.jsonl"]);
  });
});
