import {
  type ArmRecorder,
  type ArmReply,
  type ArmRoute,
  armError,
  type RecordedRequest,
} from "./arm-recorder.ts";

/** What a scripted pipeline run goes through: statuses returned by successive GETs, then its activity runs. */
export interface ScriptedRun {
  /** Statuses of successive `pipelineruns/{id}` GETs; the last one repeats. Default `["Succeeded"]`. */
  readonly statuses?: readonly string[];
  readonly message?: string;
  /** Activity runs as the REST API returns them (`activityName`, `status`, `output`, `error`, …). */
  readonly activityRuns?: readonly Record<string, unknown>[];
}

interface RunState {
  readonly runId: string;
  readonly pipelineName: string;
  readonly parameters: unknown;
  readonly script: ScriptedRun;
  polls: number;
  cancelled: boolean;
}

const FACTORY =
  /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.DataFactory\/factories\/[^/]+)/i;

/**
 * Data Factory's behaviour on top of the recorder: triggers are created stopped, cannot be
 * changed or deleted while started, and start/stop by POST; pipeline runs are created, polled
 * through scripted statuses, and list scripted activity runs.
 */
export class DataFactoryFake {
  readonly runs = new Map<string, RunState>();
  private readonly scripts = new Map<string, ScriptedRun[]>();
  private runCount = 0;

  /** The next run of `pipelineName` behaves as `script` (queue several for several runs). */
  scriptRun(pipelineName: string, script: ScriptedRun): void {
    const list = this.scripts.get(pipelineName) ?? [];
    list.push(script);
    this.scripts.set(pipelineName, list);
  }

  /** The route to pass to the recorder (`routes: [fake.route]`). */
  readonly route: ArmRoute = (r, rec) => this.answer(r, rec);

  private answer(r: RecordedRequest, rec: ArmRecorder): ArmReply | undefined {
    const factory = FACTORY.exec(r.path)?.[1];
    if (!factory) return undefined;
    const rest = r.path.slice(factory.length).split("/").filter(Boolean);
    const [collection, name, rawAction] = rest;
    const c = collection?.toLowerCase();
    const action = rawAction?.toLowerCase();
    if (c === "triggers" && name) {
      const stored = rec.get(`${factory}/triggers/${name}`);
      const state = (stored?.properties as { runtimeState?: string } | undefined)?.runtimeState;
      if (r.method === "POST" && (action === "start" || action === "stop")) {
        if (!stored) return armError(404, "TriggerNotFound", `trigger ${name} not found`);
        (stored.properties as Record<string, unknown>).runtimeState =
          action === "start" ? "Started" : "Stopped";
        return { status: 200 };
      }
      if ((r.method === "PUT" || r.method === "DELETE") && !action && state === "Started")
        return armError(
          400,
          "TriggerEnabledCannotUpdate",
          `Cannot update or delete trigger ${name} while it is started; stop it first`,
        );
      if (r.method === "PUT" && !action) {
        const body = structuredClone(r.body) as { properties: Record<string, unknown> };
        body.properties.runtimeState = state ?? "Stopped";
        return { status: stored ? 200 : 201, body: rec.put(`${factory}/triggers/${name}`, body) };
      }
    }
    if (c === "pipelines" && name && action === "createrun" && r.method === "POST") {
      if (!rec.get(`${factory}/pipelines/${name}`))
        return armError(404, "PipelineNotFound", `pipeline ${name} not found`);
      const script = this.scripts.get(name)?.shift() ?? {};
      const runId = `00000000-0000-4000-8000-${String(++this.runCount).padStart(12, "0")}`;
      this.runs.set(runId, {
        runId,
        pipelineName: name,
        parameters: r.body,
        script,
        polls: 0,
        cancelled: false,
      });
      return { status: 200, body: { runId } };
    }
    if (c === "pipelineruns" && name) {
      const run = this.runs.get(name);
      if (!run) return armError(404, "PipelineRunNotFound", `pipeline run ${name} not found`);
      if (r.method === "GET" && !action) {
        const statuses = run.script.statuses ?? ["Succeeded"];
        const status = run.cancelled ? "Cancelled" : statuses[Math.min(run.polls, statuses.length - 1)]!;
        run.polls++;
        return {
          status: 200,
          body: {
            runId: run.runId,
            pipelineName: run.pipelineName,
            parameters: run.parameters ?? {},
            status,
            message: run.script.message ?? "",
            runStart: "2026-01-01T00:00:00Z",
            ...(["Succeeded", "Failed", "Cancelled"].includes(status) && {
              runEnd: "2026-01-01T00:10:00Z",
              durationInMs: 600000,
            }),
          },
        };
      }
      if (r.method === "POST" && action === "queryactivityruns")
        return { status: 200, body: { value: run.script.activityRuns ?? [] } };
      if (r.method === "POST" && action === "cancel") {
        run.cancelled = true;
        return { status: 200 };
      }
    }
    return undefined;
  }
}
