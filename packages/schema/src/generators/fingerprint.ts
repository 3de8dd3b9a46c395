import { createHash } from "node:crypto";
import type { Entity } from "../model.ts";

/** JSON with object keys sorted, so equal definitions serialise identically. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * A short, stable hash of what determines stored data: names, types, nullability, keys, sequence,
 * SCD mode, soft-delete flag. Descriptions, PII tags and checks do not change it.
 */
export function schemaFingerprint(entity: Entity): string {
  const shape = {
    name: entity.name,
    columns: entity.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
    key: entity.key,
    sequence: entity.sequence ?? null,
    scd: entity.scd,
    softDelete: entity.softDelete ?? null,
  };
  return `sha256:${createHash("sha256").update(canonicalJson(shape)).digest("hex").slice(0, 16)}`;
}
