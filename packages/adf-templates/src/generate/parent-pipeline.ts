import type * as Adf from "@azure/arm-datafactory";
import type { Entity } from "@saleslake/schema";
import { controlActivity, expression } from "./activities.ts";
import { entityPipeline, PARENT_PIPELINE } from "./artifact-names.ts";
import type { PipelineBody } from "./wire-types.ts";

/**
 * Runs every watermark entity's pipeline for one window: ForEach entity → Switch → Execute
 * Pipeline (a pipeline reference cannot be an expression, hence one case per entity). File-drop
 * entities are started by their storage events instead.
 */
export function parentPipelineBody(entities: readonly Entity[]): PipelineBody {
  const names = entities.filter((e) => e.watermark.kind === "column").map((e) => e.name);
  const run = (name: string) =>
    controlActivity<Adf.ExecutePipelineActivity>(
      "ExecutePipeline",
      `Run ${name}`,
      `Runs ${entityPipeline(name)} for the window and waits for it.`,
      [],
      {
        pipeline: { referenceName: entityPipeline(name), type: "PipelineReference" },
        parameters: {
          window_start: "@pipeline().parameters.window_start",
          window_end: "@pipeline().parameters.window_end",
          full_refresh: "@pipeline().parameters.full_refresh",
        },
        waitOnCompletion: true,
      },
    );
  return {
    name: PARENT_PIPELINE,
    properties: {
      description:
        "saleslake: one incremental window for every watermark entity. Generated; regenerate instead of editing.",
      parameters: {
        window_start: { type: "String", defaultValue: "" },
        window_end: { type: "String", defaultValue: "" },
        full_refresh: { type: "Bool", defaultValue: false },
      },
      annotations: ["saleslake"],
      folder: { name: "saleslake" },
      activities: [
        controlActivity<Adf.ForEachActivity>(
          "ForEach",
          "For each entity",
          "Entities load independently, in parallel.",
          [],
          {
            items: expression(`@createArray(${names.map((n) => `'${n}'`).join(", ")})`),
            isSequential: false,
            batchCount: Math.max(1, Math.min(names.length, 4)),
            activities: [
              controlActivity<Adf.SwitchActivity>(
                "Switch",
                "Run entity pipeline",
                "Dispatches to the entity's pipeline.",
                [],
                {
                  on: expression("@item()"),
                  cases: names.map((n) => ({ value: n, activities: [run(n)] })),
                  defaultActivities: [
                    controlActivity<Adf.FailActivity>(
                      "Fail",
                      "Unknown entity",
                      "No pipeline for this entity.",
                      [],
                      {
                        message: expression("@concat('no pipeline for entity ', item())"),
                        errorCode: "SALESLAKE_UNKNOWN_ENTITY",
                      },
                    ),
                  ],
                },
              ),
            ],
          },
        ),
      ],
    },
  };
}
