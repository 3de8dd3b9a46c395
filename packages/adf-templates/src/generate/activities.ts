import type * as Adf from "@azure/arm-datafactory";
import type { ResolvedOptions } from "./factory-options.ts";
import type { ActivityBody, TypePropertiesOf } from "./wire-types.ts";

export type Condition = "Succeeded" | "Failed" | "Skipped" | "Completed";

/** `[name, conditions]` pairs → `dependsOn`; a bare name means Succeeded. */
export function after(
  ...deps: (string | readonly [string, readonly Condition[]])[]
): Adf.ActivityDependency[] {
  return deps.map((d) =>
    typeof d === "string"
      ? { activity: d, dependencyConditions: ["Succeeded"] }
      : { activity: d[0], dependencyConditions: [...d[1]] },
  );
}

export interface ExecutionOptions {
  readonly description: string;
  readonly dependsOn?: Adf.ActivityDependency[];
  readonly linkedService?: string;
  readonly inputs?: Adf.DatasetReference[];
  readonly outputs?: Adf.DatasetReference[];
  /** `d.hh:mm:ss`. */
  readonly timeout: string;
  /** Keep the activity's output (a secret it reads) out of the run's logs and monitoring. */
  readonly secureOutput?: boolean;
  /** Keep the activity's input (a secret it sends) out of them. */
  readonly secureInput?: boolean;
}

/** An execution activity with the factory's retry policy and its own timeout. */
export function executionActivity<T extends Adf.ExecutionActivityUnion>(
  type: T["type"],
  name: string,
  typeProperties: TypePropertiesOf<T, Adf.ExecutionActivity>,
  x: ExecutionOptions,
  o: ResolvedOptions,
): ActivityBody {
  return {
    name,
    type,
    description: x.description,
    dependsOn: x.dependsOn ?? [],
    policy: {
      timeout: x.timeout,
      retry: o.retry.count,
      retryIntervalInSeconds: o.retry.intervalSeconds,
      secureOutput: x.secureOutput ?? false,
      secureInput: x.secureInput ?? false,
    },
    userProperties: [],
    ...(x.linkedService !== undefined && {
      linkedServiceName: { referenceName: x.linkedService, type: "LinkedServiceReference" },
    }),
    ...(x.inputs !== undefined && { inputs: x.inputs }),
    ...(x.outputs !== undefined && { outputs: x.outputs }),
    typeProperties,
  };
}

/** A control activity (no retry policy exists for these): ForEach, Switch, ExecutePipeline, Fail. */
export function controlActivity<T extends Adf.ControlActivityUnion>(
  type: T["type"],
  name: string,
  description: string,
  dependsOn: Adf.ActivityDependency[],
  typeProperties: { readonly [key: string]: unknown },
): ActivityBody {
  return { name, type, description, dependsOn, userProperties: [], typeProperties };
}

export const datasetRef = (name: string, parameters?: Record<string, unknown>): Adf.DatasetReference => ({
  referenceName: name,
  type: "DatasetReference",
  ...(parameters && { parameters }),
});

/** A value Data Factory evaluates (`{ value, type: "Expression" }`). */
export const expression = (value: string) => ({ value, type: "Expression" as const });
