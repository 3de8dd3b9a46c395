import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvScanner } from "../src/files/csv-scanner.ts";

/**
 * The scanner's counts, defined plainly over the whole text: lines end at LF, CRLF or CR outside
 * quotes; a line is a record when it has a byte other than a space, a tab or a byte of the
 * byte-order mark; its fields are the delimiters outside quotes, plus one.
 */
function reference(bytes: Buffer, delimiter: number) {
  let inQuote = false;
  let quotedNewlines = false;
  let content = false;
  let delimiters = 0;
  let records = 0;
  let mostFields = 0;
  const endLine = () => {
    if (content) {
      records++;
      mostFields = Math.max(mostFields, delimiters + 1);
    }
    content = false;
    delimiters = 0;
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inQuote) {
      if (b === 0x22) inQuote = false;
      else if (b === 0x0a || b === 0x0d) quotedNewlines = true;
    } else if (b === 0x22) {
      inQuote = true;
      content = true;
    } else if (b === 0x0a || b === 0x0d) {
      if (b === 0x0d && bytes[i + 1] === 0x0a) i++;
      endLine();
    } else if (b === delimiter) {
      delimiters++;
      content = true;
    } else if (![0x20, 0x09, 0xef, 0xbb, 0xbf].includes(b)) content = true;
  }
  endLine();
  return { records, mostFields, inQuote, quotedNewlines };
}

const tokens = [
  "a",
  "Z",
  "1",
  "-",
  ",",
  ";",
  "\t",
  '"',
  '""',
  "\n",
  "\r",
  "\r\n",
  " ",
  "\ufeff",
  "é",
  "€",
  "~",
];

describe("CsvScanner", () => {
  it("counts records and fields as the plain definition does, however the text is cut into chunks", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...tokens), { maxLength: 60 }).map((t) => Buffer.from(t.join(""))),
        fc.nat(),
        fc.constantFrom(0x2c, 0x3b, 0x09),
        (text, at, delimiter) => {
          const s = new CsvScanner({
            maxRecordBytes: 1 << 20,
            maxHeaderBytes: 1 << 20,
            onTooLong: () => new Error("long"),
            delimiter,
          });
          const cut = text.length === 0 ? 0 : at % (text.length + 1);
          s.scan(text.subarray(0, cut));
          s.scan(text.subarray(cut));
          s.finish();
          expect({
            records: s.records,
            mostFields: s.mostFields,
            inQuote: s.inQuote,
            quotedNewlines: s.quotedNewlines,
          }).toEqual(reference(text, delimiter));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("refuses a record over the limit, with the line it starts on, however the text is cut into chunks", () => {
    // A record with a quoted line break, starting on line 3: 65 bytes.
    const text = Buffer.from(`id,note\n1,short\n2,"${"x".repeat(40)}\n${"y".repeat(20)}"\n5,ok\n`);
    for (let cut = 0; cut <= text.length; cut++) {
      const s = new CsvScanner({
        maxRecordBytes: 64,
        maxHeaderBytes: 1 << 20,
        onTooLong: (what, row, bytes) => new Error(`${what} ${row} ${bytes}`),
      });
      expect(() => {
        s.scan(text.subarray(0, cut));
        s.scan(text.subarray(cut));
        s.finish();
      }, `cut at ${cut}`).toThrow(/^record 3 65$/);
    }
    // At the limit, it passes.
    const s = new CsvScanner({
      maxRecordBytes: 70,
      maxHeaderBytes: 1 << 20,
      onTooLong: () => new Error("long"),
    });
    s.scan(text);
    s.finish();
    expect([s.records, s.longestRecordBytes]).toEqual([4, 65]);
  });
});
