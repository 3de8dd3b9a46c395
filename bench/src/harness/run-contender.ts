import { spawn } from "node:child_process";
import type { ContenderOutcome } from "../contenders/contender-outcome.ts";
import { BenchError } from "./bench-error.ts";
import { TreePeakSampler } from "./process-tree-memory.ts";

export interface LaunchCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export interface Sample extends ContenderOutcome {
  /** Seconds from spawn to exit: includes process and session start. */
  readonly wallSeconds: number;
  /** Peak RSS of the contender's process tree in MB: the larger of the sampled tree and its own report. */
  readonly peakRssMb: number;
}

/** Process groups of running contenders, so an interrupted bench does not leave them behind. */
const running = new Set<number>();

/** Kills every contender still running (each its own process group). */
export function killRunningContenders(): void {
  for (const pid of running) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  running.clear();
}

/** Parses the last non-empty stdout line of a contender as its outcome. */
export function parseOutcome(stdout: string): ContenderOutcome {
  const last = stdout.trim().split("\n").at(-1) ?? "";
  let value: unknown;
  try {
    value = JSON.parse(last);
  } catch {
    throw new BenchError(
      "BAD_OUTPUT",
      `a contender printed no result line (last line: ${JSON.stringify(last.slice(0, 200))})`,
      "Its last line of output must be one JSON object with seconds and counts.",
    );
  }
  const o = value as Partial<ContenderOutcome>;
  if (typeof o.seconds !== "number" || typeof o.counts !== "object" || o.counts === null) {
    throw new BenchError(
      "BAD_OUTPUT",
      `a contender's result has no seconds or counts: ${last.slice(0, 200)}`,
      "Fix the contender's output.",
    );
  }
  return o as ContenderOutcome;
}

/**
 * Runs one contender in its own process group and waits for it. `timeoutMs` bounds the run
 * (the whole group is killed). Default: none.
 */
export async function runContender(
  launch: LaunchCommand,
  label: string,
  timeoutMs?: number,
): Promise<Sample> {
  const t0 = performance.now();
  const child = spawn(launch.command, [...launch.args], {
    env: { ...process.env, ...launch.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  running.add(child.pid!);
  const sampler = new TreePeakSampler(child.pid!);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-6000);
  });
  let timedOut = false;
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          process.kill(-child.pid!, "SIGKILL");
        }, timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  running.delete(child.pid!);
  if (timer) clearTimeout(timer);
  const sampledMb = sampler.stop();
  const wallSeconds = (performance.now() - t0) / 1000;
  if (timedOut) {
    throw new BenchError(
      "CONTENDER_TIMEOUT",
      `${label} did not finish within ${Math.round((timeoutMs ?? 0) / 1000)} s`,
      "Raise --timeout-minutes, or run smaller sizes.",
    );
  }
  if (code !== 0) {
    throw new BenchError(
      "CONTENDER_FAILED",
      `${label} exited with ${code}:\n${stderr.trim().split("\n").slice(-15).join("\n")}`,
      "Run that contender alone with --contenders to see its whole output.",
    );
  }
  const outcome = parseOutcome(stdout);
  return { ...outcome, wallSeconds, peakRssMb: Math.max(sampledMb, outcome.selfPeakMb ?? 0) };
}
