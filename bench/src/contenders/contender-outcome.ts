/** What one contender run reports on the last line of its stdout, as JSON. */
export interface ContenderOutcome {
  /** Seconds of the measured work (process and Spark session start excluded). */
  readonly seconds: number;
  /** Row counts the contender reports (names differ per contender). */
  readonly counts: Readonly<Record<string, number>>;
  /** Seconds per step, where the contender has steps (landing, bronze, silver, …). */
  readonly steps?: Readonly<Record<string, number>>;
  /** Peak RSS the process measured of itself (and its own children), in MB. */
  readonly selfPeakMb?: number;
}

/** Peak resident memory of this process so far, in MB, from /proc (Linux). */
export function ownPeakMb(status: string): number | undefined {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  return m ? Number(m[1]) / 1024 : undefined;
}
