import type { Dimension, Entity, Star } from "@saleslake/schema";

/**
 * The incremental plan: plain data, one node per step, tagged with `kind`. Compilers switch
 * exhaustively over `kind`, so a new kind does not compile until every dialect handles it.
 */
export type PlanStep =
  | {
      readonly kind: "bronze";
      readonly id: "bronze";
      readonly entity: Entity;
      readonly dependsOn: readonly string[];
    }
  | {
      readonly kind: "silver";
      readonly id: "silver";
      readonly entity: Entity;
      readonly dependsOn: readonly string[];
    }
  | {
      readonly kind: "dimension";
      readonly id: string;
      readonly entity: Entity;
      readonly dimension: Dimension;
      readonly dependsOn: readonly string[];
    }
  | { readonly kind: "fact"; readonly id: string; readonly star: Star; readonly dependsOn: readonly string[] }
  | {
      readonly kind: "aggregate";
      readonly id: string;
      readonly star: Star;
      readonly dependsOn: readonly string[];
    };

export type PlanStepKind = PlanStep["kind"];

export interface Plan {
  readonly entity: Entity;
  readonly star?: Star;
  /** In execution order; `dependsOn` gives the graph (dimensions may run in parallel). */
  readonly steps: readonly PlanStep[];
}

/** bronze → silver → every dimension (in parallel) → fact → daily aggregate. */
export function buildPlan(entity: Entity, star?: Star): Plan {
  const steps: PlanStep[] = [
    { kind: "bronze", id: "bronze", entity, dependsOn: [] },
    { kind: "silver", id: "silver", entity, dependsOn: ["bronze"] },
  ];
  if (star) {
    if (star.entity.name !== entity.name) {
      throw new Error(`star ${star.name} is built on ${star.entity.name}, not ${entity.name}`);
    }
    const dims = star.dimensions.map((d) => d.name);
    for (const d of star.dimensions)
      steps.push({ kind: "dimension", id: d.name, entity, dimension: d, dependsOn: ["silver"] });
    steps.push({ kind: "fact", id: star.fact.name, star, dependsOn: dims });
    if (star.dailyAggregate) {
      steps.push({ kind: "aggregate", id: star.dailyAggregate.name, star, dependsOn: [star.fact.name] });
    }
  }
  return { entity, ...(star && { star }), steps };
}
