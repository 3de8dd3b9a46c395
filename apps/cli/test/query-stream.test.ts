import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { TABLE_SIZING_ROWS, table, writeJsonArrayStream, writeTableStream } from "../src/output.ts";

type R = Record<string, unknown>;

const row = (n: number, text = "x"): R => ({ n: String(n), text, flag: n % 2 === 0, gone: null });

async function* chunks(sizes: number[], make: (n: number) => R = row): AsyncGenerator<R[]> {
  let n = 0;
  for (const size of sizes) yield Array.from({ length: size }, () => make(n++));
}

async function all(sizes: number[], make?: (n: number) => R): Promise<R[]> {
  const out: R[] = [];
  for await (const c of chunks(sizes, make)) out.push(...c);
  return out;
}

function collect() {
  let text = "";
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { out, text: () => text };
}

const COLS = ["n", "text", "flag", "gone"];

describe("query's answer, a chunk at a time", () => {
  it("prints the table `table` prints, for several chunks, and says when there are no rows", async () => {
    for (const sizes of [[3, 1, 2], [], [0]]) {
      const o = collect();
      await writeTableStream(o.out, COLS, chunks(sizes));
      await finished(o.out.end());
      const rows = await all(sizes);
      expect(o.text()).toBe(`${rows.length ? table(rows, COLS) : "(no rows)"}\n`);
    }
  });

  it("sizes columns by the first rows, and writes a wider value after them whole", async () => {
    const n = TABLE_SIZING_ROWS + 500;
    const text = (i: number) => "x".repeat(i < TABLE_SIZING_ROWS ? 3 : i === n - 1 ? 70 : 8);
    const o = collect();
    await writeTableStream(
      o.out,
      ["n", "text"],
      chunks([700, 700, 100], (i) => ({ n: String(i), text: text(i) })),
    );
    const lines = o.text().split("\n");
    expect(lines.at(-1)).toBe("");
    expect(lines).toHaveLength(n + 3);
    // The heading and the first rows are as `table` prints the first rows alone.
    const first = table(
      Array.from({ length: TABLE_SIZING_ROWS }, (_, i) => ({ n: String(i), text: text(i) })),
      ["n", "text"],
    ).split("\n");
    expect(lines.slice(0, TABLE_SIZING_ROWS + 2)).toEqual(first);
    // Later, wider values are not cut, but for one past the widest column printed.
    expect(lines[TABLE_SIZING_ROWS + 2 + 100]).toBe(`${String(TABLE_SIZING_ROWS + 100).padEnd(4)}  xxxxxxxx`);
    expect(lines.at(-2)).toBe(`${String(n - 1).padEnd(4)}  ${"x".repeat(59)}…`);
  });

  it("writes --json as JSON.stringify writes the rows, for several chunks and for none", async () => {
    for (const sizes of [[3, 1, 2], [], [0, 2]]) {
      const o = collect();
      await writeJsonArrayStream(o.out, chunks(sizes));
      await finished(o.out.end());
      expect(o.text()).toBe(`${JSON.stringify(await all(sizes), null, 2)}\n`);
      expect(JSON.parse(o.text())).toEqual(await all(sizes));
    }
  });

  it("stops reading the answer once its reader is gone (a closed pipe: | head)", async () => {
    // Standard output on a pipe: writes return at once, and a closed pipe is an EPIPE error
    // event, with the stream not marked destroyed.
    for (const write of [
      writeJsonArrayStream,
      (o: NodeJS.WritableStream, c: AsyncIterable<R[]>) => writeTableStream(o, COLS, c),
    ]) {
      const pipe = new EventEmitter() as EventEmitter & { write(s: string): boolean; destroyed: boolean };
      let writes = 0;
      pipe.destroyed = false;
      pipe.write = () => {
        if (++writes === 2) {
          const epipe = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
          process.nextTick(() => pipe.emit("error", epipe));
        }
        return true;
      };
      let pulled = 0;
      async function* counted(): AsyncGenerator<R[]> {
        for await (const c of chunks(Array(1000).fill(TABLE_SIZING_ROWS))) {
          pulled++;
          // Each chunk comes from the engine's threads, as DuckDB's fetches do.
          await new Promise((resolve) => setImmediate(resolve));
          yield c;
        }
      }
      await write(pipe as unknown as NodeJS.WritableStream, counted());
      expect(pulled).toBeGreaterThan(0);
      expect(pulled).toBeLessThan(10);
    }
  });
});
