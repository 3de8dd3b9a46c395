// Writes the schema-derived files the Bicep and the deploy read, so nothing is retyped by hand:
// generated/lake.json (zone containers, entities) and generated/synapse-views.sql (gold views).
import { mkdirSync, writeFileSync } from "node:fs";
import { LAKE_ZONES, salesEntities, salesStars } from "@saleslake/schema";
import { goldTables, synapseViewsSql } from "../src/synapse/synapse-views.ts";

const out = new URL("../generated/", import.meta.url);
mkdirSync(out, { recursive: true });
const lake = {
  containers: [...LAKE_ZONES],
  zones: Object.fromEntries(LAKE_ZONES.map((z) => [z, z])),
  entities: salesEntities.map((e) => e.name),
  goldTables: goldTables(salesStars),
};
writeFileSync(new URL("lake.json", out), `${JSON.stringify(lake, null, 2)}\n`);
writeFileSync(new URL("synapse-views.sql", out), synapseViewsSql(salesStars));
console.log("infra: wrote generated/lake.json, generated/synapse-views.sql");
