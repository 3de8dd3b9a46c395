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
      expect(await page.locator("#runs tbody tr").count()).toBe(2);
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
    } finally {
      await browser.close();
    }
    expect(readFileSync(out, "utf8")).not.toMatch(/<script/);
  }, 120_000);
});
