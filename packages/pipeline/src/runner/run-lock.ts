import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { PipelineError } from "../errors.ts";

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly runId: string;
  readonly startedAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Who holds the run lock at `path`: undefined when none does, or it is half-written. */
function lockHolder(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LockHolder;
  } catch {
    return undefined;
  }
}

/** Whether the holder may still be running: on another host, or alive on this one. */
function running(holder: LockHolder): boolean {
  return holder.host !== hostname() || alive(holder.pid);
}

/** The run holding the lock at `path`, unless none does or its process on this host is gone. */
export function runningHolder(path: string): LockHolder | undefined {
  const holder = lockHolder(path);
  return holder && running(holder) ? holder : undefined;
}

/**
 * One run at a time per project folder: an exclusive lock file naming its holder. A lock left
 * by a process that no longer exists on this host (killed, crashed) is taken over.
 */
export function acquireRunLock(
  path: string,
  runId: string,
): { release: () => void; tookOverFrom?: LockHolder } {
  mkdirSync(dirname(path), { recursive: true });
  const me: LockHolder = { pid: process.pid, host: hostname(), runId, startedAt: new Date().toISOString() };
  let tookOverFrom: LockHolder | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      // Gone already, or another run's since: nothing to release.
      const release = () => {
        if (lockHolder(path)?.runId === runId) rmSync(path, { force: true });
      };
      return tookOverFrom ? { release, tookOverFrom } : { release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      // Unreadable: half-written by a process killed mid-write, taken as stale.
      const holder = lockHolder(path);
      if (holder && running(holder)) {
        throw new PipelineError(
          "RUN_IN_PROGRESS",
          `another run holds ${path}: run ${holder.runId}, pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}`,
          "Wait for it to finish, then run again (saleslake runs lists it once it has). If that process is gone for good on another host, delete the lock file.",
        );
      }
      if (holder) tookOverFrom = holder;
      rmSync(path, { force: true });
    }
  }
  throw new PipelineError(
    "RUN_IN_PROGRESS",
    `could not take the lock ${path}`,
    "Retry; another run started at the same moment.",
  );
}
