import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { carSales, type Entity, salesOrderLines } from "@saleslake/schema";
import { afterAll, describe, expect, it } from "vitest";
import { IngestError, LocalLakeStore, landFiles } from "../src/index.ts";

const work = mkdtempSync(join(tmpdir(), "saleslake-ingest-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const fresh = () => new LocalLakeStore(join(work, `lake-${++n}`));
const file = (name: string, bytes: string | Buffer) => {
  const p = join(work, `${++n}-${name}`);
  writeFileSync(p, bytes);
  return p;
};
const H =
  "Branch_ID,Dealer_ID,Model_ID,Revenue,Units_Sold,Date_ID,Day,Month,Year,BranchName,DealerName,Product_Name";
const R = "BR0001,DLR0001,BMW-M1,13363978,2,DT00001,1,1,2017,AC Cars Motors,AC Cars Motors,BMW";

async function landError(path: string, entity: Entity = carSales): Promise<IngestError> {
  try {
    await landFiles({ store: fresh(), entity, paths: [path] });
  } catch (e) {
    expect(e).toBeInstanceOf(IngestError);
    return e as IngestError;
  }
  throw new Error("expected an IngestError");
}

describe("file sources: formats and bad input", () => {
  it("lands JSON Lines, JSON arrays and gzip", async () => {
    const store = fresh();
    const rec = {
      OrderID: "SO00000001",
      LineNo: 1,
      order_date: "2026-01-05",
      customer_id: "C000001",
      product_id: "P-00001",
      quantity: 2,
      unit_price: "1.00",
      discount_pct: null,
      currency: "EUR",
      status: "open",
      channel: null,
      updated_at: "2026-01-05T10:00:00Z",
      is_deleted: false,
      extra: true,
    };
    expect(
      await landFiles({
        store,
        entity: salesOrderLines,
        paths: [file("a.jsonl", `${JSON.stringify(rec)}\n${JSON.stringify({ ...rec, LineNo: 2 })}\n`)],
      }),
    ).toMatchObject({ rows: 2 });
    expect(
      await landFiles({ store, entity: salesOrderLines, paths: [file("b.json", JSON.stringify([rec]))] }),
    ).toMatchObject({ rows: 1 });
    expect(
      await landFiles({ store, entity: carSales, paths: [file("c.csv.gz", gzipSync(`${H}\n${R}\n`))] }),
    ).toMatchObject({ rows: 1 });
  });

  const bad: [string, IngestError["code"], string | Buffer, RegExp][] = [
    ["empty.csv", "EMPTY_FILE", "", /empty/],
    ["blank.csv", "EMPTY_FILE", "\n \n", /empty/],
    [
      "utf16.csv",
      "INVALID_ENCODING",
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${H}\n`, "utf16le")]),
      /UTF-16/,
    ],
    [
      "latin1.csv",
      "INVALID_ENCODING",
      Buffer.concat([
        Buffer.from(`${H}\n${R}\nBR2,D,M,1,1,DT1,1,1,2017,Caf`),
        Buffer.from([0xe9]),
        Buffer.from(",x,y\n"),
      ]),
      /invalid UTF-8 at byte \d+, line 3/,
    ],
    [
      "nul.csv",
      "INVALID_ENCODING",
      Buffer.concat([Buffer.from(`${H}\n`), Buffer.from([0x41, 0x00, 0x42])]),
      /NUL byte\) at byte \d+, line 2/,
    ],
    [
      "quote.csv",
      "MALFORMED_CSV",
      `${H}\n${R}\nBR1,"open,D\n`,
      /a quote opened at line 3 \(the header is line 1\)/,
    ],
    [
      "semicolon.csv",
      "MISSING_COLUMNS",
      `${H.replace(/,/g, ";")}\n${R.replace(/,/g, ";")}\n`,
      /missing columns Branch_ID/,
    ],
    ["dup.csv", "DUPLICATE_COLUMNS", `${H},Revenue\n${R},1\n`, /Revenue/],
    [
      "bomb.csv.gz",
      "DECOMPRESSION_LIMIT",
      gzipSync(Buffer.from("0,0,0\n".repeat(20 * 1024 * 1024))),
      /decompression bomb/,
    ],
    ["corrupt.csv.gz", "CORRUPT_FILE", gzipSync(`${H}\n${R}\n`).subarray(0, 30), /gzip/],
  ];
  it.each(bad)(
    "refuses %s with %s, landing nothing",
    { timeout: 60_000 },
    async (name, code, bytes, message) => {
      const store = fresh();
      const path = file(name, bytes);
      const err = await landError(path);
      expect(err.code).toBe(code);
      expect(err.message).toMatch(message);
      expect(err.message).toContain(path);
      expect(err.hint.length).toBeGreaterThan(5);
      expect(await store.list("")).toEqual([]);
    },
  );

  it("a header that is not the first line: the message shows what was read, the hint why", async () => {
    const title = await landError(file("title.csv", `Sales report, December\n${H}\n${R}\n`));
    expect(title.code).toBe("MISSING_COLUMNS");
    expect(title.message).toMatch(/\(found: "Sales report", "December"\)$/);
    expect(title.hint).toMatch(
      /None of the entity's columns is in the first line: is it the header, or a title above it\?/,
    );
    // A text file beside the data, taken as CSV for its .txt name.
    const notes = await landError(file("README.txt", "Sales drops from the dealers.\nOne file a day.\n"));
    expect(notes.code).toBe("MISSING_COLUMNS");
    expect(notes.hint).toMatch(
      /a \.txt file is read as CSV: if this one is not data \(a README, notes\), leave it out/,
    );
    const sep = await landError(file("sep.csv", `sep=;\n${H.replace(/,/g, ";")}\n${R.replace(/,/g, ";")}\n`));
    expect(sep.code).toBe("MISSING_COLUMNS");
    expect(sep.message).toMatch(/\(found: "sep=;"\)$/);
    expect(sep.hint).toMatch(/starts with a spreadsheet's sep= line, not the header: remove that line/);
    // Another delimiter than the one given: the hint names it, and the option to pass it.
    const semi = await landError(file("semi.csv", `${H.replace(/,/g, ";")}\n${R.replace(/,/g, ";")}\n`));
    expect(semi.code).toBe("MISSING_COLUMNS");
    expect(semi.hint).toBe(
      `The header looks delimited by ";": pass that delimiter (--delimiter ';' to saleslake ingest and validate).`,
    );
    const tab = await landError(file("tab.csv", `${H.replace(/,/g, "\t")}\n${R.replace(/,/g, "\t")}\n`));
    expect(tab.hint).toBe(
      `The header looks delimited by "\\t": pass that delimiter (--delimiter '\\t' to saleslake ingest and validate).`,
    );
    // One column short of the header: the hint to add it, and what was found.
    const short = await landError(file("short.csv", `${H.replace(",Revenue", "")}\n`));
    expect(short.message).toMatch(/missing column Revenue for entity car_sales \(found: "Branch_ID", /);
    expect(short.hint).toMatch(/Add the column to the source/);
  });

  it("a nullable column missing from the header: the hint names the contract, not a nullable declaration it has", async () => {
    const header =
      "OrderID,LineNo,order_date,customer_id,product_id,quantity,unit_price,discount_pct,currency,status,updated_at,is_deleted";
    const row = "SO00000001,1,2026-01-05,C000001,P-00001,2,1.00,,EUR,open,2026-01-05T10:00:00Z,";
    const err = await landError(file("no-channel.csv", `${header}\n${row}\n`), salesOrderLines);
    expect(err.code).toBe("MISSING_COLUMNS");
    expect(err.message).toMatch(/missing column channel for entity sales_order_lines/);
    expect(err.hint).toBe(
      'The column is nullable: set contract: { missingColumns: "null" } on the entity to read it as NULL from files without it, or add it to the source.',
    );
    // A NOT NULL column missing as well: it has to be in the source.
    const both = await landError(
      file("no-channel-currency.csv", `${header.replace(",currency", "")}\n${row.replace(",EUR", "")}\n`),
      salesOrderLines,
    );
    expect(both.message).toMatch(/missing columns currency, channel /);
    expect(both.hint).toMatch(/^Add the column to the source/);
  });

  it("refuses truncated JSON and a bad JSON line, naming the line", async () => {
    expect((await landError(file("t.json", '[{"OrderID": "SO1"}, {"Ord'), salesOrderLines)).code).toBe(
      "MALFORMED_JSON",
    );
    const e = await landError(
      file("b.jsonl", '{"OrderID":"SO1"}\n{"OrderID": \n{"OrderID":"SO3"}\n'),
      salesOrderLines,
    );
    expect(e).toMatchObject({ code: "MALFORMED_JSON", row: 2 });
    expect(e.message).toMatch(/line 2/);
  });
});
