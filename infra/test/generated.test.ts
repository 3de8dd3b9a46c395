import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LAKE_ZONES, salesEntities, salesStars } from "@saleslake/schema";
import { describe, expect, it } from "vitest";
import { readBicep } from "../src/index.ts";
import { goldTables, synapseSetupBatches, synapseViewsSql } from "../src/synapse/synapse-views.ts";
import { INFRA, readInfra } from "./estate.ts";

describe("schema-derived values come from generated files, never retyped", () => {
  it("generated/lake.json is what the schema says (run `pnpm generate` when this fails)", () => {
    expect(JSON.parse(readInfra("generated/lake.json"))).toEqual({
      containers: [...LAKE_ZONES],
      zones: Object.fromEntries(LAKE_ZONES.map((z) => [z, z])),
      entities: salesEntities.map((e) => e.name),
      goldTables: goldTables(salesStars),
    });
    expect(readInfra("main.bicep")).toMatch(/var lake = loadJsonContent\('generated\/lake\.json'\)/);
    expect(readInfra("main.bicep")).toMatch(/containers: lake\.containers/);
    expect(readInfra("main.bicep")).toMatch(/goldContainer: lake\.zones\.gold/);
    for (const f of readdirSync(join(INFRA, "modules")))
      for (const zone of LAKE_ZONES) expect(readInfra(`modules/${f}`), f).not.toContain(`'${zone}'`);
  });

  it("the Synapse views are generated from the stars' gold tables (golden)", () => {
    const sql = synapseViewsSql(salesStars);
    expect(sql).toBe(readFileSync(new URL("__golden__/synapse-views.sql", import.meta.url), "utf8"));
    expect(readInfra("generated/synapse-views.sql")).toBe(sql);
    expect(goldTables(salesStars)).toEqual([
      ...salesStars.flatMap((s) => [...s.dimensions.map((d) => d.name), s.fact.name, s.dailyAggregate!.name]),
    ]);
  });

  it("the Synapse setup quotes its values and refuses what is not a lake container URL", () => {
    const [db, objects] = synapseSetupBatches("https://saleslakeprod.dfs.core.windows.net/gold");
    expect(db).toBe("IF DB_ID(N'saleslake') IS NULL CREATE DATABASE [saleslake];");
    expect(objects).toContain(
      "CREATE EXTERNAL DATA SOURCE [saleslake_gold] WITH (LOCATION = N'https://saleslakeprod.dfs.core.windows.net/gold', CREDENTIAL = saleslake_identity);",
    );
    expect(() => synapseSetupBatches("https://x.dfs.core.windows.net/gold'; DROP TABLE x;--")).toThrow(
      /not an ADLS Gen2 container URL/,
    );
    expect(() => synapseSetupBatches("https://x.dfs.core.windows.net/gold", { database: "a]b" })).toThrow();
  });
});

describe("environment parameter files", () => {
  const main = readBicep(join(INFRA, "main.bicep"), readInfra("main.bicep"));
  const required = main.params.filter((p) => !p.hasDefault).map((p) => p.name);
  const declared = new Set(main.params.map((p) => p.name));

  for (const env of ["dev", "test", "prod"]) {
    it(`env/${env}.bicepparam uses main.bicep, sets every required parameter and nothing unknown`, () => {
      const text = readInfra(`env/${env}.bicepparam`);
      expect(text).toMatch(/^using '\.\.\/main\.bicep'$/m);
      const set = [...text.matchAll(/^param (\w+) =/gm)].map((m) => m[1]!);
      expect(set.filter((p) => !declared.has(p))).toEqual([]);
      expect(required.filter((p) => !set.includes(p))).toEqual([]);
      expect(text).toMatch(new RegExp(`^param environment = '${env}'$`, "m"));
    });
  }

  it("production is zone-redundant with longer retention and Synapse on; no secret in any", () => {
    const prod = readInfra("env/prod.bicepparam");
    expect(prod).toMatch(/storageSku = 'Standard_ZRS'/);
    expect(prod).toMatch(/deploySynapse = true/);
    expect(readInfra("env/dev.bicepparam")).toMatch(/deploySynapse = false/);
    for (const env of ["dev", "test", "prod"])
      expect(readInfra(`env/${env}.bicepparam`)).not.toMatch(/password|secret|key\s*=/i);
  });
});
