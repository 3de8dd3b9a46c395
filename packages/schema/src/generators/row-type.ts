import type { Entity, LogicalType } from "../model.ts";

function tsType(t: LogicalType): string {
  switch (t.kind) {
    case "string":
    case "decimal":
    case "date":
    case "timestamp":
      return "string";
    case "int":
    case "double":
      return "number";
    case "bigint":
      return "bigint";
    case "boolean":
      return "boolean";
    case "enum":
      return t.values.map((v) => JSON.stringify(v)).join(" | ");
  }
}

const pascal = (name: string) => name.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

/**
 * The validated row type as TypeScript source, for teams that want the type without the DSL
 * (`InferRow<typeof entity>` gives the same type in code that imports the entity).
 */
export function rowTypeSource(entity: Entity): string {
  const lines = [
    `/** A valid ${entity.name} row, as returned by its zod validator. */`,
    `export interface ${pascal(entity.name)}Row {`,
  ];
  for (const c of entity.columns) {
    if (c.description) lines.push(`  /** ${c.description.replace(/\*\//g, "*\\/")} */`);
    lines.push(`  ${c.name}: ${tsType(c.type)}${c.nullable ? " | null" : ""};`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
