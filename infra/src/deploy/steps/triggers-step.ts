import { dataFactoryClient } from "../arm-clients.ts";
import type { DeployStep } from "../deploy-step.ts";
import { requireOutput } from "./control-db-step.ts";

/**
 * Starts the factory's saleslake triggers (output `factoryTriggers` of the factory step, a JSON
 * array of names) that are stopped; started ones are left alone.
 */
export function triggersStep(): DeployStep {
  return {
    id: "triggers",
    title: "start the Data Factory triggers",
    plan: () => ["start each saleslake trigger that is stopped (the window trigger, file-drop triggers)"],
    run: async (ctx) => {
      const factory = requireOutput(ctx, "dataFactory");
      const names = JSON.parse(requireOutput(ctx, "factoryTriggers", "factory")) as string[];
      const client = dataFactoryClient(ctx);
      let changed = 0;
      const detail: string[] = [];
      for (const name of names) {
        const trigger = await client.triggers.get(ctx.target.resourceGroup, factory, name);
        if (trigger.properties.runtimeState === "Started") continue;
        await client.triggers.beginStartAndWait(ctx.target.resourceGroup, factory, name);
        changed++;
        detail.push(`started ${name}`);
      }
      return { changed, unchanged: names.length - changed, detail };
    },
  };
}
