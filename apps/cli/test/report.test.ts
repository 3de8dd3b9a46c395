import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";

const bin = new URL("../src/bin.ts", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "saleslake-report-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const CHROMIUM = process.env.SALESLAKE_CHROMIUM ?? "/usr/bin/chromium";
const skip = process.env.SALESLAKE_SKIP_BROWSER === "1";
if (skip) console.warn("SALESLAKE_SKIP_BROWSER=1: the report is not rendered in Chromium");

describe.skipIf(skip)("the HTML report in headless Chromium", () => {
  it("renders its charts with the warehouse's numbers", async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: install it with 'apt-get install chromium' (or set SALESLAKE_CHROMIUM), or set SALESLAKE_SKIP_BROWSER=1 to skip`,
      );
    }
    const dir = join(work, "demo");
    const run = (args: string[]) =>
      spawnSync(process.execPath, [bin, ...args], {
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      });
    expect(run(["demo", "--dir", dir]).status).toBe(0);
    const out = join(dir, "report.html");
    expect(run(["report", "--dir", dir, "--out", out]).status).toBe(0);
    const total = JSON.parse(
      run(["query", "--dir", dir, "--json", "select sum(revenue) as r from gold.fact_sales"]).stdout,
    )[0].r;

    const ledger = (() => {
      const runs = JSON.parse(run(["runs", "--dir", dir, "--json"]).stdout).runs as Record<string, unknown>[];
      const sum = (c: string) => String(runs.reduce((n, r) => n + Number(r[c]), 0));
      return {
        newestFirst: runs.map((r) => String(r.run_id)),
        firstLast: [String(runs.at(-1)?.started_at), String(runs[0]?.started_at)],
        sums: [
          "rows_read",
          "rows_accepted",
          "rows_quarantined",
          "rows_inserted",
          "rows_updated",
          "rows_deleted",
        ].map(sum),
      };
    })();
    expect(ledger.newestFirst).toHaveLength(2);
    // A long ledger is listed in part: the newest runs, saying how many are left out.
    const few = join(dir, "report-few.html");
    expect(run(["report", "--dir", dir, "--out", few, "--runs", "1"]).status).toBe(0);
    const bad = run(["report", "--dir", dir, "--runs", "0"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--runs takes a whole number of runs, 1 or more, not "0"/);

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
      await page.goto(`file://${out}`);
      expect(await page.locator("h2").allTextContents()).toEqual([
        "Sales by day",
        "Sales by branch",
        "Sales by dealer",
        "Sales by model",
        "Run history",
        "Rows per step",
        "Quarantine by rule",
      ]);
      expect(
        Number(await page.locator("#car-sales-by-day svg.chart").first().getAttribute("data-points")),
      ).toBe(945);
      const products = await page
        .locator("#car-sales-by-model g.bar")
        .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-value"))));
      expect(products.length).toBeGreaterThan(5);
      const byProduct = await page.locator("#car-sales-by-model td:nth-child(2)").allTextContents();
      expect(byProduct.map(Number).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(Number(total));
      expect(await page.locator("#quarantine g.bar").getAttribute("data-label")).toBe("sale_date.parse");
      // Every run counted per entity, and each listed, newest first, with its duration.
      expect(await page.locator("#runs-per-entity tbody td").allTextContents()).toEqual([
        "car_sales",
        "2",
        "2",
        "0",
        ...ledger.firstLast,
        ...ledger.sums,
      ]);
      expect(await page.locator("#runs-latest tbody td:nth-child(1)").allTextContents()).toEqual(
        ledger.newestFirst,
      );
      expect(await page.locator("#runs .meta").count()).toBe(0);
      const seconds = await page.locator("#runs-latest tbody td:nth-child(6)").allTextContents();
      expect(seconds.map(Number).every((s) => s > 0)).toBe(true);
      expect(await page.locator("#rows-per-step g.bar").count()).toBe(6);
      const box = await page.locator("#car-sales-by-day svg.chart").first().boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      // The screenshot of this run, kept under test/artifacts/ (ignored by git) for people to look at.
      const shot = new URL("./artifacts/report.png", import.meta.url).pathname;
      mkdirSync(new URL("./artifacts/", import.meta.url), { recursive: true });
      rmSync(shot, { force: true });
      const png = await page.screenshot({ path: shot, fullPage: true });
      expect(png.length).toBeGreaterThan(10_000);
      const onDisk = readFileSync(shot);
      expect(onDisk.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(onDisk.readUInt32BE(16)).toBeGreaterThanOrEqual(1000); // IHDR width: at least the viewport
      expect(onDisk.readUInt32BE(20)).toBeGreaterThan(1000); // full page: taller than one screen
      await page.goto(`file://${few}`);
      expect(await page.locator("#runs-latest tbody td:nth-child(1)").allTextContents()).toEqual(
        ledger.newestFirst.slice(0, 1),
      );
      expect(await page.locator("#runs .meta").textContent()).toBe(
        "The latest 1 of 2 runs, newest first; saleslake runs --limit 2 lists them all.",
      );
      expect(await page.locator("#runs-per-entity tbody td:nth-child(2)").allTextContents()).toEqual(["2"]);
      expect(await page.locator("#rows-per-step g.bar").count()).toBe(3);
    } finally {
      await browser.close();
    }
    expect(readFileSync(out, "utf8")).not.toMatch(/<script/);
  }, 120_000);
});
