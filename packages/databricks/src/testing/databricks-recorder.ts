import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  readonly method: string;
  /** Path with query, as sent. */
  readonly path: string;
  readonly authorization: string | undefined;
  readonly workspaceResourceId: string | undefined;
  readonly body: unknown;
}

interface WorkspaceObject {
  readonly type: "DIRECTORY" | "NOTEBOOK";
  readonly language?: string;
  readonly content?: string;
}

interface Run {
  readonly jobId: number;
  readonly parameters: Record<string, string>;
  polls: number;
}

const error = (status: number, error_code: string, message: string) => ({
  status,
  body: { error_code, message },
});

/**
 * A Databricks workspace on 127.0.0.1 that answers the REST calls the deploy makes as the real
 * API does (workspace mkdirs / import / export, jobs list / create / reset / run-now, runs get),
 * keeps what was written, and records every request.
 */
export class DatabricksRecorder {
  readonly requests: RecordedRequest[] = [];
  readonly workspace = new Map<string, WorkspaceObject>([["/", { type: "DIRECTORY" }]]);
  readonly jobs = new Map<number, Record<string, unknown>>();
  readonly runs = new Map<number, Run>();
  /** Task keys whose run ends FAILED. */
  failingTasks = new Set<string>();
  private nextId = 1000;
  /** Answers a request instead of the API when it returns a reply (failures, throttling). */
  onRequest: ((r: RecordedRequest) => { status: number; body: unknown } | undefined) | undefined;
  private server: Server | undefined;
  url = "";

  private readonly token: string;

  constructor(token: string) {
    this.token = token;
  }

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const body = await read(req);
      const r: RecordedRequest = {
        method: req.method ?? "",
        path: req.url ?? "/",
        authorization: req.headers.authorization,
        workspaceResourceId: req.headers["x-databricks-azure-workspace-resource-id"] as string | undefined,
        body,
      };
      this.requests.push(r);
      const answer = this.answer(r);
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** `METHOD /path?query` of the requests, in order. */
  lines(): string[] {
    return this.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
  }

  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== "GET");
  }

  clear(): void {
    this.requests.length = 0;
  }

  /** Forgets the workspace, jobs, runs and requests: an empty workspace again. */
  reset(): void {
    this.clear();
    this.workspace.clear();
    this.workspace.set("/", { type: "DIRECTORY" });
    this.jobs.clear();
    this.runs.clear();
    this.failingTasks = new Set();
    this.onRequest = undefined;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private answer(r: RecordedRequest): { status: number; body: unknown } {
    if (r.authorization !== `Bearer ${this.token}`)
      return error(401, "UNAUTHENTICATED", "Invalid access token.");
    const url = new URL(r.path, "http://127.0.0.1");
    const injected = this.onRequest?.(r);
    if (injected) return injected;
    const b = (r.body ?? {}) as Record<string, unknown>;
    const route = `${r.method} ${url.pathname}`;
    switch (route) {
      case "POST /api/2.0/workspace/mkdirs": {
        const parts = String(b.path).split("/").filter(Boolean);
        for (let i = 1; i <= parts.length; i++) {
          const p = `/${parts.slice(0, i).join("/")}`;
          const o = this.workspace.get(p);
          if (o?.type === "NOTEBOOK") return error(400, "RESOURCE_ALREADY_EXISTS", `${p} is a notebook`);
          if (!o) this.workspace.set(p, { type: "DIRECTORY" });
        }
        return { status: 200, body: {} };
      }
      case "POST /api/2.0/workspace/import": {
        const path = String(b.path);
        const parent = path.slice(0, path.lastIndexOf("/")) || "/";
        if (b.format !== "SOURCE" || !["PYTHON", "SQL", "SCALA", "R"].includes(String(b.language)))
          return error(400, "INVALID_PARAMETER_VALUE", "format SOURCE needs a language");
        if (this.workspace.get(parent)?.type !== "DIRECTORY")
          return error(404, "RESOURCE_DOES_NOT_EXIST", `The parent folder (${parent}) does not exist.`);
        if (this.workspace.has(path) && b.overwrite !== true)
          return error(400, "RESOURCE_ALREADY_EXISTS", `${path} already exists.`);
        this.workspace.set(path, {
          type: "NOTEBOOK",
          language: String(b.language),
          content: String(b.content),
        });
        return { status: 200, body: {} };
      }
      case "GET /api/2.0/workspace/export": {
        const o = this.workspace.get(url.searchParams.get("path") ?? "");
        if (!o)
          return error(
            404,
            "RESOURCE_DOES_NOT_EXIST",
            `Path (${url.searchParams.get("path")}) doesn't exist.`,
          );
        if (o.type !== "NOTEBOOK")
          return error(400, "INVALID_PARAMETER_VALUE", "a directory cannot be exported");
        return { status: 200, body: { content: o.content, file_type: "py" } };
      }
      case "GET /api/2.1/jobs/list": {
        const name = url.searchParams.get("name");
        const jobs = [...this.jobs.entries()]
          .filter(([, s]) => name === null || s.name === name)
          .map(([job_id, settings]) => ({ job_id, settings: { name: settings.name, tags: settings.tags } }));
        return { status: 200, body: jobs.length ? { jobs, has_more: false } : { has_more: false } };
      }
      case "POST /api/2.1/jobs/create": {
        const id = this.nextId++;
        this.jobs.set(id, b);
        return { status: 200, body: { job_id: id } };
      }
      case "POST /api/2.1/jobs/reset": {
        const id = Number(b.job_id);
        if (!this.jobs.has(id)) return error(404, "RESOURCE_DOES_NOT_EXIST", `Job ${id} does not exist.`);
        this.jobs.set(id, b.new_settings as Record<string, unknown>);
        return { status: 200, body: {} };
      }
      case "POST /api/2.1/jobs/run-now": {
        const id = Number(b.job_id);
        if (!this.jobs.has(id)) return error(404, "RESOURCE_DOES_NOT_EXIST", `Job ${id} does not exist.`);
        const runId = this.nextId++;
        this.runs.set(runId, {
          jobId: id,
          parameters: (b.job_parameters ?? {}) as Record<string, string>,
          polls: 0,
        });
        return { status: 200, body: { run_id: runId, number_in_job: runId } };
      }
      case "GET /api/2.1/jobs/runs/get": {
        const runId = Number(url.searchParams.get("run_id"));
        const run = this.runs.get(runId);
        if (!run) return error(404, "RESOURCE_DOES_NOT_EXIST", `Run ${runId} does not exist.`);
        run.polls++;
        const tasks = (this.jobs.get(run.jobId)!.tasks as { task_key: string }[]).map((t) => t.task_key);
        // First poll: running; then ended, each task failing or succeeding as scripted.
        if (run.polls === 1)
          return {
            status: 200,
            body: {
              run_id: runId,
              state: { life_cycle_state: "RUNNING" },
              tasks: tasks.map((task_key, i) => ({
                task_key,
                state: { life_cycle_state: i === 0 ? "RUNNING" : "PENDING" },
              })),
            },
          };
        const failed = tasks.some((t) => this.failingTasks.has(t));
        return {
          status: 200,
          body: {
            run_id: runId,
            state: { life_cycle_state: "TERMINATED", result_state: failed ? "FAILED" : "SUCCESS" },
            tasks: tasks.map((task_key) => ({
              task_key,
              state: {
                life_cycle_state: "TERMINATED",
                result_state: this.failingTasks.has(task_key) ? "FAILED" : "SUCCESS",
                ...(this.failingTasks.has(task_key) && { state_message: "Workload failed" }),
              },
            })),
          },
        };
      }
      default:
        return error(404, "ENDPOINT_NOT_FOUND", `No API found for '${route}'`);
    }
  }
}

async function read(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : undefined;
}
