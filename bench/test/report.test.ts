import { describe, expect, it } from "vitest";
import type { BenchResults, CellResult } from "../src/harness/bench-results.ts";
import { median } from "../src/harness/bench-results.ts";
import { checkCounts, expectedCounts } from "../src/harness/expected-counts.ts";
import { markdownReport } from "../src/report/markdown-report.ts";
import { evaluateTargets } from "../src/report/performance-targets.ts";
import { renderScalingChart } from "../src/report/scaling-chart.ts";

const NAMES = ["floor", "saleslake", "dlt", "pyspark-delta"];

/** A synthetic run: seconds per contender grow with delta and table as given. */
function cells(seconds: (contender: string, base: number, delta: number) => number): CellResult[] {
  const out: CellResult[] = [];
  for (const base of [1e6, 1e7]) {
    for (const delta of [1e4, 1e6]) {
      const floor = seconds("floor", base, delta);
      for (const contender of NAMES) {
        const s = seconds(contender, base, delta);
        out.push({
          case: `delta-${delta === 1e4 ? "10k" : "1M"}-into-${base === 1e6 ? "1M" : "10M"}`,
          kind: "delta",
          base,
          nominal: delta,
          rows: delta + 10,
          contender,
          samples: Array.from({ length: 3 }, () => ({
            seconds: s,
            wallSeconds: s + 1,
            peakRssMb: 200,
            counts: { inserted: 5 },
          })),
          seconds: s,
          wallSeconds: s + 1,
          peakRssMb: 200,
          ratioToFloor: s / floor,
          counts: { inserted: 5 },
          ...(contender === "saleslake" && {
            steps: { landing: s * 0.2, bronze: s * 0.5, silver: s * 0.25 },
          }),
          check: "ok",
        });
      }
    }
  }
  return out;
}

const fast = (c: string, base: number, delta: number) =>
  ({ floor: 1, saleslake: 1.2, dlt: 30, "pyspark-delta": 9 })[c]! *
  (delta / 1e6 + 0.005 * Math.log10(base / 1e5));
const slow = (c: string, base: number, delta: number) =>
  ({ floor: 1, saleslake: 2, dlt: 12, "pyspark-delta": 6 })[c]! * (delta / 1e6 + (base / 1e7) * 0.9);

describe("the targets", () => {
  it("are met when the figures meet them", () => {
    const t = evaluateTargets(cells(fast));
    expect(t.map((x) => [x.id, x.status])).toEqual([
      ["floor-ratio", "met"],
      ["faster-than-dlt", "met"],
      ["faster-than-pyspark-delta", "met"],
      ["small-delta-under-1s", "met"],
      ["small-delta-flat", "met"],
    ]);
    expect(t[1]!.detail).toMatch(/^25\.0× \(dlt/);
  });

  it("a missed target says by how much and shows saleslake's steps next to the floor", () => {
    const t = evaluateTargets(cells(slow));
    const byId = Object.fromEntries(t.map((x) => [x.id, x]));
    expect(byId["floor-ratio"]!.status).toBe("missed");
    expect(byId["floor-ratio"]!.detail).toMatch(/2\.00× on delta-1M-into-10M; worst 2\.00×/);
    // The ratio's span is landing→silver: the landing step is named apart, outside the sum.
    const profile =
      /Profile of the worst: saleslake (\d+\.\d{3}) s = bronze (\S+) s \+ silver (\S+) s \+ open\/commit (\S+) s \(the landing before it: (\S+) s\); the floor's read_csv \+ MERGE takes/.exec(
        byId["floor-ratio"]!.detail,
      );
    expect(profile).not.toBeNull();
    const [total, bronze, silver, rest, landing] = profile!.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    expect(bronze + silver + rest).toBeCloseTo(total, 2);
    expect(landing).toBeCloseTo(total * 0.2, 2);
    expect(byId["faster-than-dlt"]!).toMatchObject({ status: "missed" });
    expect(byId["faster-than-dlt"]!.detail).toMatch(/^6\.0× .*short by 1\.7× \(10× needed\)/);
    expect(byId["small-delta-under-1s"]!.status).toBe("missed");
    expect(byId["small-delta-flat"]!.status).toBe("missed");
    expect(byId["small-delta-flat"]!.detail).toMatch(/slower for a 10× larger table/);
  });

  it("are not measured when a contender is missing, and name the case used when the headline case was not run", () => {
    const t = evaluateTargets(cells(fast).filter((c) => c.contender !== "dlt" && c.base === 1e6));
    expect(t.find((x) => x.id === "faster-than-dlt")!.status).toBe("not measured");
    expect(t.find((x) => x.id === "faster-than-pyspark-delta")!.detail).toMatch(
      /measured on delta-1M-into-1M/,
    );
    expect(t.find((x) => x.id === "small-delta-flat")!.status).toBe("not measured");
  });

  it("compare a peer left off the largest table on the largest case it ran", () => {
    const t = evaluateTargets(cells(fast).filter((c) => c.contender !== "dlt" || c.base === 1e6));
    const dlt = t.find((x) => x.id === "faster-than-dlt")!;
    expect(dlt.status).toBe("met");
    expect(dlt.detail).toMatch(/measured on delta-1M-into-1M: the 1M-into-10M case was not run/);
    // saleslake's own targets still use the 10M table.
    expect(t.find((x) => x.id === "faster-than-pyspark-delta")!.detail).not.toMatch(/measured on/);
  });
});

describe("counts against the generator", () => {
  const tally = {
    updates: 10,
    late: 1,
    duplicates: 1,
    invalid: 2,
    invalidRows: 3,
    invalidByRule: {},
    anyRow: { inserted: 7, updated: 9 },
    validRows: { inserted: 6, updated: 8 },
  };
  it("validating loaders quarantine, the others merge every key", () => {
    expect(expectedCounts("saleslake", { kind: "delta", base: 100, tally })).toEqual({
      inserted: 6,
      updated: 8,
      quarantined: 3,
      silverRows: 106,
    });
    expect(expectedCounts("dlt", { kind: "delta", base: 100, tally })).toMatchObject({ silverRows: 107 });
    expect(
      checkCounts(
        { inserted: 6, updated: 8, read: 20 },
        expectedCounts("saleslake", { kind: "delta", base: 100, tally }),
      ),
    ).toBe("ok");
    expect(checkCounts({ inserted: 7 }, { inserted: 6 })).toBe("inserted 7 ≠ 6 expected");
    // Every accepted row accounted for, or the gap named.
    const whole = { read: 20, quarantined: 3, inserted: 6, updated: 8, stale: 1, superseded: 2 };
    expect(checkCounts(whole, { inserted: 6 })).toBe("ok");
    expect(checkCounts({ ...whole, superseded: 0 }, { inserted: 6 })).toBe(
      "inserted + updated + stale + superseded 15 ≠ 17 accepted",
    );
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2);
  });
});

describe("the report", () => {
  const results: BenchResults = {
    date: "2026-01-02T03:04:05.000Z",
    mode: "custom",
    commit: "abc1234",
    machine: { cores: 2, cpu: "Test CPU", memoryGb: 24, node: "v24.0.0" },
    sizes: {
      bases: [1e6, 1e7],
      deltas: [1e4, 1e6],
      repeats: 3,
      initialRepeated: [1e7],
      sparkBases: [1e6, 1e7],
      landingBytes: 2e9,
      repeatLimitMinutes: 10,
    },
    sittings: [
      { date: "2026-01-02T03:04:05.000Z", loadAverage: 0.5 },
      { date: "2026-01-03T08:00:00.000Z", loadAverage: 1.25 },
    ],
    workload: { seed: 7, updateShare: 0.5, lateShare: 0.01, duplicateShare: 0.001, invalidShare: 0.001 },
    contenders: NAMES.map((name) => ({ name, does: `what ${name} does` })),
    skipped: [{ contender: "saleslake-spark", reason: "skipped: SALESLAKE_SKIP_SPARK=1 is set" }],
    cells: cells(slow).map((c) =>
      c.contender === "dlt" && c.base === 1e7 && c.nominal === 1e4
        ? { ...c, check: "inserted 4 ≠ 5 expected" }
        : c.contender === "dlt" && c.base === 1e7
          ? { ...c, samples: c.samples.slice(0, 1) } // over the repeat limit: one run
          : c,
    ),
    ingest: [
      { contender: "copy", bytes: 2e9, rows: 20_202_021, seconds: 4, mbPerSecond: 500, peakRssMb: 5 },
      { contender: "landing", bytes: 2e9, rows: 20_202_021, seconds: 10, mbPerSecond: 200, peakRssMb: 120 },
    ],
    targets: [],
    notMeasured: ["the ten-increment comparison: not provided yet"],
  };

  it("is whole Markdown text, compared with its golden", async () => {
    const md = markdownReport({ ...results, targets: evaluateTargets(results.cells) }, "scaling.png");
    await expect(md).toMatchFileSnapshot("__golden__/latest.md");
  });

  it("shows the run carried on to gold apart, split into its gold steps", () => {
    const star = results.cells
      .filter((c) => c.contender === "saleslake")
      .map((c) => ({
        ...c,
        contender: "saleslake-star",
        seconds: 4,
        ratioToFloor: 9,
        steps: {
          landing: 0.5,
          bronze: 0.75,
          silver: 0.25,
          dim_customer: 0.5,
          dim_channel: 0.25,
          fact_order_lines: 1,
          agg_orders_daily: 0.5,
        },
      }));
    const md = markdownReport(
      {
        ...results,
        contenders: [...results.contenders, { name: "saleslake-star", does: "landing → gold" }],
        cells: [...results.cells, ...star],
      },
      "scaling.png",
    );
    const section = md.slice(md.indexOf("## Landing → gold"), md.indexOf("## Counts checked"));
    const silverRun = results.cells.find(
      (c) => c.case === "delta-10k-into-1M" && c.contender === "saleslake",
    )!;
    expect(section.split("\n")).toContain(
      `| delta-10k-into-1M | 1.000 | 0.750 | 1.000 | 0.500 | 0.750 | 4.000 s | 200 MB | ${silverRun.seconds!.toFixed(3)} s |`,
    );
    // Its ratio to the floor (a merge to silver only) is shown nowhere.
    const silverTable = md.slice(md.indexOf("## Landing → silver"), md.indexOf("## Scaling curve"));
    expect(silverTable).not.toContain("saleslake-star");
    expect(md).not.toContain("(9.00×)");
  });

  it("names the tables each Spark contender ran on when they differ", () => {
    const sizesLine = (sizes: Partial<BenchResults["sizes"]>) =>
      markdownReport({ ...results, sizes: { ...results.sizes, ...sizes } }, "scaling.png")
        .split("\n")
        .find((l) => l.startsWith("**Sizes run:**"))!;
    expect(sizesLine({})).not.toContain("Spark");
    expect(sizesLine({ sparkBases: [1e6] })).toContain("The Spark contenders ran on tables of 1M only");
    const apart = sizesLine({ sparkBases: [1e6], pysparkBases: [1e6, 1e7] });
    expect(apart).toContain("saleslake-spark ran on tables of 1M only");
    expect(apart).toContain("pyspark-delta on tables of 1M, 10M.");
  });

  it("reports the increment comparison per increment, with how each side grew", () => {
    const timings = [0, 1, 2, 3].map((i) => ({
      increment: i,
      rows: i === 0 ? 20_000 : 1_000,
      bronzeRows: 20_000 + i * 1_000,
      original: 10 + i * 2,
      saleslake: i === 0 ? 30 : 5,
    }));
    const md = markdownReport(
      {
        ...results,
        increments: {
          baseRows: 20_000,
          deltaRows: 1_000,
          timings,
          silverRows: { original: 86_000, saleslake: 21_500 },
          distinctKeys: 21_500,
        },
      },
      "scaling.png",
    );
    const section = md.slice(md.indexOf("## Increments on local Spark"));
    expect(section).toContain("An initial load of 20k order lines, then 3 increments of 1k rows");
    expect(section).toContain("| initial | 20k | 20k | 10.0 | 30.0 |");
    expect(section).toContain("| 3 | 1k | 23k | 16.0 | 5.000 |");
    expect(section).toContain("what the original re-reads grew 1.10×; its time 1.33×, saleslake's 1.00×");
    expect(section).toContain(
      "Silver ends with 86k rows in the original (appended copies) and 21.5k in saleslake",
    );
    expect(markdownReport(results, "scaling.png")).not.toContain("## Increments on local Spark");
  });

  it("draws the scaling chart as a PNG, one panel per delta size", () => {
    const png = renderScalingChart(results.cells, [1e4, 1e6], NAMES);
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(1120); // IHDR width: two 560-pixel panels
    expect(png.readUInt32BE(20)).toBe(420);
  });
});
