import { SchemaError } from "../errors.ts";
import { assertSafeIdentifier } from "../identifiers.ts";
import type { Dimension, Entity, Measure, Star } from "../model.ts";
import { columnOf } from "./define-entity.ts";

export interface StarInput {
  name: string;
  entity: Entity;
  dimensions: Dimension[];
  fact: { name: string; measures: string[]; degenerate?: string[] };
  dailyAggregate?: { name: string; dateColumn: string; by?: string[]; measures: Measure[] };
}

/**
 * A star schema over an entity's silver rows: dimensions with surrogate keys (and an unknown
 * member), one fact table keyed like the entity, and an optional daily aggregate.
 */
export function defineStar(input: StarInput): Star {
  const where = `star ${JSON.stringify(input.name)}`;
  assertSafeIdentifier(input.name, `${where}: name`);
  const names = new Set<string>();
  const claim = (n: string) => {
    assertSafeIdentifier(n, `${where}: table name`);
    if (names.has(n))
      throw new SchemaError(
        "DUPLICATE_COLUMN",
        `${where}: table ${n} is defined twice`,
        "Give each table its own name.",
      );
    names.add(n);
  };
  const e = input.entity;
  for (const d of input.dimensions) {
    claim(d.name);
    if (d.kind === "calendar") {
      const c = columnOf(e, d.column);
      if (c.type.kind !== "date") {
        throw new SchemaError(
          "INVALID_TYPE",
          `${where}: calendar dimension ${d.name} needs a date column, ${c.name} is ${c.type.kind}`,
          "Point it at a date column.",
        );
      }
    } else {
      if (d.key.length === 0)
        throw new SchemaError(
          "INVALID_DEFINITION",
          `${where}: dimension ${d.name} has no key`,
          "Name its natural key columns.",
        );
      for (const c of [...d.key, ...d.attributes]) columnOf(e, c);
    }
  }
  claim(input.fact.name);
  for (const m of input.fact.measures) columnOf(e, m);
  for (const m of input.fact.degenerate ?? []) columnOf(e, m);
  if (input.dailyAggregate) {
    claim(input.dailyAggregate.name);
    const dc = columnOf(e, input.dailyAggregate.dateColumn);
    if (dc.type.kind !== "date" && dc.type.kind !== "timestamp") {
      throw new SchemaError(
        "INVALID_TYPE",
        `${where}: daily aggregate needs a date or timestamp column`,
        "Point dateColumn at one.",
      );
    }
    for (const b of input.dailyAggregate.by ?? []) {
      if (!input.dimensions.some((d) => d.name === b)) {
        throw new SchemaError(
          "UNKNOWN_COLUMN",
          `${where}: daily aggregate groups by unknown dimension ${b}`,
          "Use a dimension name of this star.",
        );
      }
    }
    for (const m of input.dailyAggregate.measures) {
      assertSafeIdentifier(m.name, `${where}: measure name`);
      columnOf(e, m.column);
    }
  }
  return {
    name: input.name,
    entity: e,
    dimensions: input.dimensions,
    fact: { name: input.fact.name, measures: input.fact.measures, degenerate: input.fact.degenerate ?? [] },
    ...(input.dailyAggregate && {
      dailyAggregate: { ...input.dailyAggregate, by: input.dailyAggregate.by ?? [] },
    }),
  };
}
