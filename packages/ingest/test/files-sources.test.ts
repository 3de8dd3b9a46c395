import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { carSales, defineEntity, t } from "@saleslake/schema";
import { afterAll, describe, expect, it } from "vitest";
import { CsvScanner } from "../src/files/csv-scanner.ts";
import { exactValue, parseExactJson } from "../src/files/exact-json.ts";
import {
  IngestError,
  inspectFile,
  jsonArrayElements,
  LocalLakeStore,
  landBatch,
  landFiles,
  listLandedBatches,
  resolveSourceFileNames,
  resolveSourceFiles,
} from "../src/index.ts";

const work = mkdtempSync(join(tmpdir(), "saleslake-files-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const fresh = () => new LocalLakeStore(join(work, `lake-${++n}`));
const file = (name: string, bytes: string | Buffer, dir = work) => {
  const p = join(dir, `${++n}-${name}`);
  writeFileSync(p, bytes);
  return p;
};

/** An entity with aliases and a strict contract, as a user would declare for a drop folder. */
const orders = defineEntity({
  name: "drop_orders",
  columns: {
    order_id: t.string().source("OrderID", "order_no", "Order Number"),
    amount: t.int().source("Amount"),
    note: t.string().nullable().source("Note"),
  },
  key: ["order_id"],
  watermark: "batch",
  scd: 1,
  contract: { unknownColumns: "reject", missingColumns: "null" },
});
const rescuingInput = {
  name: "drop_orders_open",
  columns: {
    order_id: t.string().source("OrderID"),
    amount: t.int().source("Amount"),
  },
  key: ["order_id"],
  watermark: "batch",
  scd: 1,
} as const;
const rescuing = defineEntity(rescuingInput);

async function failure(p: Promise<unknown>): Promise<IngestError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(IngestError);
  return e as IngestError;
}

describe("CSV sources", () => {
  it("counts records with quoted delimiters, quotes and line breaks, CRLF, and strips the BOM from the header", async () => {
    const csv =
      '\uFEFF"OrderID",Amount,Note\r\nSO1,1,"a, ""quoted"" note"\r\nSO2,2,"two\r\nlines"\r\n\r\nSO3,3,\r\n';
    const f = await inspectFile(file("crlf.csv", csv));
    expect(f).toMatchObject({ rows: 3, columns: ["OrderID", "Amount", "Note"], delimiter: "," });
  });

  it("takes a CR alone as a line break, as the engines do, and counts a CRLF once", async () => {
    const cr = await inspectFile(
      file("cr.csv", 'OrderID,Amount,Note\rSO1,1,"two\rlines, longer"\r\rSO2,2,x\rSO3,3,'),
    );
    expect(cr).toMatchObject({ rows: 3, columns: ["OrderID", "Amount", "Note"], quotedNewlines: true });
    expect(cr.longestRecordBytes).toBe('SO1,1,"two\rlines, longer"'.length);
    const mixed = await inspectFile(file("mixed.csv", "OrderID,Amount\r\nSO1,1\rSO2,2\nSO3,3\r\n"));
    expect(mixed).toMatchObject({ rows: 3, columns: ["OrderID", "Amount"], quotedNewlines: false });
    expect(mixed.longestRecordBytes).toBe("OrderID,Amount".length);
  });

  it("records a CR or CRLF line break of a batch with line breaks in quoted values, and refuses one that mixes them", async () => {
    const store = fresh();
    const crlf = file("crlf-quoted.csv", 'OrderID,Amount,Note\r\nSO1,1,"two\r\nlines"\r\nSO2,2,x\r\n');
    await landFiles({ store, entity: orders, paths: [crlf] });
    const cr = file("cr-quoted.csv", 'OrderID,Amount,Note\rSO1,1,"two\rlines"\rSO2,3,x\r');
    await landFiles({ store, entity: orders, paths: [cr] });
    const lf = file("lf-quoted.csv", 'OrderID,Amount,Note\nSO1,1,"two\r\nlines"\nSO2,4,x\n');
    await landFiles({ store, entity: orders, paths: [lf] });
    const plain = file("crlf.csv", "OrderID,Amount,Note\r\nSO1,1,x\r\n");
    await landFiles({ store, entity: orders, paths: [plain] });
    const csv = (await listLandedBatches(store, "drop_orders")).map((b) => b.manifest.csv);
    expect(csv.map((c) => [c?.quotedNewlines, c?.lineBreak])).toEqual([
      [true, "\r\n"],
      [true, "\r"],
      [true, undefined],
      [undefined, undefined],
    ]);
    const mixed = file(
      "mixed-quoted.csv",
      'OrderID,Amount,Note\r\nSO1,1,"two\r\nlines"\r\nSO2,2,x\nSO3,3,y\r\n',
    );
    const refused = await failure(landFiles({ store, entity: orders, paths: [mixed] }));
    expect(refused).toMatchObject({
      code: "MALFORMED_CSV",
      file: mixed,
      row: 4,
      rule: "csv.lineBreaks",
    });
    expect(refused.message).toContain("end in CRLF and also otherwise (line 4)");
    const lfPlain = file("lf.csv", "OrderID,Amount,Note\nSO9,9,x\n");
    const apart = await failure(landFiles({ store: fresh(), entity: orders, paths: [crlf, lfPlain] }));
    // Files land in name order: the first is lf.csv.
    expect(apart).toMatchObject({ code: "MIXED_FORMATS", file: crlf, rule: "csv.lineBreaks" });
    expect(apart.message).toBe(
      `${crlf}: its lines end in CRLF, those of ${lfPlain} in LF, and a quoted value in the batch holds a line break`,
    );
  });

  it("counts the same records wherever the chunks of a file split its line breaks", () => {
    const text = Buffer.from('OrderID,Note\r\nSO1,"a\r\nb, longer"\rSO2,x\r\r\nSO3,"c\rd",,"e,f"\nSO4,y\r');
    for (let cut = 0; cut <= text.length; cut++) {
      const s = new CsvScanner({
        maxRecordBytes: 1000,
        maxHeaderBytes: 1000,
        onTooLong: () => new Error("long"),
      });
      s.scan(text.subarray(0, cut));
      s.scan(text.subarray(cut));
      s.finish();
      expect({
        cut,
        records: s.records,
        row: s.row,
        longest: s.longestRecordBytes,
        most: s.mostFields,
        first: s.lineBreak,
        other: s.otherBreakRow,
      }).toEqual({
        cut,
        records: 5,
        row: 9,
        longest: 'SO1,"a\r\nb, longer"'.length,
        // SO3's four fields; the commas inside quotes are not counted.
        most: 4,
        first: "\r\n",
        other: 3,
      });
      expect(s.header().toString()).toBe("OrderID,Note");
    }
  });

  it("records the most fields of any record in the manifest when a row has more than the header", async () => {
    const csvOf = async (paths: string[]) => {
      const store = fresh();
      await landFiles({ store, entity: orders, paths });
      return (await listLandedBatches(store, "drop_orders"))[0]?.manifest.csv;
    };
    const wide = await csvOf([
      file("wide-a.csv", "OrderID,Amount\nSO1,1\n"),
      file("wide-b.csv", 'OrderID,Amount\nSO2,2,"x,y",z\nSO3,3,\n'),
    ]);
    expect(wide?.mostFields).toBe(4);
    const even = await csvOf([file("even.csv", 'OrderID,Amount\nSO1,"1,5"\nSO2\n')]);
    expect(even?.columns).toEqual(["OrderID", "Amount"]);
    expect(even?.mostFields).toBeUndefined();
    // A tab-separated file counts tabs; a comma inside a field is part of it. A line of tabs
    // alone is a row of empty fields, as the engines read it.
    const tabs = await inspectFile(file("t.tsv", "OrderID\tAmount\nSO1\t1,5\tx\n\t\nSO2\t2\n"));
    expect(tabs).toMatchObject({ rows: 3, mostFields: 3 });
  });

  it("matches the header to source names and aliases case-insensitively", async () => {
    const store = fresh();
    const r = await landFiles({
      store,
      entity: orders,
      paths: [file("alias.csv", "ORDER NUMBER;amount;note\nSO1;5;x\n")],
      delimiter: ";",
    });
    expect(r).toMatchObject({ status: "landed", rows: 1, drift: [] });
    const [b] = await listLandedBatches(store, "drop_orders");
    expect(b!.manifest.csv).toMatchObject({ delimiter: ";", columns: ["ORDER NUMBER", "amount", "note"] });
  });

  it("reports drift it accepts: absent nullable columns, and unknown columns when the contract rescues them", async () => {
    const absent = await landFiles({
      store: fresh(),
      entity: orders,
      paths: [file("absent.csv", "OrderID,Amount\nSO1,1\n")],
    });
    expect(absent.drift).toEqual([
      { file: expect.stringContaining("absent.csv"), unknown: [], absent: ["Note"] },
    ]);
    const extra = await landFiles({
      store: fresh(),
      entity: rescuing,
      paths: [file("extra.csv", "OrderID,Amount,Colour,Size\nSO1,1,red,L\n")],
    });
    expect(extra).toMatchObject({ status: "landed", drift: [{ unknown: ["Colour", "Size"], absent: [] }] });
  });

  it("names a header field with no name, as a trailing delimiter leaves, by its position: an unknown column", async () => {
    // Every line ends in the delimiter, the header too: the rows have as many fields as it.
    const trailing = file("trailing.csv", "OrderID,Amount, \nSO1,1,\nSO2,2,x\n");
    expect((await inspectFile(trailing)).columns).toEqual(["OrderID", "Amount", "_unnamed_3"]);
    const store = fresh();
    expect(await landFiles({ store, entity: rescuing, paths: [trailing] })).toMatchObject({
      status: "landed",
      drift: [{ unknown: ["_unnamed_3"], absent: [] }],
    });
    const [b] = await listLandedBatches(store, "drop_orders_open");
    expect(b!.manifest.csv?.columns).toEqual(["OrderID", "Amount", "_unnamed_3"]);
    // A contract that refuses unknown columns refuses it, by that name.
    const e = await failure(landFiles({ store: fresh(), entity: orders, paths: [trailing] }));
    expect(e).toMatchObject({ code: "UNKNOWN_COLUMNS", rule: "contract.unknownColumns" });
    expect(e.message).toContain("unknown column _unnamed_3 for entity drop_orders");
  });

  it("refuses a JSON key with no name unless the contract ignores unknown keys: no engine could rescue it alike", async () => {
    const path = file("unnamed-key.jsonl", '{"OrderID":"SO1","Amount":1,"":"x"}\n');
    const rescued = await failure(landFiles({ store: fresh(), entity: rescuing, paths: [path] }));
    expect(rescued).toMatchObject({ code: "UNKNOWN_COLUMNS", file: path, rule: "contract.unknownColumns" });
    expect(rescued.message).toBe(
      `${path}: a key with no name ("") holds values for entity drop_orders_open, which _rescued_data cannot keep`,
    );
    expect((await failure(landFiles({ store: fresh(), entity: orders, paths: [path] }))).message).toBe(
      `${path}: unknown column "" for entity drop_orders`,
    );
    const ignoring = defineEntity({ ...rescuingInput, contract: { unknownColumns: "ignore" } });
    expect(await landFiles({ store: fresh(), entity: ignoring, paths: [path] })).toMatchObject({
      status: "landed",
      drift: [{ unknown: [""] }],
    });
  });

  it("rejects the batch on drift the contract refuses, naming file, columns and rule", async () => {
    const store = fresh();
    const path = file("unknown.csv", "OrderID,Amount,Colour\nSO1,1,red\n");
    const e = await failure(landFiles({ store, entity: orders, paths: [path] }));
    expect(e).toMatchObject({ code: "UNKNOWN_COLUMNS", file: path, row: 1, rule: "contract.unknownColumns" });
    expect(e.message).toContain("Colour");
    const missing = file("missing.csv", "OrderID,Note\nSO1,x\n");
    expect(await failure(landFiles({ store, entity: orders, paths: [missing] }))).toMatchObject({
      code: "MISSING_COLUMNS",
      file: missing,
      rule: "contract.missingColumns",
    });
    expect(await store.list("")).toEqual([]);
  });

  it("refuses a record longer than maxRecordBytes, and a header with no line break, naming the row", async () => {
    const longField = "x".repeat(200_000);
    const path = file("long.csv", `OrderID,Amount,Note\nSO1,1,a\nSO2,2,${longField}\nSO3,3,c\n`);
    const e = await failure(inspectFile(path, { maxRecordBytes: 100_000 }));
    expect(e).toMatchObject({ code: "RECORD_TOO_LONG", file: path, row: 3, rule: "maxRecordBytes" });
    // Within the default limit (the engine's own) the same file is fine.
    expect((await inspectFile(path)).rows).toBe(3);
    const noBreaks = file("nobreak.csv", `OrderID,${"y".repeat(300_000)}`);
    expect(await failure(inspectFile(noBreaks, { maxHeaderBytes: 65_536 }))).toMatchObject({
      code: "RECORD_TOO_LONG",
      row: 1,
      rule: "maxHeaderBytes",
    });
  });

  it("an unbalanced quote is MALFORMED_CSV at the row where it opened", async () => {
    const path = file("open.csv", 'OrderID,Amount,Note\nSO1,1,ok\nSO2,2,"never closed\nSO3,3,x\n');
    expect(await failure(inspectFile(path))).toMatchObject({ code: "MALFORMED_CSV", row: 3, file: path });
  });

  it("finds the exact byte of invalid UTF-8 even when a valid character straddles a read boundary", async () => {
    // createReadStream reads 64 KiB chunks: put a 2-byte character across the boundary.
    const head = "OrderID,Amount,Note\n";
    const filler = "SO1,1,".padEnd(65_535 - head.length, "a");
    const valid = Buffer.concat([Buffer.from(head + filler), Buffer.from("é\n", "utf8")]);
    expect(valid[65_535]).toBe(0xc3);
    expect((await inspectFile(file("straddle.csv", valid))).rows).toBe(1);
    const invalid = Buffer.concat([
      valid,
      Buffer.from("SO2,2,caf"),
      Buffer.from([0xe9]),
      Buffer.from(",x\n"),
    ]);
    const e = await failure(inspectFile(file("straddle-bad.csv", invalid)));
    expect(e).toMatchObject({ code: "INVALID_ENCODING", row: 3 });
    expect(e.message).toContain(`at byte ${valid.length + 9}, line 3`);
  });

  it("UTF-16 without a byte-order mark is refused as not UTF-8", async () => {
    const e = await failure(
      inspectFile(file("utf16.csv", Buffer.from("OrderID,Amount\nSO1,1\n", "utf16le"))),
    );
    expect(e).toMatchObject({ code: "INVALID_ENCODING", row: 1 });
    expect(e.message).toMatch(/NUL byte\) at byte 1/);
  });
});

describe("JSON, JSON Lines, gzip and Parquet sources", () => {
  it("counts the records and collects the keys of a 50,000-record JSON array read as a stream", async () => {
    const records = Array.from({ length: 50_000 }, (_, i) => ({
      OrderID: `SO${i}`,
      Amount: i,
      ...(i % 2 ? { Note: "x" } : {}),
    }));
    const f = await inspectFile(
      file("big.json", `\uFEFF[\n${records.map((r) => JSON.stringify(r)).join(",\n")}\n]\n`),
    );
    expect(f).toMatchObject({ format: "json", rows: 50_000 });
    expect([...f.columns].sort()).toEqual(["Amount", "Note", "OrderID"]);
    expect((await inspectFile(file("empty-array.json", "[]"))).rows).toBe(0);
  });

  it("a truncated array, a top-level object and a non-object element are MALFORMED_JSON naming the record", async () => {
    const truncated = await failure(
      inspectFile(file("cut.json", '[{"OrderID":"SO1"},{"OrderID":"SO2"},{"Ord')),
    );
    expect(truncated).toMatchObject({ code: "MALFORMED_JSON", row: 3 });
    expect(truncated.message).toMatch(/after record 2/);
    expect(await failure(inspectFile(file("obj.json", '{"OrderID":"SO1"}')))).toMatchObject({
      code: "MALFORMED_JSON",
    });
    const scalar = await failure(inspectFile(file("scalar.json", '[{"OrderID":"SO1"}, 42]')));
    expect(scalar).toMatchObject({ code: "MALFORMED_JSON", row: 2 });
    expect(scalar.message).toMatch(/record 2 is not a JSON object/);
    expect(await failure(inspectFile(file("ws.json", " \n ")))).toMatchObject({ code: "EMPTY_FILE" });
  });

  it("JSON Lines: blank lines skipped, a line longer than maxRecordBytes refused with its number", async () => {
    const ok = await inspectFile(file("a.jsonl", '{"OrderID":"SO1"}\n\n{"OrderID":"SO2","Amount":2}\n'));
    expect(ok).toMatchObject({ rows: 2, columns: ["OrderID", "Amount"] });
    const long = file("long.jsonl", `{"OrderID":"SO1"}\n{"OrderID":"${"z".repeat(300_000)}"}\n`);
    expect(await failure(inspectFile(long, { maxRecordBytes: 100_000 }))).toMatchObject({
      code: "RECORD_TOO_LONG",
      row: 2,
    });
  });

  it("NaN and Infinity, which Python's json.dumps writes, are MALFORMED_JSON with a hint saying so", async () => {
    const nan = await failure(
      inspectFile(file("nan.jsonl", '{"OrderID":"SO1"}\n{"OrderID":"SO2","Amount":NaN}\n')),
    );
    expect(nan).toMatchObject({ code: "MALFORMED_JSON", row: 2 });
    expect(nan.hint).toContain("allow_nan=False");
    const inf = await failure(inspectFile(file("inf.json", '[{"OrderID":"SO1","Amount":-Infinity}]')));
    expect(inf).toMatchObject({ code: "MALFORMED_JSON", row: 1 });
    expect(inf.hint).toContain("NaN and Infinity are not JSON numbers");
    // Other errors, and the words inside a string, keep the plain hint.
    for (const [name, text] of [
      ["typo.jsonl", '{"OrderID":"SO1","Amount":tru}\n'],
      ["quoted.jsonl", '{"OrderID":"NaN","Amount":Nope}\n'],
    ] as const) {
      const e = await failure(inspectFile(file(name, text)));
      expect({ name, code: e.code, nan: e.hint.includes("NaN") }).toEqual({
        name,
        code: "MALFORMED_JSON",
        nan: false,
      });
    }
  });

  it("a record holding a key twice, at any depth, is MALFORMED_JSON naming the record and the key; quoted colons are no keys", async () => {
    const cases: [string, string, number, string][] = [
      ["top.jsonl", '{"OrderID":"SO1"}\n{"OrderID":"SO2","Amount":1,"OrderID":"SO3"}\n', 2, "OrderID"],
      ["spaced.jsonl", '{"OrderID" : "SO1", "Amount" :\t1, "Amount"\t: 2}\n', 1, "Amount"],
      ["nested.jsonl", '{"OrderID":"SO1","Note":{"a":1,"b":[{"c":1,"c":2}]}}\n', 1, "c"],
      ["array.json", '[{"OrderID":"SO1"},\n {"OrderID":"SO2","Note":"n","Note":"m"}]', 2, "Note"],
      ["deep.json", '[{"OrderID":"SO1","Note":{"a":{"x":1,"x":1}}}]', 1, "x"],
    ];
    for (const [name, text, row, key] of cases) {
      const e = await failure(inspectFile(file(name, text)));
      expect({ name, code: e.code, row: e.row, rule: e.rule }).toEqual({
        name,
        code: "MALFORMED_JSON",
        row,
        rule: "json.duplicateKeys",
      });
      expect(e.message).toContain(`holds the key "${key}" twice in one object`);
    }
    // The same key in sibling objects, a colon after a quote inside a value, an escaped quote:
    const fine = await inspectFile(
      file(
        "fine.jsonl",
        '{"OrderID":"a\\":b","Note":[{"k":1},{"k":2}],"Amount":"\\"x\\" : y"}\n{"OrderID":"SO2","Note":{"k":{"k":1}}}\n',
      ),
    );
    expect(fine).toMatchObject({ rows: 2, columns: ["OrderID", "Note", "Amount"] });
    const sibling = await inspectFile(
      file("sibling.json", '[{"OrderID":"SO1","Note":{"k":1}},{"OrderID":"SO1"}]'),
    );
    expect(sibling.rows).toBe(2);
  });

  it("reads a JSON array element by element, whatever its chunks, each element's text as written", async () => {
    const elements = [
      '{"OrderID":"SO1","Amount":9007199254740993,"Note":"a } ] { [ \\" , é"}',
      '{"OrderID":"SO2","Note":{"k":[1,{"x":"€"}]}, "Amount":1.10}',
      "[1,2]",
      '{ "OrderID" : "SO3" }',
    ];
    const text = Buffer.from(`\uFEFF [\n ${elements.join(" ,\n")} \n]\n`);
    for (const size of [1, 2, 3, 7, 64, text.length]) {
      const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, i) =>
        text.subarray(i * size, (i + 1) * size),
      );
      const got: string[] = [];
      for await (const e of jsonArrayElements(Readable.from(chunks))) got.push(e);
      expect({ size, got }).toEqual({ size, got: elements });
    }
    const scalars: string[] = [];
    for await (const e of jsonArrayElements(Readable.from([Buffer.from('[1, "a", null, {"b":2}]')])))
      scalars.push(e);
    expect(scalars).toEqual(["1", '"a"', "null", '{"b":2}']);
  });

  it("exactValue gives a JSON value the text DuckDB's json_extract_string gives the engine", async () => {
    const texts = [
      ...["0", "-0", "7", "-12", "9007199254740993", "9223372036854775808", "18446744073709551616"],
      ...["123456789012345678901234567890", "1.0", "2.00", "-1.0", "1e0", "1E2", "1e+2", "1.5e3"],
      ...["1.10", "12.3450000", "-0.0", "0e0", "1e-400", "1e400", "-1e400", "1e20", "1e21", "2e23"],
      ...["1e-6", "1e-7", "1.5e-7", "0.000001", "5e-324", "2.5E-3", "12345678901234567890.5"],
      ...["1.23456789012345678901", '{"b":1.50,"c":[1e0,-0,2],"d":"x"}', "[]", '"1.0"', "true", "null"],
    ];
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    try {
      for (const text of texts) {
        const json = `{"a":${text}}`;
        const [row] = (
          await con.runAndReadAll("SELECT json_extract_string($json::JSON, '$.a') AS a", { json })
        ).getRowObjectsJson();
        const value = exactValue((parseExactJson(json) as { a: unknown }).a);
        // A boolean stays one, which the validator reads as its text, as it does any value.
        expect({ text, value: value === null ? null : String(value) }).toEqual({ text, value: row!.a });
      }
    } finally {
      con.closeSync();
      db.closeSync();
    }
  });

  it("gzip variants land their compressed bytes, counted through gunzip", async () => {
    const store = fresh();
    const csv = gzipSync("OrderID,Amount\nSO1,1\nSO2,2\n");
    const r = await landFiles({ store, entity: rescuing, paths: [file("o.csv.gz", csv)] });
    expect(r).toMatchObject({ rows: 2, bytes: csv.length });
    const [b] = await listLandedBatches(store, "drop_orders_open");
    expect(b!.manifest).toMatchObject({
      format: "csv",
      compression: "gzip",
      files: [{ path: "part-00000.csv.gz" }],
    });
    expect((await store.get(b!.files[0]!)).equals(csv)).toBe(true);
    expect((await inspectFile(file("o.jsonl.gz", gzipSync('{"a":1}\n{"a":2}\n')))).rows).toBe(2);
    expect((await inspectFile(file("o.json.gz", gzipSync('[{"a":1}]')))).rows).toBe(1);
  });

  it("Parquet: columns (a struct is one) and rows from DuckDB; a damaged or gzipped Parquet file is refused", async () => {
    const path = join(work, `${++n}-orders.parquet`);
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    await con.run(
      `COPY (SELECT 'SO' || i AS OrderID, i::INT AS Amount, {'city': 'Oslo'} AS zone FROM range(1234) t(i)) TO '${path}' (FORMAT parquet)`,
    );
    const plain = join(work, `${++n}-plain.parquet`);
    await con.run(
      `COPY (SELECT 'SO' || i AS OrderID, i::INT AS Amount FROM range(1234) t(i)) TO '${plain}' (FORMAT parquet, COMPRESSION uncompressed)`,
    );
    con.closeSync();
    db.closeSync();
    const store = fresh();
    const r = await landFiles({ store, entity: rescuing, paths: [path] });
    expect(r).toMatchObject({
      status: "landed",
      rows: 1234,
      files: [{ columns: ["OrderID", "Amount", "zone"] }],
    });
    const [b] = await listLandedBatches(store, "drop_orders_open");
    expect(b!.manifest).toMatchObject({
      format: "parquet",
      files: [{ path: "part-00000.parquet", rows: 1234, source: path.split("/").at(-1) }],
    });
    const { readFileSync } = await import("node:fs");
    const bytes = readFileSync(path);
    expect(
      await failure(inspectFile(file("cut.parquet", bytes.subarray(0, bytes.length - 20)))),
    ).toMatchObject({
      code: "CORRUPT_FILE",
    });
    expect(await failure(inspectFile(file("x.parquet.gz", gzipSync(bytes))))).toMatchObject({
      code: "MIXED_FORMATS",
    });
    // Its footer whole, a value damaged: every run would fail on it, so it does not land.
    const damaged = readFileSync(plain);
    damaged.fill(0xff, damaged.indexOf("SO600"), damaged.indexOf("SO600") + 2);
    await landFiles({ store: fresh(), entity: rescuing, paths: [plain] });
    const e = await failure(
      landFiles({ store, entity: rescuing, paths: [file("damaged.parquet", damaged)] }),
    );
    expect(e).toMatchObject({ code: "CORRUPT_FILE", file: expect.stringMatching(/damaged\.parquet$/) });
    expect(e.message).toMatch(/not a readable Parquet file \(.*not valid UTF8/);
    expect(await listLandedBatches(store, "drop_orders_open")).toHaveLength(1);
  });

  it("Parquet: the manifest records each part's schema, the same for parts read alike, another for any difference", async () => {
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    const parquet = async (name: string, select: string) => {
      const path = join(work, `${++n}-${name}.parquet`);
      await con.run(`COPY (SELECT ${select} FROM range(3) t(i)) TO '${path}' (FORMAT parquet)`);
      return path;
    };
    const base =
      "'SO' || i AS OrderID, i::INT AS Amount, CAST(i AS DECIMAL(12, 2)) AS Price, {'city': 'Oslo'} AS zone";
    const paths = [
      await parquet("a", base),
      await parquet("same", base.replace("'SO' || i", "'SO-other' || i")),
      await parquet("bigint", base.replace("i::INT", "i::BIGINT")),
      await parquet(
        "order",
        "i::INT AS Amount, 'SO' || i AS OrderID, CAST(i AS DECIMAL(12, 2)) AS Price, {'city': 'Oslo'} AS zone",
      ),
      await parquet("scale", base.replace("DECIMAL(12, 2)", "DECIMAL(12, 3)")),
      await parquet("nested", base.replace("{'city': 'Oslo'}", "{'town': 'Oslo'}")),
      await parquet("renamed", base.replace("AS Amount", "AS amount")),
    ];
    con.closeSync();
    db.closeSync();
    const store = fresh();
    await landFiles({ store, entity: rescuing, paths, force: true });
    const [b] = await listLandedBatches(store, "drop_orders_open");
    const schemas = b!.manifest.files.map((f) => f.parquetSchema);
    expect(schemas.every((s) => /^[0-9a-f]{64}$/.test(s ?? ""))).toBe(true);
    // The same columns with other values: one schema. Every other file differs from the first and each other.
    expect(schemas[1]).toBe(schemas[0]);
    expect(new Set(schemas).size).toBe(paths.length - 1);
  });

  it("Parquet: the manifest names the columns stored as nanosecond timestamps, which Spark reads only as counts", async () => {
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    const path = join(work, `${++n}-nanos.parquet`);
    await con.run(
      `COPY (SELECT 'SO' || i AS OrderID, i::INT AS Amount, TIMESTAMP_NS '2026-01-05 10:00:00.123456789' AS changed,
         TIMESTAMP '2026-01-05 10:00:00' AS micros, {'at': TIMESTAMP_NS '2026-01-05'} AS nested FROM range(2) t(i)) TO '${path}' (FORMAT parquet)`,
    );
    con.closeSync();
    db.closeSync();
    const store = fresh();
    await landFiles({ store, entity: rescuing, paths: [path], force: true });
    const [b] = await listLandedBatches(store, "drop_orders_open");
    // Top-level columns only: a struct field stored in nanoseconds is not named.
    expect(b!.manifest.files[0]?.nanosecondTimestamps).toEqual([{ column: "changed", utc: false }]);
  });
});

describe("folders, globs and names that try to escape", () => {
  const drop = join(work, "drop");
  mkdirSync(join(drop, "2026", "03"), { recursive: true });
  writeFileSync(join(drop, "2026", "03", "a.csv"), "OrderID,Amount\nSO1,1\n");
  writeFileSync(join(drop, "2026", "03", "b.csv"), "OrderID,Amount\nSO2,2\nSO3,3\n");
  writeFileSync(join(drop, "2026", "03", ".b.csv.swp"), "junk");
  writeFileSync(join(drop, "README.md"), "not data");
  mkdirSync(join(drop, ".partial"));
  writeFileSync(join(drop, ".partial", "c.csv"), "OrderID,Amount\nSO9,9\n");
  const outside = join(work, "outside.csv");
  writeFileSync(outside, "OrderID,Amount\nSO1,1\n");
  symlinkSync(outside, join(drop, "link.csv"));

  it("a folder lands every data file beneath it as one batch, hidden files skipped", async () => {
    const store = fresh();
    const r = await landFiles({ store, entity: rescuing, paths: [join(drop, "2026")] });
    expect(r).toMatchObject({ status: "landed", rows: 3 });
    const [b] = await listLandedBatches(store, "drop_orders_open");
    expect(b!.manifest.files.map((f) => [f.path, f.rows])).toEqual([
      ["part-00000.csv", 1],
      ["part-00001.csv", 2],
    ]);
    // Named by their paths below the folder given.
    expect(b!.manifest.source.name).toBe("03/a.csv,03/b.csv");
  });

  it("names each file by its path below the folder or glob given, so files of one name in two folders stay apart", async () => {
    const months = join(work, "months");
    for (const [month, row] of [
      ["jan", "R1,1"],
      ["feb", "R2,2"],
    ] as const) {
      mkdirSync(join(months, month), { recursive: true });
      writeFileSync(join(months, month, "returns.csv"), `OrderID,Amount\n${row}\n`);
    }
    const store = fresh();
    await landFiles({ store, entity: rescuing, paths: [months] });
    const [b] = await listLandedBatches(store, "drop_orders_open");
    expect(b!.manifest.files.map((f) => [f.path, f.source])).toEqual([
      ["part-00000.csv", "feb/returns.csv"],
      ["part-00001.csv", "jan/returns.csv"],
    ]);
    expect(b!.manifest.source.name).toBe("feb/returns.csv,jan/returns.csv");

    const jan = join(months, "jan", "returns.csv");
    const feb = join(months, "feb", "returns.csv");
    const names = async (patterns: string[], baseDir?: string) =>
      (await resolveSourceFileNames(patterns, baseDir === undefined ? {} : { baseDir })).map((f) => [
        f.path,
        f.name,
      ]);
    // A glob's matches are named below its fixed leading folders, relative or absolute.
    expect(await names(["*/returns.csv"], months)).toEqual([
      [feb, "feb/returns.csv"],
      [jan, "jan/returns.csv"],
    ]);
    expect(await names([`${months}/j*/*.csv`])).toEqual([[jan, "jan/returns.csv"]]);
    expect(await names(["months/jan/*.csv"], work)).toEqual([[jan, "returns.csv"]]);
    // A file named itself keeps its base name, unless another file of the batch has it too.
    expect(await names([jan])).toEqual([[jan, "returns.csv"]]);
    expect(await names([jan, feb])).toEqual([
      [feb, "feb/returns.csv"],
      [jan, "jan/returns.csv"],
    ]);
    // Each month's folder on its own names its file returns.csv: together, they are told apart.
    expect(await names([join(months, "jan"), join(months, "feb")])).toEqual([
      [feb, "feb/returns.csv"],
      [jan, "jan/returns.csv"],
    ]);
    // Alike names found deeper are lengthened as far as they need, and no further.
    mkdirSync(join(work, "other", "jan"), { recursive: true });
    const other = join(work, "other", "jan", "returns.csv");
    writeFileSync(other, "OrderID,Amount\nR3,3\n");
    expect(await names([months, join(work, "other")])).toEqual([
      [feb, "feb/returns.csv"],
      [jan, "months/jan/returns.csv"],
      [other, "other/jan/returns.csv"],
    ]);
    // A file named twice, itself and through its folder, lands once, under the name given first.
    expect(await names([jan, months])).toEqual([
      [feb, "feb/returns.csv"],
      [jan, "returns.csv"],
    ]);
  });

  it("landBatch refuses a file name that is not a path below a folder: nothing lands", async () => {
    const f = await inspectFile(file("named.csv", "OrderID,Amount\nSO1,1\n"));
    const store = fresh();
    for (const source of ["../named.csv", "/tmp/named.csv", "a//named.csv", "./named.csv", "a/..", ""]) {
      const e = await failure(landBatch(store, rescuing, { kind: "files", files: [{ ...f, source }] }));
      expect(e.code, source).toBe("UNSAFE_PATH");
    }
    expect(await store.list("")).toEqual([]);
    await landBatch(store, rescuing, { kind: "files", files: [{ ...f, source: "2026/03/named.csv" }] });
    const [b] = await listLandedBatches(store, "drop_orders_open");
    expect(b!.manifest.files[0]!.source).toBe("2026/03/named.csv");
  });

  it("a glob is taken relative to baseDir and sorted", async () => {
    expect(await resolveSourceFiles(["2026/*/*.csv"], { baseDir: drop })).toEqual([
      join(drop, "2026", "03", "a.csv"),
      join(drop, "2026", "03", "b.csv"),
    ]);
    expect(await failure(resolveSourceFiles(["*.parquet"], { baseDir: drop }))).toMatchObject({
      code: "NO_FILES",
    });
  });

  it("paths leaving baseDir — ../, absolute, or a symlink out — are UNSAFE_PATH and nothing lands", async () => {
    const store = fresh();
    for (const p of ["../outside.csv", outside, "link.csv", "../*.csv"]) {
      const e = await failure(landFiles({ store, entity: rescuing, paths: [p], baseDir: drop }));
      expect(e.code, p).toBe("UNSAFE_PATH");
      expect(e.file, p).toBeTruthy();
    }
    expect(await store.list("")).toEqual([]);
  });

  it("CSV files with different headers do not share a batch", async () => {
    const a = file("h1.csv", "OrderID,Amount\nSO1,1\n");
    const b = file("h2.csv", "Amount,OrderID\n2,SO2\n");
    const store = fresh();
    const e = await failure(landFiles({ store, entity: rescuing, paths: [a, b] }));
    expect(e).toMatchObject({ code: "MIXED_FORMATS", file: b });
    expect(await store.list("")).toEqual([]);
  });

  it("the seed car-sales header needs no options", async () => {
    const r = await inspectFile(new URL("./fixtures/seed/SalesData.csv", import.meta.url).pathname);
    expect(r.columns[0]).toBe("Branch_ID");
    expect(r.rows).toBe(1849);
    expect(carSales.columns.filter((c) => !c.composedFrom).every((c) => r.columns.includes(c.source))).toBe(
      true,
    );
  });
});
