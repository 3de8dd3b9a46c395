import type * as Adf from "@azure/arm-datafactory";
import { MANIFEST_FILE } from "@saleslake/schema";
import { entityPipeline, fileDropTrigger, PARENT_PIPELINE, WINDOW_TRIGGER } from "./artifact-names.ts";
import type { ResolvedOptions } from "./factory-options.ts";
import type { TriggerBody, TypePropertiesOf } from "./wire-types.ts";

/** `hh:mm:ss` or `d.hh:mm:ss` of a number of minutes, as tumbling window offsets are written. */
function timespan(minutes: number): string {
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const hms = `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:00`;
  return d > 0 ? `${d}.${hms}` : hms;
}

/**
 * Tumbling window over the parent pipeline: windows run one at a time and in order (max
 * concurrency 1 and a dependency on the previous window), retried, and pass their bounds through.
 */
export function windowTrigger(o: ResolvedOptions): TriggerBody {
  const minutes = o.window.interval * (o.window.frequency === "Hour" ? 60 : 1);
  // The SDK models dates as Date; on the wire they are ISO strings.
  const typeProperties: Omit<TypePropertiesOf<Adf.TumblingWindowTrigger, Adf.Trigger>, "startTime"> & {
    startTime: string;
  } = {
    frequency: o.window.frequency,
    interval: o.window.interval,
    startTime: o.window.startTime,
    delay: o.window.delay,
    maxConcurrency: 1,
    retryPolicy: { count: 3, intervalInSeconds: 300 },
    dependsOn: [
      {
        type: "SelfDependencyTumblingWindowTriggerReference",
        offset: `-${timespan(minutes)}`,
        size: timespan(minutes),
      },
    ],
  };
  return {
    name: WINDOW_TRIGGER,
    properties: {
      type: "TumblingWindowTrigger",
      description: "saleslake: incremental windows in order, one at a time.",
      annotations: ["saleslake"],
      pipeline: {
        pipelineReference: { referenceName: PARENT_PIPELINE, type: "PipelineReference" },
        parameters: {
          window_start: "@trigger().outputs.windowStartTime",
          window_end: "@trigger().outputs.windowEndTime",
          full_refresh: false,
        },
      },
      typeProperties,
    },
  };
}

/** A storage event per file-drop entity, on its batch manifest (written last, so the batch is whole). */
export function fileDropTriggers(o: ResolvedOptions): TriggerBody[] {
  return o.entities
    .filter(({ entity }) => entity.watermark.kind === "batch")
    .map(({ entity }) => {
      const typeProperties: TypePropertiesOf<Adf.BlobEventsTrigger, Adf.MultiplePipelineTrigger> = {
        blobPathBeginsWith: `/${o.zoneContainer("landing")}/blobs/${o.zonePrefix("landing")}${entity.name}/`,
        blobPathEndsWith: `/${MANIFEST_FILE}`,
        ignoreEmptyBlobs: true,
        scope: o.storageAccountResourceId,
        events: ["Microsoft.Storage.BlobCreated"],
      };
      return {
        name: fileDropTrigger(entity.name),
        properties: {
          type: "BlobEventsTrigger",
          description: `saleslake: loads each ${entity.name} batch when its manifest lands.`,
          annotations: ["saleslake"],
          pipelines: [
            {
              pipelineReference: { referenceName: entityPipeline(entity.name), type: "PipelineReference" },
              parameters: { batch_folder: "@trigger().outputs.body.folderPath" },
            },
          ],
          typeProperties,
        },
      };
    });
}
