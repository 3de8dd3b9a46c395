import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { keptRunFiles, latestFiles } from "../src/report/result-files.ts";

describe("where a run's results go", () => {
  const run = { date: "2026-12-05T06:31:02.000Z", commit: "253d43a", mode: "custom" };

  it("the full preset writes the published figures, latest.* and scaling.png", () => {
    expect(latestFiles("/r")).toEqual({
      json: join("/r", "latest.json"),
      md: join("/r", "latest.md"),
      png: join("/r", "scaling.png"),
      chart: "scaling.png",
    });
  });

  it("any other run is kept in runs/, named by day, commit and mode, its chart linked by its own name", () => {
    expect(keptRunFiles("/r", run, () => false)).toEqual({
      json: join("/r", "runs", "2026-12-05-253d43a-custom.json"),
      md: join("/r", "runs", "2026-12-05-253d43a-custom.md"),
      png: join("/r", "runs", "2026-12-05-253d43a-custom.png"),
      chart: "2026-12-05-253d43a-custom.png",
    });
  });

  it("never over an earlier run of the same day, commit and mode", () => {
    const taken = new Set([
      join("/r", "runs", "2026-12-05-253d43a-quick.md"),
      join("/r", "runs", "2026-12-05-253d43a-quick-2.png"),
    ]);
    const files = keptRunFiles("/r", { ...run, mode: "quick" }, (p) => taken.has(p));
    expect(files.md).toBe(join("/r", "runs", "2026-12-05-253d43a-quick-3.md"));
    expect(files.chart).toBe("2026-12-05-253d43a-quick-3.png");
  });
});
