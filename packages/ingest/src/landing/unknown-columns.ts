import type { Entity } from "@saleslake/schema";

/** Unknown columns a batch's contract refuses, why, and the hint that fixes it. */
export interface RefusedColumns {
  /** `unknown`: the contract rejects unknown columns; `unnamed`: a column with no name under "rescue". */
  readonly reason: "unknown" | "unnamed";
  readonly names: readonly string[];
  readonly hint: string;
}

/**
 * Which of a batch's unknown columns (a file's header, or the keys of a window's records) the
 * entity's contract refuses: under unknownColumns "reject" every one; under "rescue" one with no
 * name (""), which Spark's JSON reader drops, so the notebooks could not rescue its values as
 * the local engine does. Undefined when it refuses none.
 */
export function refusedUnknownColumns(
  entity: Entity,
  unknown: readonly string[],
): RefusedColumns | undefined {
  const policy = entity.contract.unknownColumns;
  if (policy === "reject" && unknown.length > 0)
    return {
      reason: "unknown",
      names: unknown,
      hint: 'Add them to the entity, or set contract unknownColumns to "rescue" or "ignore".',
    };
  if (policy === "rescue" && unknown.includes(""))
    return {
      reason: "unnamed",
      names: [""],
      hint: 'Name the key in the source, or set contract unknownColumns to "ignore" to leave its values out.',
    };
  return undefined;
}
