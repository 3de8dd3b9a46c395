import { salesOrderLines } from "@saleslake/schema";
import { CsvSink } from "./csv-sink.ts";
import { seededRandom, streamSeed } from "./seeded-random.ts";

/**
 * The one workload every contender loads: sales order lines (`salesOrderLines`), written as
 * CSV with the entity's source column names. A base file is a clean table snapshot; a delta
 * file lands on it with updates, late rows, duplicates and rule-breaking rows, as the knobs say.
 */

/** The table before a delta: `rows` distinct keys, all valid. */
export interface BaseSpec {
  readonly rows: number;
  /** Default `7`. */
  readonly seed?: number;
  /** Write gzip-compressed CSV. Default `false`. */
  readonly gzip?: boolean;
}

export interface DeltaSpec {
  /** Rows of the base table the delta lands on (its keys are the base's first `base` keys). */
  readonly base: number;
  /** Rows in the delta before duplicates are added. */
  readonly rows: number;
  /** Share of rows that update a base key with a newer `updated_at`. Default `0.5`. */
  readonly updateShare?: number;
  /** Share of rows stamped 30 minutes before the base's watermark: late, but inside the 1 h lookback. Default `0.01`. */
  readonly lateShare?: number;
  /** Share of rows written a second time, byte for byte, later in the same file. Default `0.001`. */
  readonly duplicateShare?: number;
  /** Share of rows that break one quality rule (rotating through `INVALID_RULES`). Default `0.001`. */
  readonly invalidShare?: number;
  /** Default `7`. */
  readonly seed?: number;
  /** Write gzip-compressed CSV. Default `false`. */
  readonly gzip?: boolean;
}

/** What the generator wrote, counted while writing, so results can be checked against it. */
export interface DeltaTally {
  readonly updates: number;
  readonly late: number;
  readonly duplicates: number;
  readonly invalid: number;
  /** Rows in the file that break a rule, repeats included: what a validating loader quarantines. */
  readonly invalidRows: number;
  readonly invalidByRule: Readonly<Record<string, number>>;
  /** A merge that keeps every row (no validation): keys inserted, keys updated. */
  readonly anyRow: { readonly inserted: number; readonly updated: number };
  /** A merge that quarantines the invalid rows first: keys inserted, keys updated. */
  readonly validRows: { readonly inserted: number; readonly updated: number };
}

export interface GeneratedFile {
  readonly path: string;
  /** Data rows written (header excluded, duplicates included). */
  readonly rows: number;
  /** Uncompressed CSV bytes. */
  readonly bytes: number;
}

/** The rules invalid rows break, in rotation; each value still parses as its type. */
export const INVALID_RULES = [
  "quantity.min",
  "currency.enum",
  "customer_id.pattern",
  "discount_pct.max",
  "status.enum",
  "row.net_amount_bounded",
] as const;

/** Header: the entity's source column names, in entity order. */
export const HEADER = salesOrderLines.columns.map((c) => c.source).join(",");

const BASE_TIME = Date.UTC(2025, 0, 1);
/** Base row `i` was last changed at `BASE_TIME + i * BASE_STEP_MS`: 30M rows span 35 days. */
const BASE_STEP_MS = 100;
const DELTA_STEP_MS = 10;
const LATE_BY_MS = 30 * 60_000;
const CURRENCIES = ["EUR", "USD", "GBP"] as const;
const STATUSES = ["open", "shipped", "invoiced", "cancelled"] as const;
const CHANNELS = ["web", "store", "partner", ""] as const;
const DATES = Array.from({ length: 365 }, (_, d) =>
  new Date(BASE_TIME + d * 86_400_000).toISOString().slice(0, 10),
);

/** The base's watermark: the greatest `updated_at` of a base of `rows` rows. */
export function baseWatermark(rows: number): number {
  return BASE_TIME + (rows - 1) * BASE_STEP_MS;
}

/** Stable per-key attributes (a line keeps its order date, customer and product across updates). */
function keyHash(i: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

interface Mutable {
  quantity: string;
  unitPrice: string;
  discount: string;
  currency: string;
  status: string;
  customer: string | undefined;
}

function mutableFields(r: () => number): Mutable {
  const cents = 100 + Math.floor(r() * 99_900);
  const discount = r() < 0.2 ? (Math.floor(r() * 3000) / 100).toFixed(2) : "";
  return {
    quantity: String(1 + Math.floor(r() * 20)),
    unitPrice: `${Math.floor(cents / 100)}.${pad(cents % 100, 2)}`,
    discount,
    currency: CURRENCIES[Math.floor(r() * 3)]!,
    status: STATUSES[Math.floor(r() * 4)]!,
    customer: undefined,
  };
}

/** Breaks exactly one rule, keeping every value parseable as its column's type. */
function breakRule(m: Mutable, rule: (typeof INVALID_RULES)[number]): void {
  switch (rule) {
    case "quantity.min":
      m.quantity = "0";
      return;
    case "currency.enum":
      m.currency = "BTC";
      return;
    case "customer_id.pattern":
      m.customer = "C12";
      return;
    case "discount_pct.max":
      m.discount = "150.00";
      return;
    case "status.enum":
      m.status = "lost";
      return;
    case "row.net_amount_bounded":
      m.quantity = "99999";
      m.unitPrice = "9999.99";
      return;
  }
}

function row(key: number, updatedAt: number, m: Mutable, channel: string): string {
  const h = keyHash(key);
  const order = Math.floor(key / 4) + 1;
  const customer = m.customer ?? `C${pad(1 + (h % 999_999), 6)}`;
  return `SO${pad(order, 8)},${(key % 4) + 1},${DATES[h % 365]},${customer},P-${pad(1 + ((h >>> 7) % 99_999), 5)},${m.quantity},${m.unitPrice},${m.discount},${m.currency},${m.status},${channel},${new Date(updatedAt).toISOString()},false`;
}

/** Writes the base table: keys `0..rows-1`, one row each, `updated_at` increasing. */
export async function writeBaseFile(spec: BaseSpec, path: string): Promise<GeneratedFile> {
  const r = seededRandom(streamSeed(spec.seed ?? 7, "base"));
  const sink = new CsvSink(path, spec.gzip ?? false);
  await sink.line(HEADER);
  for (let i = 0; i < spec.rows; i++) {
    const m = mutableFields(r);
    await sink.line(row(i, BASE_TIME + i * BASE_STEP_MS, m, CHANNELS[Math.floor(r() * 4)]!));
  }
  await sink.close();
  return { path, rows: spec.rows, bytes: sink.bytes };
}

/** Pending byte-for-byte repeats are written after at most this many, so memory stays bounded. */
const DUPLICATE_BATCH = 1000;

/**
 * Writes a delta for a base of `spec.base` rows. Streams: only the set of keys the delta
 * touches is held (for the tally), never the rows.
 */
export async function writeDeltaFile(
  spec: DeltaSpec,
  path: string,
): Promise<GeneratedFile & { readonly tally: DeltaTally }> {
  const seed = spec.seed ?? 7;
  const r = seededRandom(streamSeed(seed, "delta", spec.base, spec.rows));
  const updateShare = spec.updateShare ?? 0.5;
  const lateShare = spec.lateShare ?? 0.01;
  const duplicateShare = spec.duplicateShare ?? 0.001;
  const invalidShare = spec.invalidShare ?? 0.001;
  const lateAt = baseWatermark(spec.base) - LATE_BY_MS;
  const firstAt = baseWatermark(spec.base) + 3_600_000;
  const sink = new CsvSink(path, spec.gzip ?? false);
  await sink.line(HEADER);

  // Per touched key: bit 1 = some row is newer than the base row, bit 2 = some valid row is.
  const touched = new Map<number, number>();
  const invalidByRule: Record<string, number> = {};
  let updates = 0;
  let late = 0;
  let invalid = 0;
  let duplicates = 0;
  let nextNewKey = spec.base;
  let invalidRows = 0;
  let pending: { text: string; invalid: boolean }[] = [];

  for (let j = 0; j < spec.rows; j++) {
    const isUpdate = spec.base > 0 && r() < updateShare;
    const key = isUpdate ? Math.floor(r() * spec.base) : nextNewKey++;
    const isLate = r() < lateShare;
    const updatedAt = isLate ? lateAt : firstAt + j * DELTA_STEP_MS;
    const m = mutableFields(r);
    const channel = CHANNELS[Math.floor(r() * 4)]!;
    const isInvalid = r() < invalidShare;
    if (isInvalid) {
      const rule = INVALID_RULES[invalid % INVALID_RULES.length]!;
      breakRule(m, rule);
      invalidByRule[rule] = (invalidByRule[rule] ?? 0) + 1;
      invalid++;
    }
    if (isUpdate) updates++;
    if (isLate) late++;
    const newer = !isUpdate || updatedAt > BASE_TIME + key * BASE_STEP_MS;
    if (newer) touched.set(key, (touched.get(key) ?? 0) | 1 | (isInvalid ? 0 : 2));

    const text = row(key, updatedAt, m, channel);
    await sink.line(text);
    if (isInvalid) invalidRows++;
    if (r() < duplicateShare) pending.push({ text, invalid: isInvalid });
    if (pending.length >= DUPLICATE_BATCH || (j === spec.rows - 1 && pending.length > 0)) {
      for (const d of pending) {
        await sink.line(d.text);
        if (d.invalid) invalidRows++;
      }
      duplicates += pending.length;
      pending = [];
    }
  }
  await sink.close();

  const anyRow = { inserted: 0, updated: 0 };
  const validRows = { inserted: 0, updated: 0 };
  for (const [key, bits] of touched) {
    const target = key < spec.base ? "updated" : "inserted";
    anyRow[target]++;
    if (bits & 2) validRows[target]++;
  }
  return {
    path,
    rows: spec.rows + duplicates,
    bytes: sink.bytes,
    tally: { updates, late, duplicates, invalid, invalidRows, invalidByRule, anyRow, validRows },
  };
}
