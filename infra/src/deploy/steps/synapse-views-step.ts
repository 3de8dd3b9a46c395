import { type Star, salesStars } from "@saleslake/schema";
import { synapseSetupBatches, synapseViewsSql } from "../../synapse/synapse-views.ts";
import type { DeployStep } from "../deploy-step.ts";
import { connectTedious } from "../sql/tedious-sql-target.ts";
import { applyOnce, openControlDb, requireOutput, type SqlStepOptions } from "./control-db-step.ts";

/**
 * Serverless SQL views over the gold tables, when the environment has Synapse (output
 * `synapseServerlessEndpoint` not empty). Serverless SQL has no tables of its own, so what was
 * applied is remembered in the control database.
 */
export function synapseViewsStep(
  options: SqlStepOptions & { readonly stars?: readonly Star[] } = {},
): DeployStep {
  const stars = options.stars ?? salesStars;
  return {
    id: "synapse-views",
    title: "Synapse serverless views over the gold tables",
    plan: (t) => [
      t.env === "dev"
        ? "only where the environment deploys Synapse (dev does not by default)"
        : "database saleslake, gold data source through the workspace identity, one view per gold table",
    ],
    run: async (ctx) => {
      const endpoint = ctx.outputs.get("synapseServerlessEndpoint") ?? "";
      if (endpoint === "")
        return { changed: 0, unchanged: 0, detail: ["no Synapse workspace in this environment"] };
      const lake = requireOutput(ctx, "lakeDfsEndpoint").replace(/\/$/, "");
      const script = [...synapseSetupBatches(`${lake}/gold`), synapseViewsSql(stars)].join("\nGO\n");
      const connect = options.connect ?? connectTedious;
      const control = await openControlDb(ctx, connect);
      const synapse = await connect(endpoint, "master", ctx.credential);
      try {
        return await applyOnce(
          {
            execute: (b) => synapse.execute(b),
            appliedHash: (n) => control.appliedHash(n),
            recordHash: (n, h) => control.recordHash(n, h),
            close: async () => {},
          },
          "synapse-views",
          script,
        );
      } finally {
        await synapse.close();
        await control.close();
      }
    },
  };
}
