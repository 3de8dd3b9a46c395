import type { ActivityRun, DataFactoryManagementClient, PipelineRun } from "@azure/arm-datafactory";
import { AdfError } from "../errors.ts";
import type { FactoryTarget } from "./factory-rest.ts";
import { describeRestError } from "./rest-error.ts";

const TERMINAL = new Set(["Succeeded", "Failed", "Cancelled"]);

/** Starts a pipeline run with parameters; returns its run id. */
export async function startPipelineRun(
  client: DataFactoryManagementClient,
  target: FactoryTarget,
  pipelineName: string,
  parameters: Record<string, unknown> = {},
): Promise<string> {
  try {
    const { runId } = await client.pipelines.createRun(
      target.resourceGroup,
      target.factoryName,
      pipelineName,
      { parameters },
    );
    return runId;
  } catch (e) {
    // The SDK's error carries the request (with its Authorization header): keep only status and message.
    throw new AdfError(
      "RUN_FAILED",
      `could not start ${pipelineName}: ${describeRestError(e)}`,
      "Check that the pipeline is deployed and its parameters are declared.",
    );
  }
}

export interface FollowOptions {
  /** Time between status checks. Default 15 s. */
  readonly pollIntervalMs?: number;
  /** Give up after this long (the run goes on). Default 6 h. */
  readonly timeoutMs?: number;
  /** Called on every status change. */
  readonly onStatus?: (run: PipelineRun) => void;
}

/** Polls a run until it succeeds, fails or is cancelled; returns the final run (it does not throw on Failed). */
export async function followPipelineRun(
  client: DataFactoryManagementClient,
  target: FactoryTarget,
  runId: string,
  options: FollowOptions = {},
): Promise<PipelineRun> {
  const interval = options.pollIntervalMs ?? 15_000;
  const deadline = Date.now() + (options.timeoutMs ?? 6 * 3600_000);
  let last: string | undefined;
  for (;;) {
    const run = await client.pipelineRuns.get(target.resourceGroup, target.factoryName, runId);
    if (run.status !== last) {
      last = run.status;
      options.onStatus?.(run);
    }
    if (run.status && TERMINAL.has(run.status)) return run;
    if (Date.now() + interval > deadline)
      throw new AdfError(
        "RUN_TIMEOUT",
        `run ${runId} is still ${run.status} after the follow timeout`,
        "The run goes on in the factory; follow it again or raise timeoutMs.",
      );
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** One activity run with what it moved and why it failed. */
export interface ActivityRunSummary {
  readonly name: string;
  readonly type: string;
  readonly status: string;
  readonly start?: string;
  readonly end?: string;
  readonly durationMs?: number;
  /** Copy: rows read and written; notebooks: the counts in their exit JSON. */
  readonly rowsRead?: number;
  readonly rowsWritten?: number;
  readonly rowsQuarantined?: number;
  readonly error?: { readonly code: string; readonly message: string };
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

function summarize(a: ActivityRun): ActivityRunSummary {
  const output = (a.output ?? {}) as Record<string, unknown>;
  let rowsRead = num(output.rowsRead);
  let rowsWritten = num(output.rowsCopied);
  let rowsQuarantined: number | undefined;
  if (typeof output.runOutput === "string") {
    // A notebook's exit value: the contract's counts JSON.
    try {
      const counts = JSON.parse(output.runOutput) as Record<string, unknown>;
      rowsRead = num(counts.rows_read);
      const written = [counts.rows_inserted, counts.rows_updated].map(num).filter((n) => n !== undefined);
      rowsWritten = written.length > 0 ? written.reduce((s, n) => s + n, 0) : num(counts.rows_accepted);
      rowsQuarantined = num(counts.rows_quarantined);
    } catch {
      // Not JSON: leave the counts unknown.
    }
  }
  const err = a.error as { errorCode?: string; message?: string } | undefined;
  return {
    name: a.activityName ?? "",
    type: a.activityType ?? "",
    status: a.status ?? "",
    ...(a.activityRunStart && { start: new Date(a.activityRunStart).toISOString() }),
    ...(a.activityRunEnd && { end: new Date(a.activityRunEnd).toISOString() }),
    ...(a.durationInMs !== undefined && { durationMs: a.durationInMs }),
    ...(rowsRead !== undefined && { rowsRead }),
    ...(rowsWritten !== undefined && { rowsWritten }),
    ...(rowsQuarantined !== undefined && { rowsQuarantined }),
    ...(err &&
      (err.message || err.errorCode) && { error: { code: err.errorCode ?? "", message: err.message ?? "" } }),
  };
}

/** The activity runs of a pipeline run (all pages), in start order, with row counts and errors. */
export async function listActivityRuns(
  client: DataFactoryManagementClient,
  target: FactoryTarget,
  runId: string,
): Promise<ActivityRunSummary[]> {
  const runs: ActivityRun[] = [];
  const filter = {
    lastUpdatedAfter: new Date(Date.now() - 45 * 24 * 3600_000),
    lastUpdatedBefore: new Date(Date.now() + 24 * 3600_000),
  };
  let token: string | undefined;
  // Bounded: pages of up to 100 activity runs.
  for (let page = 0; page < 100; page++) {
    const res = await client.activityRuns.queryByPipelineRun(
      target.resourceGroup,
      target.factoryName,
      runId,
      {
        ...filter,
        ...(token !== undefined && { continuationToken: token }),
      },
    );
    runs.push(...res.value);
    token = res.continuationToken;
    if (!token) break;
  }
  return runs.map(summarize).sort((a, b) => (a.start ?? "").localeCompare(b.start ?? ""));
}
