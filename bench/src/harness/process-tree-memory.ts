import { readdirSync, readFileSync } from "node:fs";

/** A `kB` field of /proc/<pid>/status (`VmRSS`, `VmHWM`), in kB; `undefined` when absent. */
export function statusFieldKb(status: string, field: "VmRSS" | "VmHWM"): number | undefined {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
  return m ? Number(m[1]) : undefined;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined; // the process exited between listing and reading
  }
}

/** The pid and all its live descendants (children of every thread, recursively). */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.pop()!;
    out.push(p);
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      for (const c of (read(`/proc/${p}/task/${t}/children`) ?? "").split(" ")) {
        if (c.trim()) queue.push(Number(c));
      }
    }
  }
  return out;
}

/** Resident memory of a process tree now, in kB (shared pages counted once per process). */
export function treeRssKb(pid: number): number {
  let sum = 0;
  for (const p of processTree(pid)) sum += statusFieldKb(read(`/proc/${p}/status`) ?? "", "VmRSS") ?? 0;
  return sum;
}

/**
 * Samples a process tree's resident memory until stopped and keeps the peak: a contender's
 * work may happen in grandchildren (Python, a JVM) that its own VmHWM does not see.
 */
export class TreePeakSampler {
  private peakKb = 0;
  private readonly timer: NodeJS.Timeout;

  /** `intervalMs`: sampling period. Default `100`. */
  constructor(pid: number, intervalMs = 100) {
    const sample = () => {
      this.peakKb = Math.max(this.peakKb, treeRssKb(pid));
    };
    sample();
    this.timer = setInterval(sample, intervalMs);
  }

  /** Stops sampling; the peak in MB. */
  stop(): number {
    clearInterval(this.timer);
    return this.peakKb / 1024;
  }
}
