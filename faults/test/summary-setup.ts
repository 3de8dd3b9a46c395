import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Prints what the suite did, once, after every file has run. */
export default function setup() {
  const SUMMARY_FILE = join(tmpdir(), `saleslake-fault-summary-${process.pid}.jsonl`);
  process.env.SALESLAKE_FAULT_SUMMARY = SUMMARY_FILE;
  rmSync(SUMMARY_FILE, { force: true });
  return () => {
    if (!existsSync(SUMMARY_FILE)) return;
    const lines = readFileSync(SUMMARY_FILE, "utf8").trim().split("\n").filter(Boolean);
    const t = { faults: 0, inputs: 0, lost: 0, duplicated: 0 };
    for (const l of lines) {
      const e = JSON.parse(l) as Partial<typeof t>;
      t.faults += e.faults ?? 0;
      t.inputs += e.inputs ?? 0;
      t.lost += e.lost ?? 0;
      t.duplicated += e.duplicated ?? 0;
    }
    console.log(
      `\nfault suite: ${t.faults} faults injected, ${t.inputs} inputs tried, ${t.lost} rows lost, ${t.duplicated} rows duplicated\n`,
    );
    rmSync(SUMMARY_FILE, { force: true });
  };
}
