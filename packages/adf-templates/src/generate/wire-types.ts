import type * as Adf from "@azure/arm-datafactory";

/**
 * Wire-format bodies typed from the SDK's models. The SDK flattens `typeProperties` into its
 * models; the REST API (and git integration, and ARM templates) nest them. These types put the
 * model's own fields back under `typeProperties`, so a misspelt field does not compile.
 */

/** A model's declared fields, without the catch-all index signature the SDK adds. */
export type Known<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

/** The fields of model `T` that live under `typeProperties` on the wire. */
export type TypePropertiesOf<T, Base> = Partial<Omit<Known<T>, keyof Known<Base>>>;

export interface LinkedServiceBody {
  readonly name: string;
  readonly properties: Omit<Known<Adf.LinkedService>, "type"> & {
    readonly type: Adf.LinkedService["type"];
    readonly typeProperties: { readonly [key: string]: unknown };
  };
}

export interface DatasetBody {
  readonly name: string;
  readonly properties: Omit<Known<Adf.Dataset>, "type"> & {
    readonly type: Adf.Dataset["type"];
    readonly typeProperties: { readonly [key: string]: unknown };
  };
}

/** An activity on the wire; container activities hold wire activities under `typeProperties`. */
export interface ActivityBody {
  readonly name: string;
  readonly type: Adf.Activity["type"];
  readonly description?: string;
  readonly dependsOn?: Adf.ActivityDependency[];
  readonly policy?: Adf.ActivityPolicy;
  readonly linkedServiceName?: Adf.LinkedServiceReference;
  readonly inputs?: Adf.DatasetReference[];
  readonly outputs?: Adf.DatasetReference[];
  readonly userProperties?: Adf.UserProperty[];
  readonly typeProperties: { readonly [key: string]: unknown };
}

export interface PipelineBody {
  readonly name: string;
  readonly properties: Omit<Known<Adf.PipelineResource>, "name" | "id" | "type" | "etag" | "activities"> & {
    readonly activities: ActivityBody[];
  };
}

export interface TriggerBody {
  readonly name: string;
  readonly properties: Omit<Known<Adf.Trigger>, "type" | "runtimeState"> & {
    readonly type: Adf.Trigger["type"];
    readonly pipeline?: Adf.TriggerPipelineReference;
    readonly pipelines?: Adf.TriggerPipelineReference[];
    readonly typeProperties: { readonly [key: string]: unknown };
  };
}
