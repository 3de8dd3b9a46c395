import type { Entity, LogicalType, PiiTag } from "../model.ts";

/** A physical column of a curated table: the entity's columns, then what the pipeline adds. */
export interface TableColumn {
  readonly name: string;
  readonly type: LogicalType;
  readonly nullable: boolean;
  readonly description?: string;
  /** Longest string in code points, for dialects that size strings. */
  readonly maxLength?: number;
  /** The kind of personal data the column holds, when it holds any. */
  readonly pii?: PiiTag;
}

export interface TableShapeOptions {
  /** Add the lineage columns `_batch_id`, `_source_file`, `_row_number`, `_ingested_at`. Default `true`. */
  readonly lineage?: boolean;
}

const LINEAGE: readonly TableColumn[] = [
  {
    name: "_batch_id",
    type: { kind: "string" },
    nullable: false,
    description: "Landing batch the row came from.",
    maxLength: 64,
  },
  {
    name: "_source_file",
    type: { kind: "string" },
    nullable: false,
    description: "Landed file the row came from.",
    maxLength: 1024,
  },
  {
    name: "_row_number",
    type: { kind: "bigint" },
    nullable: false,
    description: "Row number within the source file (1-based, after the header).",
  },
  {
    name: "_ingested_at",
    type: { kind: "timestamp" },
    nullable: false,
    description: "When the row was loaded into bronze (UTC).",
  },
];

const SCD2: readonly TableColumn[] = [
  {
    name: "valid_from",
    type: { kind: "timestamp" },
    nullable: false,
    description: "Start of this version's validity (sequence value).",
  },
  {
    name: "valid_to",
    type: { kind: "timestamp" },
    nullable: true,
    description: "End of validity; NULL while current.",
  },
  {
    name: "is_current",
    type: { kind: "boolean" },
    nullable: false,
    description: "True for the current version of the key.",
  },
];

/** The curated (silver) table shape of an entity, in a stable order. */
export function tableColumns(entity: Entity, options: TableShapeOptions = {}): TableColumn[] {
  const cols: TableColumn[] = entity.columns.map((c) => ({
    name: c.name,
    type: c.type,
    nullable: c.nullable,
    ...(c.description !== undefined && { description: c.description }),
    ...(c.constraints.maxLength !== undefined && { maxLength: c.constraints.maxLength }),
    ...(c.pii !== undefined && { pii: c.pii }),
  }));
  if (entity.scd === 2) cols.push(...SCD2);
  if (options.lineage ?? true) cols.push(...LINEAGE);
  return cols;
}
