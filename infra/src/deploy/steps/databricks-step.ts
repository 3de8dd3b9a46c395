import { type FactoryOptions, generateFactory, resolveOptions } from "@saleslake/adf-templates";
import { type DeployAction, deployJobs, type JobDefinition, jobDefinition } from "@saleslake/databricks";
import type { DeployStep } from "../deploy-step.ts";
import { entityNames, type FactoryStepOptions, factoryOptionsFrom } from "./factory-step.ts";

export interface DatabricksStepOptions extends FactoryStepOptions {
  /**
   * Workspace URL the REST calls go to. Default: the infra output `databricksUrl`. Tests point
   * it at a local recorder, as `azure.endpoint` does for Resource Manager.
   */
  readonly workspaceUrl?: string;
}

const line = (a: DeployAction) =>
  a.kind === "mkdirs" || a.kind === "import" ? `${a.kind} ${a.path}` : `${a.kind} job ${a.job} (${a.jobId})`;

/**
 * One Jobs API 2.1 job per entity of the factory, with the notebooks it runs. Cluster, retries,
 * catalog, notebook folder and lake come from the same resolved options as the factory's, so the
 * two never disagree (`saleslake generate` writes these with the factory's placeholder names).
 */
export function factoryJobs(factory: FactoryOptions): JobDefinition[] {
  const r = resolveOptions(factory);
  const d = r.databricks;
  return r.entities.map(({ entity, star }) =>
    jobDefinition(entity, star, {
      root: d.notebookRoot,
      catalog: d.catalog,
      lakeRoot: r.lakeRoot,
      cluster: {
        sparkVersion: d.newCluster.version,
        nodeType: d.newCluster.nodeType,
        workers: d.newCluster.workers,
      },
      retry: { maxRetries: r.retry.count, minRetryIntervalMillis: r.retry.intervalSeconds * 1000 },
    }),
  );
}

/**
 * The notebooks and jobs of @saleslake/databricks, deployed with its idempotent `deployJobs`:
 * one job per entity (bronze → silver → dimensions → fact → commit → maintenance), the
 * notebooks they run, and the notebooks the factory's pipelines call (the batch seal). Cluster,
 * retries, catalog, notebook folder and lake come from the same resolved options as the
 * factory's, so the two never disagree. Only notebooks that differ are imported; a job is reset
 * only when its content hash changed.
 */
export function databricksStep(o: DatabricksStepOptions = {}): DeployStep {
  return {
    id: "databricks",
    title: "Databricks notebooks and job",
    plan: () => [
      `generate the notebooks and one Jobs API 2.1 job per entity: ${entityNames(o)} (@saleslake/databricks)`,
      "import only the notebooks that differ from the workspace's; create or reset only the jobs that changed",
    ],
    run: async (ctx) => {
      const factory = factoryOptionsFrom(ctx, o);
      const d = resolveOptions(factory).databricks;
      const jobs = factoryJobs(factory);
      const result = await deployJobs(jobs, {
        workspaceUrl: o.workspaceUrl ?? d.workspaceUrl,
        workspaceResourceId: d.workspaceResourceId,
        credential: ctx.credential,
        extraNotebooks: generateFactory(factory).notebooks.map((n) => ({
          path: `${d.notebookRoot}/${n.path}`,
          source: n.source,
        })),
      });
      ctx.outputs.set("databricksJobs", JSON.stringify(result.jobIds));
      return {
        changed: result.actions.length,
        unchanged: result.unchanged,
        detail: result.actions.map(line),
      };
    },
  };
}
