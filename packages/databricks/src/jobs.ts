import { buildPlan, DEFAULT_DATABRICKS_RUNTIME } from "@saleslake/pipeline";
import type { Entity, Star } from "@saleslake/schema";
import {
  COMMIT_STEP,
  commitNotebook,
  DEFAULT_NOTEBOOK_ROOT,
  generateNotebooks,
  MAINTENANCE_STEP,
  maintenanceNotebook,
  NOTEBOOK_PARAMS,
  type Notebook,
} from "./notebooks.ts";

/** The subset of the Jobs API 2.1 `JobSettings` saleslake writes (wire format, snake_case). */
export interface JobSettings {
  readonly name: string;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly max_concurrent_runs: number;
  readonly timeout_seconds: number;
  readonly queue: { readonly enabled: boolean };
  readonly parameters: readonly { readonly name: string; readonly default: string }[];
  readonly job_clusters: readonly {
    readonly job_cluster_key: string;
    readonly new_cluster: {
      readonly spark_version: string;
      readonly node_type_id: string;
      readonly num_workers: number;
      readonly data_security_mode: string;
      readonly spark_conf: Readonly<Record<string, string>>;
    };
  }[];
  readonly tasks: readonly JobTask[];
}

export interface JobTask {
  readonly task_key: string;
  readonly description: string;
  readonly depends_on: readonly { readonly task_key: string }[];
  readonly job_cluster_key: string;
  readonly notebook_task: {
    readonly notebook_path: string;
    readonly source: "WORKSPACE";
    readonly base_parameters?: Readonly<Record<string, string>>;
  };
  readonly max_retries: number;
  readonly min_retry_interval_millis: number;
  readonly retry_on_timeout: boolean;
  readonly timeout_seconds: number;
}

export interface JobOptions {
  /** Job name, unique in the workspace (the deploy finds the job by it). Default `saleslake-<entity>`. */
  readonly name?: string;
  /** Workspace folder of the notebooks. Default `/Workspace/saleslake`. */
  readonly root?: string;
  /** Unity Catalog catalog of the tables. Default `main`. */
  readonly catalog?: string;
  /** The lake the bronze notebook reads landed batches from (`abfss://…`). Default: empty, given per run. */
  readonly lakeRoot?: string;
  /** Job cluster. Default 17.3 LTS (Spark 4.0, as the notebooks are tested on), 2 × Standard_D4ds_v5. */
  readonly cluster?: { readonly sparkVersion: string; readonly nodeType: string; readonly workers: number };
  /** Retries of every task. Default 2 retries, 60 s apart. */
  readonly retry?: { readonly maxRetries: number; readonly minRetryIntervalMillis: number };
  /** Timeout of each task. Default 7200 s. */
  readonly taskTimeoutSeconds?: number;
  /** Timeout of the whole run. Default 21600 s. */
  readonly jobTimeoutSeconds?: number;
  /** Add the OPTIMIZE / VACUUM task after the commit. Default `true`. */
  readonly maintenance?: boolean;
  /** Hours VACUUM keeps. Default `168`. */
  readonly vacuumRetainHours?: number;
  /** Files of a batch of up to this many rows are read together by the bronze notebook (Parquet files when their schemas agree). Default `100000`. */
  readonly groupRows?: number;
}

/** A job and the notebooks its tasks run: what the deploy writes. */
export interface JobDefinition {
  readonly settings: JobSettings;
  readonly notebooks: readonly Notebook[];
}

export const DEFAULT_CLUSTER = {
  sparkVersion: DEFAULT_DATABRICKS_RUNTIME,
  nodeType: "Standard_D4ds_v5",
  workers: 2,
};
const CLUSTER_KEY = "saleslake";

function positive(name: string, n: number, min = 0): number {
  if (!Number.isInteger(n) || n < min)
    throw new Error(`job option ${name} must be an integer ≥ ${min}, got ${n}`);
  return n;
}

/**
 * The Jobs API 2.1 job of one entity: bronze → silver → every dimension in parallel → fact →
 * aggregate → commit (ledger, then watermark) → maintenance. One run at a time, so batches never
 * interleave; job parameters reach every notebook task as widgets, and `run_id` is the job run's
 * id, which task retries and repair runs keep (the notebooks' retry guard relies on that).
 */
export function jobDefinition(entity: Entity, star?: Star, o: JobOptions = {}): JobDefinition {
  const root = o.root ?? DEFAULT_NOTEBOOK_ROOT;
  const catalog = o.catalog ?? "main";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(catalog))
    throw new Error(`job option catalog: not a catalog name: ${catalog}`);
  const cluster = o.cluster ?? DEFAULT_CLUSTER;
  positive("cluster.workers", cluster.workers);
  const retry = o.retry ?? { maxRetries: 2, minRetryIntervalMillis: 60_000 };
  positive("retry.maxRetries", retry.maxRetries);
  positive("retry.minRetryIntervalMillis", retry.minRetryIntervalMillis);
  const taskTimeout = positive("taskTimeoutSeconds", o.taskTimeoutSeconds ?? 7200, 1);
  const jobTimeout = positive("jobTimeoutSeconds", o.jobTimeoutSeconds ?? 21_600, 1);
  const maintenance = o.maintenance ?? true;

  const plan = buildPlan(entity, star);
  const notebooks = [
    ...generateNotebooks(entity, star, {
      root,
      ...(o.groupRows !== undefined && { groupRows: o.groupRows }),
    }),
    commitNotebook(entity, { root }),
  ];
  if (maintenance) notebooks.push(maintenanceNotebook(entity, star, { root }));
  const dependedOn = new Set(plan.steps.flatMap((s) => s.dependsOn));
  const leaves = plan.steps.filter((s) => !dependedOn.has(s.id)).map((s) => s.id);
  const graph: { id: string; dependsOn: readonly string[]; what: string }[] = [
    ...plan.steps.map((s) => ({ id: s.id, dependsOn: s.dependsOn, what: `plan step ${s.id} (${s.kind})` })),
    { id: COMMIT_STEP, dependsOn: leaves, what: "run ledger, then the watermark (Delta)" },
  ];
  if (maintenance)
    graph.push({ id: MAINTENANCE_STEP, dependsOn: [COMMIT_STEP], what: "OPTIMIZE and VACUUM" });

  const tasks: JobTask[] = graph.map((g) => ({
    task_key: g.id,
    description: `${entity.name}: ${g.what}.`,
    depends_on: g.dependsOn.map((task_key) => ({ task_key })),
    job_cluster_key: CLUSTER_KEY,
    notebook_task: {
      notebook_path: `${root}/${entity.name}/${g.id}`,
      source: "WORKSPACE",
      ...(g.id === MAINTENANCE_STEP && {
        base_parameters: {
          vacuum_retain_hours: String(positive("vacuumRetainHours", o.vacuumRetainHours ?? 168)),
        },
      }),
    },
    max_retries: retry.maxRetries,
    min_retry_interval_millis: retry.minRetryIntervalMillis,
    retry_on_timeout: false,
    timeout_seconds: taskTimeout,
  }));
  const defaults: Record<(typeof NOTEBOOK_PARAMS)[number], string> = {
    run_id: "{{job.run_id}}",
    batch_id: "",
    window_low: "",
    window_high: "",
    catalog,
    lake_root: o.lakeRoot ?? "",
    full_refresh: "false",
  };
  return {
    notebooks,
    settings: {
      name: o.name ?? `saleslake-${entity.name}`,
      description: `saleslake: loads one landed batch of ${entity.name} (job parameter batch_id) from bronze to gold, then records it and advances the watermark. Generated; redeploy instead of editing.`,
      tags: { saleslake: "true", saleslake_entity: entity.name },
      max_concurrent_runs: 1,
      timeout_seconds: jobTimeout,
      queue: { enabled: true },
      parameters: NOTEBOOK_PARAMS.map((name) => ({ name, default: defaults[name] })),
      job_clusters: [
        {
          job_cluster_key: CLUSTER_KEY,
          new_cluster: {
            spark_version: cluster.sparkVersion,
            node_type_id: cluster.nodeType,
            num_workers: cluster.workers,
            data_security_mode: "SINGLE_USER",
            spark_conf: { "spark.sql.session.timeZone": "UTC" },
          },
        },
      ],
      tasks,
    },
  };
}
