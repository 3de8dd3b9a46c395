import type { DuckDBConnection } from "@duckdb/node-api";
import { PipelineError } from "../errors.ts";

/**
 * Stops a run when its signal aborts (Ctrl-C in the CLI): between statements, and inside a
 * statement by interrupting the engine, up to the commit. The commit, and the checkpoint after
 * it, are never interrupted: a run either commits whole or rolls back whole.
 */
export class Interruption {
  private armed = false;
  private con: DuckDBConnection | undefined;
  private readonly onAbort = () => {
    if (this.armed) this.con?.interrupt();
  };

  private readonly signal: AbortSignal | undefined;

  constructor(signal: AbortSignal | undefined) {
    this.signal = signal;
    signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  get requested(): boolean {
    return this.signal?.aborted === true;
  }

  /** From now on an abort interrupts the statement running on `con`. */
  arm(con: DuckDBConnection): void {
    this.con = con;
    this.armed = true;
    if (this.requested) con.interrupt();
  }

  /** From now on statements run to their end: the commit and what follows it. */
  disarm(): void {
    this.armed = false;
  }

  /** Throws INTERRUPTED when the signal has aborted. */
  check(entity: string): void {
    if (this.requested) throw interrupted(entity);
  }

  dispose(): void {
    this.armed = false;
    this.signal?.removeEventListener("abort", this.onAbort);
  }
}

/** The error of a run stopped before its commit. */
export function interrupted(entity: string, cause?: unknown): PipelineError {
  return new PipelineError(
    "INTERRUPTED",
    `${entity}: the run was interrupted before it committed; its data and watermarks are as they were`,
    "Run again to process the same batches.",
    cause === undefined ? {} : { cause },
  );
}
