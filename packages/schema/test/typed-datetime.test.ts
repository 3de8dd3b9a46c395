import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import {
  columnPattern,
  defineEntity,
  isoDatetimeTextSql,
  t,
  typedDatetimeText,
  typedDatetimeTextSql,
} from "../src/index.ts";

/** Columns of each pattern shape: dates, minutes, seconds, both fraction widths, both offsets. */
const entity = defineEntity({
  name: "typed",
  columns: {
    id: t.string(),
    iso_day: t.date(),
    day: t.date().format("d/M/yyyy"),
    padded_day: t.date().format("dd.MM.yyyy"),
    minutes: t.timestamp().format("M/d/yyyy H:mm"),
    seconds: t.timestamp().format("yyyy-MM-dd HH:mm:ss"),
    millis: t.timestamp().format("yyyy-MM-dd'T'HH:mm:ss.SSSX"),
    micros: t.timestamp().format("d/M/yyyy H:mm:ss.SSSSSSXXX"),
    iso_at: t.timestamp(),
  },
  key: ["id"],
  watermark: "batch",
});

/** UTC values as a database writes them (ISO 8601), and as DuckDB TIMESTAMP literals. */
const VALUES = [
  "2026-01-05",
  "2026-01-05T00:00:00Z",
  "2026-01-05T09:05:00Z",
  "2026-01-05T09:05:07Z",
  "2026-01-05T09:05:07.123Z",
  "2026-01-05T09:05:07.123456Z",
  "0005-11-30",
  "2024-02-29T23:59:59.999Z",
];

describe("a typed date or timestamp in a column's pattern", () => {
  it("is written only where the pattern holds it whole", () => {
    const at = (column: string, text: string) => {
      const c = entity.columns.find((x) => x.name === column)!;
      return typedDatetimeText(columnPattern(c)!, text);
    };
    expect(at("day", "2026-01-05")).toBe("5/1/2026");
    expect(at("day", "2026-01-05T00:00:00.000Z")).toBe("5/1/2026");
    expect(at("day", "2026-01-05T00:00:00.000001Z")).toBe("2026-01-05T00:00:00.000001Z");
    expect(at("padded_day", "0005-11-30")).toBe("30.11.0005");
    expect(at("iso_day", "2026-01-05T00:00:00Z")).toBe("2026-01-05");
    expect(at("minutes", "2026-01-05T09:05:00Z")).toBe("1/5/2026 9:05");
    expect(at("minutes", "2026-01-05T09:05:07Z")).toBe("2026-01-05T09:05:07Z");
    expect(at("millis", "2026-01-05T09:05:07.1Z")).toBe("2026-01-05T09:05:07.100+00");
    expect(at("millis", "2026-01-05T09:05:07.1234Z")).toBe("2026-01-05T09:05:07.1234Z");
    expect(at("micros", "2026-01-05 09:05:07.1234560")).toBe("5/1/2026 9:05:07.123456+00:00");
    // Not a UTC ISO 8601 value, or no real day: left for the rules to judge.
    for (const text of ["5/1/2026", "2026-01-05T10:00:00+02:00", "2026-02-30", "2026-01-05T24:00:00Z"])
      expect(at("day", text)).toBe(text);
  });

  it("reads the same on DuckDB as in JavaScript, and NULL where JavaScript keeps the value's own text", async () => {
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    try {
      for (const c of entity.columns.filter((x) => x.name !== "id")) {
        const pattern = columnPattern(c);
        for (const day of [false, true]) {
          const sql = typedDatetimeTextSql("duckdb", c, "v", day);
          if (!pattern) {
            expect(sql).toBeUndefined();
            continue;
          }
          for (const text of VALUES.filter((v) => !day || v.length === 10)) {
            const literal = text.replace("T", " ").replace("Z", "");
            const [row] = (
              await con.runAndReadAll(`SELECT ${sql} AS t FROM (SELECT TIMESTAMP '${literal}' AS v)`)
            ).getRowObjectsJson();
            const js = typedDatetimeText(pattern, text);
            // NULL: the caller keeps the value's own text, as JavaScript keeps it.
            expect({ column: c.name, text, sql: row?.t ?? text }).toEqual({ column: c.name, text, sql: js });
          }
        }
      }
    } finally {
      con.closeSync();
      db.closeSync();
    }
  });

  it("from a database's ISO 8601 text, reads the same on DuckDB as in JavaScript, other text kept alike", async () => {
    // What Data Factory's Copy lands (see sqlServerColumnText), and what a driver gives the local
    // database sources, which write it in JavaScript.
    const texts = [
      ...VALUES,
      "2026-01-05 09:05:07",
      "2026-01-05T09:05:07.1234560Z",
      "2026-01-05T09:05:07.1234567Z",
      "2026-01-05T00:00:00.000001Z",
      "5/1/2026",
      "2026-01-05T10:00:00+02:00",
      "2026-02-30",
      "2026-01-05T24:00:00Z",
      "2026-01-05T23:60:00Z",
      "2026-01-05T23:59:60Z",
      "2026-13-01",
      "0000-01-01",
      " 2026-01-05",
    ];
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    try {
      for (const c of entity.columns.filter((x) => x.name !== "id")) {
        const pattern = columnPattern(c);
        const sql = isoDatetimeTextSql("duckdb", c, "v");
        if (!pattern) {
          expect(sql).toBeUndefined();
          continue;
        }
        for (const text of texts) {
          const [row] = (
            await con.runAndReadAll(`SELECT coalesce(${sql}, v) AS t FROM (SELECT $text AS v)`, { text })
          ).getRowObjectsJson();
          expect({ column: c.name, text, sql: row?.t }).toEqual({
            column: c.name,
            text,
            sql: typedDatetimeText(pattern, text),
          });
        }
      }
    } finally {
      con.closeSync();
      db.closeSync();
    }
  });
});
