import { once } from "node:events";
import { createWriteStream } from "node:fs";

/** Knobs of the generated sales order lines. Every contender reads the same files. */
export interface WorkloadSpec {
  /** Rows in the base (initial) file. */
  readonly base: number;
  /** Rows in the delta file. */
  readonly delta: number;
  /** Share of delta rows that update base keys (newer updated_at). Default `0.5`. */
  readonly updateShare?: number;
  /** Share of delta rows whose updated_at is 30 minutes in the past (late, inside the lookback). Default `0.01`. */
  readonly lateShare?: number;
  /** Share of delta rows repeated within the delta file. Default `0.001`. */
  readonly duplicateShare?: number;
  /** Share of delta rows that break a rule (negative quantity). Default `0`. */
  readonly invalidShare?: number;
  readonly seed?: number;
}

export const HEADER =
  "OrderID,LineNo,order_date,customer_id,product_id,quantity,unit_price,discount_pct,currency,status,channel,updated_at,is_deleted";

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CURRENCIES = ["EUR", "USD", "GBP"];
const STATUSES = ["open", "shipped", "invoiced", "cancelled"];
const CHANNELS = ["web", "store", "partner", ""];
const BASE_TIME = Date.parse("2026-01-01T00:00:00Z");

function line(order: number, lineNo: number, r: () => number, updatedAt: number, quantity?: number): string {
  const day = new Date(BASE_TIME + Math.floor(r() * 300) * 86_400_000).toISOString().slice(0, 10);
  const q = quantity ?? 1 + Math.floor(r() * 20);
  const price = (1 + r() * 999).toFixed(2);
  return [
    `SO${String(order).padStart(8, "0")}`,
    lineNo,
    day,
    `C${String(1 + Math.floor(r() * 99999)).padStart(6, "0")}`,
    `P-${String(1 + Math.floor(r() * 9999)).padStart(5, "0")}`,
    q,
    price,
    r() < 0.2 ? (r() * 30).toFixed(2) : "",
    CURRENCIES[Math.floor(r() * 3)],
    STATUSES[Math.floor(r() * 4)],
    CHANNELS[Math.floor(r() * 4)],
    new Date(updatedAt).toISOString(),
    "false",
  ].join(",");
}

async function write(path: string, rows: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${HEADER}\n`);
  let buf = "";
  for (const r of rows) {
    buf += `${r}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, "drain");
      buf = "";
    }
  }
  out.end(buf);
  await once(out, "finish");
}

/** Writes `base.csv` and `delta.csv`; returns their row counts. Same spec, same bytes. */
export async function generateWorkload(
  spec: WorkloadSpec,
  basePath: string,
  deltaPath: string,
): Promise<{ baseRows: number; deltaRows: number }> {
  const r = rng(spec.seed ?? 42);
  const keyOf = (i: number) => ({ order: Math.floor(i / 4) + 1, lineNo: (i % 4) + 1 });
  function* base() {
    for (let i = 0; i < spec.base; i++) {
      const k = keyOf(i);
      yield line(k.order, k.lineNo, r, BASE_TIME + i * 1000);
    }
  }
  await write(basePath, base());
  const t1 = BASE_TIME + spec.base * 1000 + 3_600_000;
  let deltaRows = 0;
  function* delta() {
    let fresh = spec.base;
    const dup: string[] = [];
    for (let i = 0; i < spec.delta; i++) {
      const updating = r() < (spec.updateShare ?? 0.5) && spec.base > 0;
      const k = updating ? keyOf(Math.floor(r() * spec.base)) : keyOf(fresh++);
      const late = r() < (spec.lateShare ?? 0.01);
      const invalid = r() < (spec.invalidShare ?? 0);
      const row = line(k.order, k.lineNo, r, late ? t1 - 1_800_000 : t1 + i, invalid ? -1 : undefined);
      deltaRows++;
      yield row;
      if (r() < (spec.duplicateShare ?? 0.001)) dup.push(row);
    }
    for (const d of dup) {
      deltaRows++;
      yield d;
    }
  }
  await write(deltaPath, delta());
  return { baseRows: spec.base, deltaRows };
}
