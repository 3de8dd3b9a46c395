import { describe, expect, it } from "vitest";
import { BenchError } from "../src/harness/bench-error.ts";
import { formatSize, parseBenchArgs, parseSize } from "../src/harness/bench-options.ts";

describe("bench options", () => {
  it("reads sizes as people write them", () => {
    expect(parseSize("10k")).toBe(10_000);
    expect(parseSize("1M")).toBe(1_000_000);
    expect(parseSize("2.5m")).toBe(2_500_000);
    expect(parseSize("2GB")).toBe(2_000_000_000);
    expect(parseSize("1500")).toBe(1500);
    expect(() => parseSize("ten")).toThrow(BenchError);
    expect(formatSize(10_000)).toBe("10k");
    expect(formatSize(30_000_000)).toBe("30M");
    expect(formatSize(1234)).toBe("1234");
  });

  it("the full run is the issue's sizes; --quick is small with one repeat", () => {
    const full = parseBenchArgs([]);
    expect(full).toMatchObject({
      mode: "full",
      bases: [1e6, 3e7, 1e7],
      deltas: [1e4, 1e5, 1e6],
      initialRepeated: [1e7],
      repeats: 3,
      landingBytes: 2e9,
      repeatLimitMinutes: 10,
      resume: false,
    });
    expect(parseBenchArgs(["--resume"]).resume).toBe(true);
    expect(parseBenchArgs(["--fresh"])).toMatchObject({ fresh: true, resume: false });
    expect(() => parseBenchArgs(["--resume", "--fresh"])).toThrow(expect.objectContaining({ code: "USAGE" }));
    expect(parseBenchArgs(["--repeat-limit-minutes", "30"]).repeatLimitMinutes).toBe(30);
    // dlt stops at the 10M table of the target's case: a 30M load would outrun the bound on a run.
    expect(full.dltBases).toEqual([1e6, 1e7]);
    expect(parseBenchArgs(["--bases", "1M,30M"]).dltBases).toEqual([1e6, 3e7]);
    expect(parseBenchArgs(["--dlt-bases", "1M"]).dltBases).toEqual([1e6]);
    // The notebooks stop at 10M as well; the hand-written PySpark job runs on every table.
    expect(full.sparkBases).toEqual([1e6, 1e7]);
    expect(full.pysparkBases).toEqual([1e6, 1e7, 3e7]);
    expect(parseBenchArgs(["--spark-bases", "1M"]).pysparkBases).toEqual([1e6]);
    expect(full.contenders).toEqual([
      "floor",
      "saleslake",
      "saleslake-star",
      "dlt",
      "pyspark-delta",
      "saleslake-spark",
      "copy",
      "landing",
    ]);
    const quick = parseBenchArgs(["--quick"]);
    expect(quick.mode).toBe("quick");
    // Only the full preset as it stands publishes its figures (results/latest.*).
    expect(full.latest).toBe(true);
    expect(parseBenchArgs(["--timeout-minutes", "30", "--repeat-limit-minutes", "5"]).latest).toBe(true);
    expect(quick.latest).toBe(false);
    for (const narrower of [
      ["--contenders", "floor,saleslake"],
      ["--landing-size", "0"],
      ["--bases", "1M"],
      ["--seed", "8"],
    ])
      expect({ narrower, latest: parseBenchArgs(narrower).latest }).toEqual({ narrower, latest: false });
    expect(quick.repeats).toBe(1);
    expect(Math.max(...quick.bases)).toBeLessThan(1e6);
    // A couple of minutes: the Spark contenders (a minute or more a run) only when named.
    expect(quick.contenders).toEqual(["floor", "saleslake", "saleslake-star", "dlt", "copy", "landing"]);
    expect(quick.notRun).toMatchObject({ contenders: ["pyspark-delta", "saleslake-spark"], byPreset: true });
    expect(quick.notRun?.reason).toContain(
      "--contenders floor,saleslake,saleslake-star,dlt,pyspark-delta,saleslake-spark",
    );
    expect(full.notRun?.contenders).toEqual([]);
    expect(parseBenchArgs(["--quick", "--contenders", "saleslake-spark"])).toMatchObject({
      contenders: ["saleslake-spark"],
      notRun: { byPreset: false, reason: "not named by --contenders" },
    });
  });

  it("filters contenders and overrides sizes", () => {
    const o = parseBenchArgs([
      "--quick",
      "--contenders",
      "floor,saleslake",
      "--bases",
      "10M,1M",
      "--deltas",
      "10k",
      "--repeats",
      "2",
    ]);
    expect(o).toMatchObject({
      mode: "custom",
      contenders: ["floor", "saleslake"],
      bases: [1e6, 1e7],
      deltas: [1e4],
      repeats: 2,
    });
    expect(o.initialRepeated).toEqual([1e7]);
    expect(o.sparkBases).toEqual([1e6, 1e7]);
  });

  it("takes the Spark bases and the increment sizes on their own", () => {
    const o = parseBenchArgs(["--bases", "100k,1M", "--spark-bases", "100k", "--increments", "100k:10k"]);
    expect(o.sparkBases).toEqual([1e5]);
    expect(o.pysparkBases).toEqual([1e5]);
    expect(o.bases).toEqual([1e5, 1e6]);
    // The hand-written PySpark job can go where the notebooks do not (the 1M-into-10M case).
    const py = parseBenchArgs([
      "--bases",
      "100k,10M",
      "--spark-bases",
      "100k",
      "--pyspark-bases",
      "10M,100k",
    ]);
    expect(py.sparkBases).toEqual([1e5]);
    expect(py.pysparkBases).toEqual([1e5, 1e7]);
    expect(o.increments).toEqual({ baseRows: 1e5, deltaRows: 1e4 });
    // The full preset grows the total elevenfold over the ten increments.
    expect(parseBenchArgs([]).increments).toEqual({ baseRows: 2e5, deltaRows: 2e5 });
    expect(parseBenchArgs(["--quick"]).increments).toEqual({ baseRows: 2e4, deltaRows: 1e3 });
  });

  it("rejects unknown contenders and options with a usage error", () => {
    const code = (argv: string[]) => {
      try {
        parseBenchArgs(argv);
        return "none";
      } catch (e) {
        return (e as BenchError).code;
      }
    };
    expect(code(["--contenders", "floor,spark"])).toBe("USAGE");
    expect(code(["--fast"])).toBe("USAGE");
    expect(code(["--increments", "100k"])).toBe("USAGE");
    expect(code(["--increments", "1k:2k:3k"])).toBe("USAGE");
    expect(code(["--repeats", "0"])).toBe("USAGE");
    expect(code(["--bases"])).toBe("USAGE");
    // A resumed run keeps the options it began with.
    expect(code(["--resume", "--bases", "1M"])).toBe("USAGE");
    expect(code(["--resume", "--quick"])).toBe("USAGE");
  });
});
