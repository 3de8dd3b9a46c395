import { controlDbGrantSql, controlDbSql, type FactoryOptions } from "@saleslake/adf-templates";
import type { DeployStep } from "./deploy-step.ts";
import type { SqlConnect } from "./sql/sql-target.ts";
import { buildStep } from "./steps/build-step.ts";
import { controlDbStep } from "./steps/control-db-step.ts";
import { databricksStep } from "./steps/databricks-step.ts";
import { factoryStep, projectOptions } from "./steps/factory-step.ts";
import { infraStep } from "./steps/infra-step.ts";
import { synapseViewsStep } from "./steps/synapse-views-step.ts";
import { triggersStep } from "./steps/triggers-step.ts";

export interface DefaultStepsOptions {
  /** The infra folder. Default: this package's. */
  readonly infraDir?: string;
  /** Compiled ARM template for the SDK path. Default `<infraDir>/dist/arm/main.json`. */
  readonly templateFile?: string;
  /** Deploy the Bicep with the Azure CLI when `az` is on PATH. Default `true`. */
  readonly useAzureCli?: boolean;
  /** How the SQL steps reach their databases. Default: tedious with a Microsoft Entra token. */
  readonly connect?: SqlConnect;
  /** Environment the parameter files read. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** The Databricks notebooks-and-jobs step. Default: `databricksStep()` over @saleslake/databricks' `deployJobs`. */
  readonly databricks?: DeployStep;
  /** The Data Factory artifacts step. Default: `factoryStep()` over @saleslake/adf-templates' deploy. */
  readonly factory?: DeployStep;
  /**
   * The project's entities, each with its star when it has one: the Synapse views, the
   * Databricks jobs and the factory are generated for these. Default: the bundled sales domain.
   */
  readonly entities?: FactoryOptions["entities"];
}

/** The steps of `pnpm turbo deploy`, in order. */
export function defaultSteps(o: DefaultStepsOptions = {}): DeployStep[] {
  const sql = o.connect === undefined ? {} : { connect: o.connect };
  const project = projectOptions(o.env ?? process.env, o.entities);
  const stars = o.entities?.flatMap((e) => (e.star ? [e.star] : []));
  return [
    buildStep({ ...(o.infraDir !== undefined && { infraDir: o.infraDir }) }),
    infraStep({
      ...(o.infraDir !== undefined && { infraDir: o.infraDir }),
      ...(o.templateFile !== undefined && { templateFile: o.templateFile }),
      ...(o.useAzureCli !== undefined && { useAzureCli: o.useAzureCli }),
      ...(o.env !== undefined && { env: o.env }),
    }),
    controlDbStep((factory) => `${controlDbSql()}\nGO\n${controlDbGrantSql(factory)}`, sql),
    synapseViewsStep({ ...sql, ...(stars !== undefined && { stars }) }),
    o.databricks ?? databricksStep(project),
    o.factory ?? factoryStep(project),
    triggersStep(),
  ];
}
