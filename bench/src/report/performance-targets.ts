import { formatSize } from "../harness/bench-options.ts";
import type { CellResult, TargetResult } from "../harness/bench-results.ts";

/** The issue's headline case: a 1M-row delta into a 10M-row table. */
const HEADLINE = { delta: 1_000_000, base: 10_000_000 };
const SMALL_DELTA = 10_000;
/** The step a contender records for landing the file, before its landing→silver run. */
export const LANDING_STEP = "landing";

const s = (x: number) => `${x.toFixed(3)} s`;

/** Where saleslake's time goes on a case: its steps next to the floor's whole merge. */
export function profileOf(cells: readonly CellResult[], caseId: string): string {
  const sl = cells.find((c) => c.case === caseId && c.contender === "saleslake");
  const floor = cells.find((c) => c.case === caseId && c.contender === "floor");
  if (!sl?.seconds || !sl.steps) return "";
  // `seconds` is landing→silver; the landing before it is a step of its own, outside that span.
  const steps = Object.entries(sl.steps).filter(([k]) => k !== LANDING_STEP);
  const landing = sl.steps[LANDING_STEP];
  const inSteps = steps.reduce((a, [, v]) => a + v, 0);
  return `saleslake ${s(sl.seconds)} = ${steps.map(([k, v]) => `${k} ${s(v)}`).join(" + ")} + open/commit ${s(Math.max(0, sl.seconds - inSteps))}${landing !== undefined ? ` (the landing before it: ${s(landing)})` : ""}${floor?.seconds ? `; the floor's read_csv + MERGE takes ${s(floor.seconds)}` : ""}`;
}

/**
 * The 1M-into-10M case, or else the largest delta case measured for saleslake (and for `peer`,
 * when given: a peer left off the large tables is compared where it ran).
 */
function headlineCase(cells: readonly CellResult[], peer?: string): { id: string; note: string } | undefined {
  const ran = (id: string, name: string) =>
    cells.some((c) => c.case === id && c.contender === name && c.seconds !== null);
  const deltas = cells.filter(
    (c) =>
      c.kind === "delta" &&
      c.contender === "saleslake" &&
      c.seconds !== null &&
      (peer === undefined || ran(c.case, peer)),
  );
  const exact = deltas.find((c) => c.nominal === HEADLINE.delta && c.base === HEADLINE.base);
  if (exact) return { id: exact.case, note: "" };
  const largest = [...deltas].sort((a, b) => b.base - a.base || b.nominal - a.nominal)[0];
  if (!largest) return undefined;
  return {
    id: largest.case,
    note: ` (measured on ${largest.case}: the ${formatSize(HEADLINE.delta)}-into-${formatSize(HEADLINE.base)} case was not run)`,
  };
}

const find = (cells: readonly CellResult[], caseId: string, contender: string) =>
  cells.find((c) => c.case === caseId && c.contender === contender && c.seconds !== null);

function fasterThan(cells: readonly CellResult[], peer: string, factor: number): TargetResult {
  const id = `faster-than-${peer}`;
  const target = `saleslake ≥ ${factor}× faster than ${peer} on 1M into 10M`;
  const h = headlineCase(cells, peer);
  const sl = h && find(cells, h.id, "saleslake");
  const p = h && find(cells, h.id, peer);
  if (!h || !sl?.seconds || !p?.seconds) {
    return {
      id,
      target,
      status: "not measured",
      detail: `${peer} or saleslake has no result on a delta case`,
    };
  }
  const x = p.seconds / sl.seconds;
  const status = x >= factor ? "met" : "missed";
  const by = status === "missed" ? `; short by ${(factor / x).toFixed(1)}× (${factor}× needed)` : "";
  const profile = status === "missed" ? `. Profile: ${profileOf(cells, h.id)}` : "";
  return {
    id,
    target,
    status,
    detail: `${x.toFixed(1)}× (${peer} ${s(p.seconds)}, saleslake ${s(sl.seconds)})${h.note}${by}${profile}`,
  };
}

/** Evaluates the issue's targets on what was measured; a missed target says by how much and why. */
export function evaluateTargets(cells: readonly CellResult[]): TargetResult[] {
  const out: TargetResult[] = [];
  const sl = cells.filter((c) => c.contender === "saleslake" && c.ratioToFloor !== null);
  if (sl.length === 0) {
    out.push({ id: "floor-ratio", target: "saleslake ≤ 1.5× the floor", status: "not measured", detail: "" });
  } else {
    const worst = [...sl].sort((a, b) => b.ratioToFloor! - a.ratioToFloor!)[0]!;
    const over = sl.filter((c) => c.ratioToFloor! > 1.5);
    const h = headlineCase(cells);
    const hc = h && sl.find((c) => c.case === h.id);
    out.push({
      id: "floor-ratio",
      target: "saleslake ≤ 1.5× the floor",
      status: over.length === 0 ? "met" : "missed",
      detail:
        `${hc ? `${hc.ratioToFloor!.toFixed(2)}× on ${hc.case}; ` : ""}worst ${worst.ratioToFloor!.toFixed(2)}× on ${worst.case}` +
        (over.length > 0
          ? `; over 1.5× on ${over.length} of ${sl.length} cases (${over.map((c) => `${c.case} ${c.ratioToFloor!.toFixed(2)}×`).join(", ")}). Profile of the worst: ${profileOf(cells, worst.case)}`
          : ""),
    });
  }
  out.push(fasterThan(cells, "dlt", 10));
  out.push(fasterThan(cells, "pyspark-delta", 5));

  const small = cells.filter((c) => c.contender === "saleslake" && c.kind === "delta" && c.seconds !== null);
  const smallest = small.some((c) => c.nominal === SMALL_DELTA)
    ? SMALL_DELTA
    : Math.min(...small.map((c) => c.nominal));
  const curve = small.filter((c) => c.nominal === smallest).sort((a, b) => a.base - b.base);
  const note = smallest !== SMALL_DELTA ? ` (smallest delta run: ${formatSize(smallest)} rows)` : "";
  if (curve.length === 0) {
    out.push({
      id: "small-delta-under-1s",
      target: "10k delta under 1 s",
      status: "not measured",
      detail: "",
    });
    out.push({
      id: "small-delta-flat",
      target: "10k delta nearly flat as the table grows",
      status: "not measured",
      detail: "",
    });
    return out;
  }
  const slow = curve.filter((c) => c.seconds! >= 1);
  out.push({
    id: "small-delta-under-1s",
    target: "10k delta under 1 s",
    status: slow.length === 0 ? "met" : "missed",
    detail:
      curve.map((c) => `${s(c.seconds!)} into ${formatSize(c.base)}`).join(", ") +
      note +
      (slow.length > 0
        ? `; over by ${(slow.at(-1)!.seconds! - 1).toFixed(3)} s on ${slow.at(-1)!.case}. Profile: ${profileOf(cells, slow.at(-1)!.case)}`
        : ""),
  });
  const first = curve[0]!;
  const last = curve.at(-1)!;
  if (curve.length < 2) {
    out.push({
      id: "small-delta-flat",
      target: "10k delta nearly flat as the table grows",
      status: "not measured",
      detail: "only one table size was run",
    });
    return out;
  }
  // "Nearly flat": at most 1.5× slower on a table at least 10× larger, i.e. cost follows the delta.
  const growth = last.seconds! / first.seconds!;
  const tableGrowth = last.base / first.base;
  out.push({
    id: "small-delta-flat",
    target: "10k delta nearly flat as the table grows (≤ 1.5× slower from the smallest to the largest table)",
    status: growth <= 1.5 ? "met" : "missed",
    detail:
      `${growth.toFixed(2)}× slower for a ${tableGrowth.toFixed(0)}× larger table (${s(first.seconds!)} into ${formatSize(first.base)} → ${s(last.seconds!)} into ${formatSize(last.base)})${note}` +
      (growth > 1.5
        ? `; over by ${(growth / 1.5).toFixed(2)}×. Profile at ${formatSize(last.base)}: ${profileOf(cells, last.case)}; at ${formatSize(first.base)}: ${profileOf(cells, first.case)}`
        : ""),
  });
  return out;
}
