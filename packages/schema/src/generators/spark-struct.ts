import type { Entity, LogicalType } from "../model.ts";
import { type TableShapeOptions, tableColumns } from "./table-columns.ts";

/** Spark's JSON type names, as in `StructType.json()`. */
function sparkJsonType(t: LogicalType): string {
  switch (t.kind) {
    case "string":
    case "enum":
      return "string";
    case "int":
      return "integer";
    case "bigint":
      return "long";
    case "decimal":
      return `decimal(${t.precision},${t.scale})`;
    case "double":
      return "double";
    case "boolean":
      return "boolean";
    case "date":
      return "date";
    case "timestamp":
      return "timestamp";
  }
}

/** The curated table's Spark `StructType` as JSON (`StructType.fromJson` reads it back). */
export function sparkStruct(entity: Entity, options: TableShapeOptions = {}) {
  return {
    type: "struct",
    fields: tableColumns(entity, options).map((c) => ({
      name: c.name,
      type: sparkJsonType(c.type),
      nullable: c.nullable,
      metadata: c.description ? { comment: c.description } : {},
    })),
  };
}
