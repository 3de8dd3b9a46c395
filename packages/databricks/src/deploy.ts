import { createHash } from "node:crypto";
import { DatabricksError } from "./errors.ts";
import type { JobDefinition, JobSettings } from "./jobs.ts";
import { DatabricksClient, type DatabricksClientOptions, isNotFound } from "./rest/databricks-client.ts";

/** A workspace notebook to write: absolute workspace path and SOURCE-format text. */
export interface WorkspaceNotebook {
  readonly path: string;
  readonly source: string;
  /** Default `PYTHON`. */
  readonly language?: "PYTHON" | "SQL";
}

export interface DeployOptions extends DatabricksClientOptions {
  /** Reimport every notebook and reset every job, even when unchanged. Default `false`. */
  readonly force?: boolean;
  /** Progress, one line per write. Default: silent. */
  readonly log?: (line: string) => void;
}

export type DeployAction =
  | { readonly kind: "mkdirs"; readonly path: string }
  | { readonly kind: "import"; readonly path: string }
  | { readonly kind: "create"; readonly job: string; readonly jobId: number }
  | { readonly kind: "reset"; readonly job: string; readonly jobId: number };

export interface DeployResult {
  /** Writes made, in order; empty when the workspace already held exactly this. */
  readonly actions: readonly DeployAction[];
  /** Notebooks and jobs found as wanted. */
  readonly unchanged: number;
  /** Job id by job name. */
  readonly jobIds: Readonly<Record<string, number>>;
}

/** Tag holding the hash of what a job was deployed with: its settings and its notebooks. */
export const CONTENT_TAG = "saleslake_content_sha256";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** Canonical JSON: keys sorted, so the hash does not depend on property order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

/** The settings as written: with the content tag over the settings and the notebooks the tasks run. */
export function withContentTag(settings: JobSettings, notebooks: readonly WorkspaceNotebook[]): JobSettings {
  const paths = new Set(settings.tasks.map((t) => t.notebook_task.notebook_path));
  const content = notebooks
    .filter((n) => paths.has(n.path))
    .map((n) => [n.path, sha256(n.source)])
    .sort();
  const hash = sha256(canonical({ settings, content }));
  return { ...settings, tags: { ...settings.tags, [CONTENT_TAG]: hash } };
}

function checkPath(path: string): string {
  if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(path) || path.split("/").some((s) => s === "." || s === ".."))
    throw new DatabricksError(
      "INVALID_OPTIONS",
      `not a workspace path: ${path}`,
      "Use absolute paths of letters, digits, '_', '.', '-', without '.' or '..' segments (e.g. /Workspace/saleslake/car_sales/bronze).",
    );
  return path;
}

/** Same text, ignoring the trailing whitespace an export may add or drop. */
const sameSource = (a: string, b: string) => a.trimEnd() === b.trimEnd();

interface JobsListPage {
  readonly jobs?: readonly {
    readonly job_id: number;
    readonly settings?: { name?: string; tags?: Record<string, string> };
  }[];
  readonly has_more?: boolean;
  readonly next_page_token?: string;
}

/** Jobs with exactly this name (the list filter is exact, but is checked again here). */
async function jobsNamed(client: DatabricksClient, name: string) {
  const found: { job_id: number; tags: Record<string, string> }[] = [];
  let token: string | undefined;
  do {
    const page: JobsListPage = await client.get("/api/2.1/jobs/list", {
      name,
      limit: "25",
      ...(token && { page_token: token }),
    });
    for (const j of page.jobs ?? [])
      if (j.settings?.name === name) found.push({ job_id: j.job_id, tags: j.settings.tags ?? {} });
    token = page.has_more ? page.next_page_token : undefined;
  } while (token);
  return found;
}

/**
 * Deploys notebooks and jobs to an Azure Databricks workspace, writing only what differs.
 *
 * Notebooks: each is exported (`GET /api/2.0/workspace/export`, SOURCE) and compared with the
 * generated text; a missing or different one is imported (`mkdirs` of its folder first, then
 * `import` SOURCE with overwrite). Jobs: found by name (`GET /api/2.1/jobs/list`), then created,
 * or reset when the hash in their `saleslake_content_sha256` tag differs from the hash of the
 * settings and notebooks being deployed. Jobs are written after every notebook, so a deploy
 * that fails half-way leaves the old job pointing at notebooks, and the rerun finishes the work.
 * Edits made to a job in the workspace UI keep its tag and are not detected: `force` resets it.
 */
export async function deployWorkspace(
  input: { readonly notebooks: readonly WorkspaceNotebook[]; readonly jobs: readonly JobSettings[] },
  o: DeployOptions,
): Promise<DeployResult> {
  const client = new DatabricksClient(o);
  const log = o.log ?? (() => {});
  const actions: DeployAction[] = [];
  let unchanged = 0;
  const seen = new Set<string>();
  const notebooks = input.notebooks.filter((n) => {
    checkPath(n.path);
    if (seen.has(n.path)) return false;
    seen.add(n.path);
    return true;
  });

  const stale: WorkspaceNotebook[] = [];
  const existingFolders = new Set<string>();
  for (const n of notebooks) {
    const folder = n.path.slice(0, n.path.lastIndexOf("/"));
    if (o.force) {
      stale.push(n);
      continue;
    }
    try {
      const exported: { content?: string } = await client.get("/api/2.0/workspace/export", {
        path: n.path,
        format: "SOURCE",
      });
      existingFolders.add(folder);
      if (sameSource(Buffer.from(exported.content ?? "", "base64").toString("utf8"), n.source)) unchanged++;
      else stale.push(n);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      stale.push(n);
    }
  }
  for (const n of stale) {
    const folder = n.path.slice(0, n.path.lastIndexOf("/"));
    if (!existingFolders.has(folder)) {
      await client.post("/api/2.0/workspace/mkdirs", { path: folder });
      existingFolders.add(folder);
      actions.push({ kind: "mkdirs", path: folder });
      log(`mkdirs ${folder}`);
    }
    await client.post("/api/2.0/workspace/import", {
      path: n.path,
      format: "SOURCE",
      language: n.language ?? "PYTHON",
      overwrite: true,
      content: Buffer.from(n.source, "utf8").toString("base64"),
    });
    actions.push({ kind: "import", path: n.path });
    log(`import ${n.path}`);
  }

  const jobIds: Record<string, number> = {};
  for (const settings of input.jobs) {
    for (const t of settings.tasks) checkPath(t.notebook_task.notebook_path);
    const wanted = withContentTag(settings, notebooks);
    const found = await jobsNamed(client, settings.name);
    if (found.length > 1)
      throw new DatabricksError(
        "AMBIGUOUS_JOB",
        `${found.length} jobs are named ${settings.name} (${found.map((j) => j.job_id).join(", ")})`,
        "Job names identify saleslake jobs: delete or rename the extra ones, then rerun.",
      );
    const job = found[0];
    if (job === undefined) {
      const created: { job_id: number } = await client.post("/api/2.1/jobs/create", wanted);
      jobIds[settings.name] = created.job_id;
      actions.push({ kind: "create", job: settings.name, jobId: created.job_id });
      log(`create job ${settings.name} (${created.job_id})`);
    } else if (o.force || job.tags[CONTENT_TAG] !== wanted.tags[CONTENT_TAG]) {
      await client.post("/api/2.1/jobs/reset", { job_id: job.job_id, new_settings: wanted });
      jobIds[settings.name] = job.job_id;
      actions.push({ kind: "reset", job: settings.name, jobId: job.job_id });
      log(`reset job ${settings.name} (${job.job_id})`);
    } else {
      jobIds[settings.name] = job.job_id;
      unchanged++;
    }
  }
  return { actions, unchanged, jobIds };
}

/** Deploys job definitions (from `jobDefinition`) with their notebooks, plus any extra notebooks. */
export function deployJobs(
  jobs: readonly JobDefinition[],
  o: DeployOptions & { readonly extraNotebooks?: readonly WorkspaceNotebook[] },
): Promise<DeployResult> {
  return deployWorkspace(
    {
      notebooks: [...jobs.flatMap((j) => j.notebooks), ...(o.extraNotebooks ?? [])],
      jobs: jobs.map((j) => j.settings),
    },
    o,
  );
}

export interface TaskRunState {
  readonly taskKey: string;
  readonly lifeCycleState: string;
  readonly resultState?: string;
  readonly message?: string;
}

export interface RunState {
  readonly runId: number;
  readonly lifeCycleState: string;
  readonly resultState?: string;
  readonly message?: string;
  readonly tasks: readonly TaskRunState[];
}

interface RunGet {
  readonly run_id: number;
  readonly state?: { life_cycle_state?: string; result_state?: string; state_message?: string };
  readonly tasks?: readonly {
    task_key: string;
    state?: { life_cycle_state?: string; result_state?: string; state_message?: string };
  }[];
}

const TERMINAL = new Set(["TERMINATED", "SKIPPED", "INTERNAL_ERROR"]);

/** Starts a run of a job with job parameters (`POST /api/2.1/jobs/run-now`); resolves to its run id. */
export async function runNow(
  jobId: number,
  parameters: Readonly<Record<string, string>>,
  o: DatabricksClientOptions,
): Promise<number> {
  const client = new DatabricksClient(o);
  const r: { run_id: number } = await client.post("/api/2.1/jobs/run-now", {
    job_id: jobId,
    job_parameters: parameters,
  });
  return r.run_id;
}

/** A run's state and each task's (`GET /api/2.1/jobs/runs/get`). */
export async function getRun(runId: number, o: DatabricksClientOptions): Promise<RunState> {
  const client = new DatabricksClient(o);
  const r: RunGet = await client.get("/api/2.1/jobs/runs/get", { run_id: String(runId) });
  const state = (s: RunGet["state"]) => ({
    lifeCycleState: s?.life_cycle_state ?? "PENDING",
    ...(s?.result_state !== undefined && { resultState: s.result_state }),
    ...(s?.state_message && { message: s.state_message }),
  });
  return {
    runId: r.run_id,
    ...state(r.state),
    tasks: (r.tasks ?? []).map((t) => ({ taskKey: t.task_key, ...state(t.state) })),
  };
}

/**
 * Polls a run until it ends. Resolves with its final state when it succeeded; rejects with
 * `RUN_FAILED` naming the failed tasks otherwise, or `RUN_TIMEOUT`.
 */
export async function waitForRun(
  runId: number,
  o: DatabricksClientOptions & {
    /** Default 15 000 ms. */
    readonly pollMillis?: number;
    /** Default 6 h. */
    readonly timeoutMillis?: number;
    readonly onState?: (state: RunState) => void;
  },
): Promise<RunState> {
  const deadline = Date.now() + (o.timeoutMillis ?? 6 * 3600_000);
  for (;;) {
    const s = await getRun(runId, o);
    o.onState?.(s);
    if (TERMINAL.has(s.lifeCycleState)) {
      if (s.resultState === "SUCCESS") return s;
      const failed = s.tasks.filter((t) => t.resultState !== undefined && t.resultState !== "SUCCESS");
      throw new DatabricksError(
        "RUN_FAILED",
        `run ${runId} ended ${s.resultState ?? s.lifeCycleState}${failed.length ? `: ${failed.map((t) => `${t.taskKey} ${t.resultState}${t.message ? ` (${t.message})` : ""}`).join(", ")}` : ""}`,
        "Repair the run from the Databricks UI or rerun the job: every task is idempotent for its batch.",
      );
    }
    if (Date.now() > deadline)
      throw new DatabricksError(
        "RUN_TIMEOUT",
        `run ${runId} still ${s.lifeCycleState}`,
        "Follow it in the workspace.",
      );
    await new Promise((r) => setTimeout(r, o.pollMillis ?? 15_000));
  }
}
