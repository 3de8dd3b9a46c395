import { type ChildProcess, spawn } from "node:child_process";
import type { LandingJob } from "./landing-process.ts";

const script = new URL("./landing-process.ts", import.meta.url).pathname;

export interface LandingChild {
  readonly process: ChildProcess;
  /** Resolves when the child prints `line` on a line of its own; rejects if it exits first. */
  waitFor(line: string): Promise<void>;
  /** Exit code or signal, and everything printed. */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
  kill(): Promise<void>;
}

/** Runs a landing job (see `landing-process.ts`) in a process of its own. */
export function spawnLanding(job: LandingJob): LandingChild {
  const child = spawn(process.execPath, [script, JSON.stringify(job)], {
    cwd: new URL("..", import.meta.url).pathname,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>(
    (resolve) => child.once("close", (code, signal) => resolve({ code, signal, out, err })),
  );
  return {
    process: child,
    exit,
    waitFor: (line) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (out.split("\n").includes(line)) {
            child.stdout!.off("data", check);
            resolve();
          }
        };
        child.stdout!.on("data", check);
        check();
        void exit.then((r) =>
          reject(new Error(`the landing exited (${r.code ?? r.signal}) before "${line}":\n${r.out}${r.err}`)),
        );
      }),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exit;
    },
  };
}
