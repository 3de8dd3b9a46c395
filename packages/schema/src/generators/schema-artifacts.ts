import type { Entity } from "../model.ts";
import { adfColumnMapping, adfDatasetStructure } from "./adf-structure.ts";
import { schemaFingerprint } from "./fingerprint.ts";
import { jsonSchema } from "./json-schema.ts";
import { qualityRules } from "./quality-rules.ts";
import { rowTypeSource } from "./row-type.ts";
import { sparkStruct } from "./spark-struct.ts";
import { tableDdl } from "./table-ddl.ts";

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Every schema artifact of an entity, by file name. Pure and deterministic: the same entity
 * gives byte-identical files.
 */
export function schemaArtifacts(entity: Entity): Record<string, string> {
  return {
    "row-type.ts": rowTypeSource(entity),
    "json-schema.json": json(jsonSchema(entity)),
    "ddl.duckdb.sql": tableDdl(entity, "duckdb"),
    "ddl.delta.sql": tableDdl(entity, "spark", { schema: "saleslake.silver" }),
    "ddl.azure-sql.sql": tableDdl(entity, "tsql", { schema: "src", lineage: false }),
    "ddl.synapse.sql": tableDdl(entity, "tsql", { tsqlTarget: "synapse" }),
    "spark-struct.json": json(sparkStruct(entity)),
    "adf-structure.json": json(adfDatasetStructure(entity)),
    "adf-mapping.json": json(adfColumnMapping(entity)),
    "quality-rules.json": json(qualityRules(entity)),
    "fingerprint.txt": `${schemaFingerprint(entity)}\n`,
  };
}
