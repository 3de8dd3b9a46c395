import { describe, expect, it } from "vitest";
import { markText, table } from "../src/output.ts";

describe("the plain-text table", () => {
  it("sizes columns to their content and cuts long values", () => {
    const out = table([
      { id: "R1", note: "x".repeat(70) },
      { id: "R22", note: null },
    ]);
    const lines = out.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe(`${"-".repeat(3)}  ${"-".repeat(60)}`);
    expect(lines[2]).toBe(`R1   ${"x".repeat(59)}…`);
    expect(lines[3]?.trimEnd()).toBe("R22");
  });

  it("keeps one row a line: line breaks, tabs and terminal escapes in a value are written as escapes", () => {
    const out = table([{ order_id: "O2\r\nx", note: "a\tb", raw: "\x1b[31mred\u009b" }]);
    const lines = out.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe(String.raw`O2\r\nx   a\tb  \u001b[31mred\u009b`);
    expect(out).not.toMatch(/[\x1b\x9b]/);

    const nested = table([{ "a\nb": { note: "x\u009by" } }]).split("\n");
    expect(nested[0]?.trimEnd()).toBe(String.raw`a\nb`);
    expect(nested[2]).toBe(String.raw`{"note":"x\u009by"}`);
  });
});

describe("marks as text", () => {
  it("prints a timestamp one way whichever source wrote it, its digits as written, and leaves the rest", () => {
    expect(markText("2026-01-05T11:00:00.25Z")).toBe("2026-01-05 11:00:00.25+00");
    expect(markText("2026-01-05 11:00:00.117012+00")).toBe("2026-01-05 11:00:00.117012+00");
    expect(markText("2026-01-05T11:00:00.1170000+00:00")).toBe("2026-01-05 11:00:00.1170000+00");
    expect(markText("2026-01-05T11:00:00+05:30")).toBe("2026-01-05 11:00:00+05:30");
    expect(markText("2026-01-05T11:00:00")).toBe("2026-01-05 11:00:00");
    for (const other of ["20261207T173932366Z-c8c748a4", "1042", "2026-01-05", "2026-01-05T11:00:00Zx"])
      expect(markText(other)).toBe(other);
  });
});
