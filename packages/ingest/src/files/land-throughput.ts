import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { carSales } from "@saleslake/schema";
import type { LakeStore } from "../lake/lake-store.ts";
import { LocalLakeStore } from "../lake/local-lake-store.ts";
import { landFiles } from "../landing/land-files.ts";
import { READ_CHUNK_BYTES } from "./stream-file.ts";

export interface LandingThroughputOptions {
  /** Work folder: the generated CSV, its copy and (by default) the lake go here. */
  readonly dir: string;
  /** Size of the generated CSV, in bytes (rounded up to whole rows). Default `256 MiB`. */
  readonly bytes?: number;
  /** Where to land. Default: a local lake in `<dir>/lake`. */
  readonly store?: LakeStore;
  /** RSS sampling interval, in milliseconds. Default `20`. */
  readonly sampleMs?: number;
  /** Remove the generated file, its copy and the default lake afterwards. Default `true`. */
  readonly cleanUp?: boolean;
}

export interface LandingThroughputReport {
  readonly bytes: number;
  readonly rows: number;
  /** Landing: the streamed inspection pass, the durable copy into the lake, the manifest. */
  readonly landSeconds: number;
  readonly landBytesPerSecond: number;
  /** The same bytes streamed to another file and flushed to disk, nothing else. */
  readonly copySeconds: number;
  readonly copyBytesPerSecond: number;
  /** Resident memory before landing, and the highest sampled while landing. */
  readonly rssBeforeBytes: number;
  readonly peakRssBytes: number;
}

const ROW_TEMPLATE = (i: number) =>
  `BR${String(i % 9999).padStart(4, "0")},DLR${String(i % 997).padStart(4, "0")},BMW-M${i % 9},${1_000_000 + (i % 7_919) * 131},${1 + (i % 5)},DT${String(i).padStart(8, "0")},${1 + (i % 28)},${1 + (i % 12)},${2017 + (i % 8)},"Branch ${i % 9999}, North","Dealer ${i % 997}",BMW\n`;

/** Writes a car-sales CSV of at least `bytes`, streamed in 64 KiB chunks; returns its row count. */
async function generateCsv(path: string, bytes: number): Promise<number> {
  let rows = 0;
  let written = 0;
  const header = `${carSales.columns
    .filter((c) => !c.composedFrom)
    .map((c) => c.source)
    .join(",")}\n`;
  async function* chunks() {
    yield header;
    written += header.length;
    while (written < bytes) {
      let chunk = "";
      while (chunk.length < 1 << 16 && written + chunk.length < bytes) chunk += ROW_TEMPLATE(rows++);
      written += chunk.length;
      yield chunk;
    }
  }
  await pipeline(Readable.from(chunks()), createWriteStream(path));
  return rows;
}

/**
 * Lands a generated car-sales CSV and reports bytes per second and peak RSS, next to a plain
 * streamed copy of the same bytes. For `pnpm bench` (the 2 GB case); tests use a small size.
 */
export async function measureLandingThroughput(
  options: LandingThroughputOptions,
): Promise<LandingThroughputReport> {
  const dir = options.dir;
  await mkdir(dir, { recursive: true });
  const source = join(dir, "throughput-source.csv");
  const copy = join(dir, "throughput-copy.csv");
  const lakeDir = join(dir, "lake");
  const rows = await generateCsv(source, options.bytes ?? 256 * 1024 * 1024);
  const bytes = (await stat(source)).size;
  const store = options.store ?? new LocalLakeStore(lakeDir);
  try {
    const t0 = performance.now();
    await pipeline(
      createReadStream(source, { highWaterMark: READ_CHUNK_BYTES }),
      createWriteStream(copy, { flush: true }),
    );
    const copySeconds = (performance.now() - t0) / 1000;

    globalThis.gc?.();
    const rssBeforeBytes = process.memoryUsage.rss();
    let peakRssBytes = rssBeforeBytes;
    const sampler = setInterval(() => {
      peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
    }, options.sampleMs ?? 20);
    const t1 = performance.now();
    let landed: Awaited<ReturnType<typeof landFiles>>;
    try {
      landed = await landFiles({ store, entity: carSales, paths: [source], force: true });
    } finally {
      clearInterval(sampler);
    }
    const landSeconds = (performance.now() - t1) / 1000;
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
    if (landed.rows !== rows || landed.bytes !== bytes)
      throw new Error(`landed ${landed.rows} rows / ${landed.bytes} bytes, generated ${rows} / ${bytes}`);
    return {
      bytes,
      rows,
      landSeconds,
      landBytesPerSecond: bytes / landSeconds,
      copySeconds,
      copyBytesPerSecond: bytes / copySeconds,
      rssBeforeBytes,
      peakRssBytes,
    };
  } finally {
    if (options.cleanUp ?? true) {
      await rm(source, { force: true });
      await rm(copy, { force: true });
      if (!options.store) await rm(lakeDir, { recursive: true, force: true });
    }
  }
}

// `node src/files/land-throughput.ts <dir> [bytes]` prints the report as JSON: a fresh process for a clean RSS.
if (import.meta.main) {
  const [dir, size] = process.argv.slice(2);
  if (!dir) {
    console.error("usage: node land-throughput.ts <work dir> [bytes]");
    process.exit(2);
  }
  const report = await measureLandingThroughput({ dir, ...(size && { bytes: Number(size) }) });
  console.log(JSON.stringify(report));
}
