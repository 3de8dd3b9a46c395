import { describe, expect, it } from "vitest";
import {
  batchIdAfter,
  batchPath,
  isBatchId,
  isLandedPartOf,
  type LandingManifest,
  landingManifestSchema,
  newBatchId,
} from "../src/index.ts";

describe("batch ids", () => {
  it("sort by landing time, and the id after one sorts between it and any later landing", () => {
    const first = newBatchId(new Date("2026-03-01T10:00:00.123Z"), "0000abff");
    const later = newBatchId(new Date("2026-03-01T10:00:00.124Z"), "00000000");
    const next = batchIdAfter(first);
    expect(next).toBe("20260301T100000123Z-0000ac00");
    expect(isBatchId(next)).toBe(true);
    expect([later, next, first].sort()).toEqual([first, next, later]);
  });

  it("past the last suffix, the id after is the next millisecond's first, across a day", () => {
    const last = newBatchId(new Date("2026-12-31T23:59:59.999Z"), "ffffffff");
    const next = batchIdAfter(last);
    expect(next).toBe("20270101T000000000Z-00000000");
    expect(next > last).toBe(true);
    expect(batchPath("landing", "orders", next)).toBe("landing/orders/ingest_date=2027-01-01/batch=" + next);
  });

  it("refuses what is not a batch id", () => {
    expect(() => batchIdAfter("20260301T100000123Z-xyz")).toThrow(/not a batch id/);
  });
});

describe("a manifest's fixed quarantined rows", () => {
  const first = "20260301T100000123Z-0000abff";
  const part = `${batchPath("landing", "orders", first)}/part-00000.csv`;
  const entry = (rowNumber: number, sourceFile = part, batchId = first) => ({
    batchId,
    sourceFile,
    rowNumber,
  });
  const manifest = (fixes: unknown): unknown => ({
    version: 1,
    entity: "orders",
    batchId: batchIdAfter(first),
    landedAt: "2026-03-02T00:00:00.000Z",
    source: { kind: "file", name: "quarantine-replay/fix.jsonl" },
    window: null,
    format: "jsonl",
    compression: "none",
    columns: ["id"],
    files: [{ path: "part-00000.jsonl", rows: 3, bytes: 30, sha256: "0".repeat(64), fixes }],
    rowCount: 3,
    bytes: 30,
    contentSha256: "0".repeat(64),
    schemaFingerprint: "x",
  });
  const issues = (fixes: unknown) => {
    const r = landingManifestSchema.safeParse(manifest(fixes));
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("name, for rows of the part in ascending order, the quarantine entry each was fixed from", () => {
    const fixes = [
      { row: 1, entry: entry(4) },
      { row: 3, entry: entry(2) },
    ];
    const parsed = landingManifestSchema.parse(manifest(fixes)) as LandingManifest;
    expect(parsed.files[0]!.fixes).toEqual(fixes);
    // A manifest without them (any landing but a replay) is as before.
    expect(landingManifestSchema.safeParse(manifest(undefined)).success).toBe(true);
  });

  it("refuse a row past the part's, a row listed twice or out of order, and an entry that is no landed part's row", () => {
    expect(issues([{ row: 4, entry: entry(1) }])).toEqual([
      "files.0.fixes.0.row: row 4 is past the part's 3 row(s)",
    ]);
    expect(
      issues([
        { row: 2, entry: entry(1) },
        { row: 2, entry: entry(5) },
      ]),
    ).toEqual(["files.0.fixes.1.row: row 2 is listed after row 2: each row once, in ascending order"]);
    expect(issues([{ row: 1, entry: entry(0) }])).toEqual([
      expect.stringMatching(/^files\.0\.fixes\.0\.entry\.rowNumber: /),
    ]);
    expect(issues([{ row: 1, entry: entry(1, part, batchIdAfter(first)) }])).toEqual([
      "files.0.fixes.0.entry.sourceFile: not a landed part of its batch",
    ]);
    for (const elsewhere of ["SalesData.csv", `${part}/../x.csv`, part.replace("landing/", "bronze/")])
      expect(issues([{ row: 1, entry: entry(1, elsewhere) }])).toEqual([
        "files.0.fixes.0.entry.sourceFile: not a landed part of its batch",
      ]);
    expect(issues([])).toEqual([expect.stringMatching(/^files\.0\.fixes: /)]);
  });

  it("a landed part of a batch of an entity is named by its lake path", () => {
    expect(isLandedPartOf(part, "orders", first)).toBe(true);
    expect(isLandedPartOf(part, "customers", first)).toBe(false);
    expect(isLandedPartOf(part, "orders", batchIdAfter(first))).toBe(false);
    expect(isLandedPartOf(`${batchPath("landing", "orders", first)}/_manifest.json`, "orders", first)).toBe(
      false,
    );
  });
});
