import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";

const bin = new URL("../src/bin.ts", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "saleslake-generate-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Job {
  name: string;
  tasks: { task_key: string; depends_on: { task_key: string }[]; notebook_task: { notebook_path: string } }[];
}

describe("saleslake generate", () => {
  it("writes the Databricks jobs with their notebooks, and the Bicep's lake file, for the project's entities", async () => {
    const project = join(work, "project");
    const out = join(work, "out");
    const r = spawnSync(process.execPath, [bin, "generate", "--dir", project, "--out", out], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const cfg = await loadConfig(project);
    const stars = cfg.stars;
    expect(stars.length).toBeGreaterThan(0);
    const written = (dir: string) => readdirSync(join(out, dir), { recursive: true, encoding: "utf8" });
    const total = ["schema", "adf", "databricks", "infra"].reduce(
      (n, d) => n + written(d).filter((f) => f.includes(".")).length,
      0,
    );
    expect(r.stdout).toContain(`wrote ${total} files to ${out}`);

    for (const e of cfg.entities) {
      const dir = join(out, "databricks", e.name);
      const job = JSON.parse(readFileSync(join(dir, "job.json"), "utf8")) as Job;
      expect(job.name).toBe(`saleslake-${e.name}`);
      // One notebook per task, named by its step, and no notebook no task runs.
      const steps = job.tasks.map((t) => t.notebook_task.notebook_path.split("/").at(-1));
      expect(steps).toEqual(job.tasks.map((t) => t.task_key));
      expect(readdirSync(dir).sort()).toEqual([...steps.map((s) => `${s}.py`), "job.json"].sort());
      for (const s of steps)
        expect(readFileSync(join(dir, `${s}.py`), "utf8")).toMatch(/^# Databricks notebook source\n/);
      // The star's steps are tasks of its entity's job.
      const star = stars.find((s) => s.entity.name === e.name);
      for (const d of star?.dimensions ?? []) expect(steps.some((s) => s?.includes(d.name))).toBe(true);
      expect(steps).toContain("commit");
      expect(job.tasks.find((t) => t.task_key === "commit")!.depends_on.length).toBeGreaterThan(0);
    }
    // The seal notebook the factory's pipelines call, beside the factory.
    expect(existsSync(join(out, "adf", "notebooks", "_landing", "seal_batch.py"))).toBe(true);

    const lake = JSON.parse(readFileSync(join(out, "infra", "lake.json"), "utf8"));
    expect(lake.entities).toEqual(cfg.entities.map((e) => e.name));
    const gold = stars.flatMap((s) => [
      ...s.dimensions.map((d) => d.name),
      s.fact.name,
      ...(s.dailyAggregate ? [s.dailyAggregate.name] : []),
    ]);
    expect(lake.goldTables).toEqual(gold);
    const views = readFileSync(join(out, "infra", "synapse-views.sql"), "utf8");
    expect([...views.matchAll(/CREATE OR ALTER VIEW gold\.\[(\w+)\]/g)].map((m) => m[1])).toEqual(gold);
  });
});
