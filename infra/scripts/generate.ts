// Writes the schema-derived values the Bicep loads (never retyped by hand): infra/generated/lake.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { LAKE_ZONES, salesEntities } from "@saleslake/schema";

const out = new URL("../generated/", import.meta.url);
mkdirSync(out, { recursive: true });
writeFileSync(
  new URL("lake.json", out),
  `${JSON.stringify({ containers: [...LAKE_ZONES], entities: salesEntities.map((e) => e.name) }, null, 2)}\n`,
);
console.log("infra: wrote generated/lake.json");
