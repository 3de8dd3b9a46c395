/**
 * Named points where the local runner kills its own process when `SALESLAKE_CRASH_AT` names
 * them: the fault suite uses them to prove that a crash anywhere loses and duplicates nothing.
 */
export const CRASH_POINTS = [
  "before:bronze",
  "during:bronze",
  "after:bronze",
  "before:silver",
  "during:merge",
  "after:merge-before-ledger",
  "during:gold",
  "before:commit",
  "after:commit",
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

export function crashPoint(point: CrashPoint): void {
  if (process.env.SALESLAKE_CRASH_AT === point) process.kill(process.pid, "SIGKILL");
}
