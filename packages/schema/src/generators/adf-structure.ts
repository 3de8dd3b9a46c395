import { sourceColumnNames } from "../landing/column-mapping.ts";
import type { Column, Entity, LogicalType } from "../model.ts";

/** Data Factory interim data types, as used in dataset `structure` and Copy type conversion. */
export type AdfInterimType =
  | "String"
  | "Int32"
  | "Int64"
  | "Decimal"
  | "Double"
  | "Boolean"
  | "DateTime"
  | "DateTimeOffset";

const ADF_TYPES: { readonly [K in LogicalType["kind"]]: AdfInterimType } = {
  string: "String",
  enum: "String",
  int: "Int32",
  bigint: "Int64",
  decimal: "Decimal",
  double: "Double",
  boolean: "Boolean",
  date: "DateTime",
  timestamp: "DateTimeOffset",
};

export interface AdfStructureColumn {
  readonly name: string;
  readonly type: AdfInterimType;
  readonly precision?: number;
  readonly scale?: number;
}

/**
 * A dataset's `schema`/`structure` entries for the entity's source columns: each stored column
 * in its type, then the parts of composed columns as text.
 */
export function adfDatasetStructure(entity: Entity): AdfStructureColumn[] {
  return [
    ...sourceColumns(entity).map((c) => ({
      name: c.source,
      type: ADF_TYPES[c.type.kind],
      ...(c.type.kind === "decimal" && { precision: c.type.precision, scale: c.type.scale }),
    })),
    ...composedParts(entity).map((name) => ({ name, type: "String" as const })),
  ];
}

/** Columns read from the source as they are (not composed from several source columns). */
function sourceColumns(entity: Entity): Column[] {
  return entity.columns.filter((c) => !c.composedFrom);
}

/** The source names composed columns are built from that no stored column reads. */
export function composedParts(entity: Entity): string[] {
  const stored = new Set(sourceColumns(entity).map((c) => c.source));
  return sourceColumnNames(entity)
    .map((s) => s.source)
    .filter((s) => !stored.has(s));
}

/**
 * A Copy activity `translator` (TabularTranslator) mapping source names to the entity's column
 * names, and the parts of composed columns to themselves (bronze composes them). Landing keeps
 * source text; the mapping only renames, types are applied in bronze.
 */
export function adfColumnMapping(entity: Entity): {
  type: "TabularTranslator";
  mappings: { source: { name: string }; sink: { name: string } }[];
  typeConversion: boolean;
} {
  return {
    type: "TabularTranslator",
    mappings: [
      ...sourceColumns(entity).map((c) => ({ source: { name: c.source }, sink: { name: c.name } })),
      ...composedParts(entity).map((name) => ({ source: { name }, sink: { name } })),
    ],
    typeConversion: false,
  };
}
