import type { DataFactoryManagementClient } from "@azure/arm-datafactory";
import { AdfError } from "../errors.ts";
import { referencedArtifacts } from "../generate/arm-template.ts";
import {
  ARTIFACT_TYPES,
  type ArtifactDocument,
  type ArtifactType,
  artifactsOf,
  type FactoryArtifacts,
} from "../lint/factory-artifacts.ts";
import { type ArtifactDiffEntry, artifactDiff } from "./artifact-diff.ts";
import { FactoryRest, type FactoryTarget } from "./factory-rest.ts";
import { describeRestError } from "./rest-error.ts";

export type DeployAction = "create" | "update" | "unchanged" | "delete" | "untouched";

export interface DeployPlanEntry {
  readonly type: ArtifactType;
  readonly name: string;
  /** `untouched`: in the factory, not deployed by us, kept because deletion was not asked for. */
  readonly action: DeployAction;
  /** For `update`: what changes, under `properties`. */
  readonly diff: readonly ArtifactDiffEntry[];
}

export interface DeployOptions {
  /** Compute and return the plan without writing anything. Default `false`. */
  readonly dryRun?: boolean;
  /** Delete artifacts the factory has that are not being deployed. Default `false`. */
  readonly deleteMissing?: boolean;
  /** Start the deployed triggers at the end. Default `true`. */
  readonly startTriggers?: boolean;
  /** Called before each write, for progress output. */
  readonly onStep?: (step: DeployStep) => void;
}

export type DeployStep =
  | { readonly kind: "stop-trigger"; readonly name: string }
  | { readonly kind: "start-trigger"; readonly name: string }
  | { readonly kind: "put"; readonly type: ArtifactType; readonly name: string }
  | { readonly kind: "delete"; readonly type: ArtifactType; readonly name: string };

export interface DeployResult {
  readonly plan: readonly DeployPlanEntry[];
  readonly dryRun: boolean;
  /** Writes issued, in order (none on a dry run, none when nothing changed). */
  readonly steps: readonly DeployStep[];
}

/** The plan: what exists is compared with what is deployed, artifact by artifact. */
async function computePlan(
  rest: FactoryRest,
  desired: FactoryArtifacts,
  deleteMissing: boolean,
): Promise<{ plan: DeployPlanEntry[]; existing: Map<string, ArtifactDocument> }> {
  const existing = new Map<string, ArtifactDocument>();
  const plan: DeployPlanEntry[] = [];
  for (const type of ARTIFACT_TYPES) {
    const have = new Map((await rest.list(type)).map((d) => [d.name.toLowerCase(), d]));
    for (const [k, d] of have) existing.set(`${type}/${k}`, d);
    const want = artifactsOf(desired, type);
    const wanted = new Set(want.map((d) => d.name.toLowerCase()));
    for (const doc of want) {
      const current = have.get(doc.name.toLowerCase());
      if (!current)
        plan.push({ type, name: doc.name, action: "create", diff: artifactDiff({}, doc.properties) });
      else {
        const diff = artifactDiff(current.properties, doc.properties);
        plan.push({ type, name: doc.name, action: diff.length > 0 ? "update" : "unchanged", diff });
      }
    }
    for (const [k, d] of have)
      if (!wanted.has(k))
        plan.push({ type, name: d.name, action: deleteMissing ? "delete" : "untouched", diff: [] });
  }
  return { plan, existing };
}

/** Artifacts of one type ordered so that each comes after those of the same type it references. */
function referenceOrder(docs: readonly ArtifactDocument[], type: ArtifactType): ArtifactDocument[] {
  const byName = new Map(docs.map((d) => [d.name, d]));
  const out: ArtifactDocument[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (d: ArtifactDocument) => {
    if (state.get(d.name)) return;
    state.set(d.name, "visiting");
    for (const r of referencedArtifacts(d.properties))
      if (r.type === type && r.name !== d.name && byName.has(r.name) && !state.get(r.name))
        visit(byName.get(r.name)!);
    state.set(d.name, "done");
    out.push(d);
  };
  docs.forEach(visit);
  return out;
}

/**
 * Idempotent deploy: stop triggers → linked services → datasets → pipelines → triggers →
 * (deletions, when asked, in reverse) → start triggers. Unchanged artifacts get no write; a
 * second deploy of the same artifacts issues none. On failure the error says where it stopped;
 * deploying again picks up from what exists.
 */
export async function deployFactory(
  client: DataFactoryManagementClient,
  target: FactoryTarget,
  artifacts: FactoryArtifacts,
  options: DeployOptions = {},
): Promise<DeployResult> {
  const rest = new FactoryRest(client, target);
  const { plan, existing } = await computePlan(rest, artifacts, options.deleteMissing ?? false);
  const dryRun = options.dryRun ?? false;
  const entry = (type: ArtifactType, name: string) => plan.find((p) => p.type === type && p.name === name)!;
  const changes = plan.filter((p) => p.action === "create" || p.action === "update" || p.action === "delete");
  const runtimeState = (name: string) =>
    (existing.get(`trigger/${name.toLowerCase()}`)?.properties as { runtimeState?: string } | undefined)
      ?.runtimeState;
  const managedTriggers = plan
    .filter((p) => p.type === "trigger" && p.action !== "untouched")
    .map((p) => p.name);
  const toStop = changes.length > 0 ? managedTriggers.filter((n) => runtimeState(n) === "Started") : [];
  const desiredTriggers = artifactsOf(artifacts, "trigger").map((d) => d.name);
  const toStart =
    (options.startTriggers ?? true)
      ? desiredTriggers.filter((n) => runtimeState(n) !== "Started" || toStop.includes(n))
      : [];

  const steps: DeployStep[] = [];
  for (const name of toStop) steps.push({ kind: "stop-trigger", name });
  for (const type of ARTIFACT_TYPES)
    for (const doc of referenceOrder(artifactsOf(artifacts, type), type)) {
      const action = entry(type, doc.name).action;
      if (action === "create" || action === "update") steps.push({ kind: "put", type, name: doc.name });
    }
  for (const type of [...ARTIFACT_TYPES].reverse())
    for (const p of plan)
      if (p.type === type && p.action === "delete") steps.push({ kind: "delete", type, name: p.name });
  for (const name of toStart) steps.push({ kind: "start-trigger", name });
  if (dryRun) return { plan, dryRun, steps: [] };

  const docs = new Map(
    ARTIFACT_TYPES.flatMap((t) => artifactsOf(artifacts, t).map((d) => [`${t}/${d.name}`, d] as const)),
  );
  const done: DeployStep[] = [];
  for (const step of steps) {
    options.onStep?.(step);
    try {
      if (step.kind === "stop-trigger")
        await client.triggers.beginStopAndWait(target.resourceGroup, target.factoryName, step.name, {
          updateIntervalInMs: 2000,
        });
      else if (step.kind === "start-trigger")
        await client.triggers.beginStartAndWait(target.resourceGroup, target.factoryName, step.name, {
          updateIntervalInMs: 2000,
        });
      else if (step.kind === "put") await rest.put(step.type, docs.get(`${step.type}/${step.name}`)!);
      else await rest.delete(step.type, step.name);
    } catch (e) {
      const what = "type" in step ? `${step.kind} ${step.type} ${step.name}` : `${step.kind} ${step.name}`;
      const stopped = toStop.filter((n) => done.some((d) => d.kind === "stop-trigger" && d.name === n));
      const reason = e instanceof AdfError ? e.message : describeRestError(e);
      throw new AdfError(
        "DEPLOY_FAILED",
        `deploy stopped at ${what} (${done.length} of ${steps.length} writes done): ${reason}`,
        `Fix the cause and deploy again: it compares with what exists and only writes what differs.${stopped.length > 0 ? ` Triggers stopped for the deploy stay stopped until then: ${stopped.join(", ")}.` : ""}`,
        // The SDK's own errors are not kept as the cause: they hold the request headers (bearer token).
        e instanceof AdfError ? { cause: e } : {},
      );
    }
    done.push(step);
  }
  return { plan, dryRun, steps: done };
}

/** A plan for people: one line per artifact, with the changed paths of updates. */
export function formatPlan(plan: readonly DeployPlanEntry[]): string {
  const lines: string[] = [];
  for (const p of plan) {
    lines.push(`${p.action.padEnd(9)} ${p.type} ${p.name}`);
    if (p.action === "update")
      for (const d of p.diff)
        lines.push(
          `  ${d.op === "add" ? "+" : d.op === "remove" ? "-" : "~"} ${d.path}${d.op === "change" ? `: ${JSON.stringify(d.before)} → ${JSON.stringify(d.after)}` : d.op === "add" ? `: ${JSON.stringify(d.after)}` : ""}`,
        );
  }
  return lines.join("\n");
}
