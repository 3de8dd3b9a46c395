import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { sealBatchNotebook } from "@saleslake/adf-templates";
import { LocalLakeStore, landFiles, listLandedManifests } from "@saleslake/ingest";
import { MAX_EXTRA_FIELDS, projectPaths, runPipeline, Warehouse } from "@saleslake/pipeline";
import {
  batchIngestDate,
  batchPath,
  carSales,
  carSalesSeedFiles,
  carSalesStar,
  customers,
  defineEntity,
  defineStar,
  type Entity,
  type LandingManifest,
  landingManifestSchema,
  MANIFEST_FILE,
  newBatchId,
  partFileName,
  type Star,
  salesOrderLines,
  salesOrderStar,
  schemaFingerprint,
  t,
} from "@saleslake/schema";
import { describe, expect, it } from "vitest";
import { generateNotebooks, type NotebookOptions } from "../src/index.ts";
import { sparkPython } from "../src/local-spark/local-spark.ts";
import { jsonl, type Line, line, notebookWidgets, sparkSuite } from "./support/spark-suite.ts";

const suite = sparkSuite("parity");
const { skip, work } = suite;

/** Columns that record when or by which run a row was written: not data, not compared. */
const VOLATILE = new Set(["_ingested_at", "_run_id", "_updated_at", "_quarantined_at", "replayed_run_id"]);

/** Returns with dates and timestamps of declared formats, for the typed Parquet cases. */
const returns = defineEntity({
  name: "returns",
  columns: {
    return_id: t.string().source("ReturnID"),
    day: t.date().format("d/M/yyyy"),
    iso_day: t.date().nullable(),
    returned_at: t.timestamp().source("Returned").format("M/d/yyyy H:mm"),
    fine_at: t.timestamp().nullable().format("dd.MM.yyyy HH:mm:ss.SSSXXX"),
    plain_at: t.timestamp().nullable(),
  },
  key: ["return_id"],
  watermark: "batch",
});

/** A Parquet file pyarrow writes (`table`: Python, given pa), in the suite's folder; its path. */
function pyarrowParquet(name: string, table: string): string {
  const path = join(work, name);
  if (existsSync(path)) return path;
  const script = `import pyarrow as pa, pyarrow.parquet as pq\n${table}\npq.write_table(table, ${JSON.stringify(path)})\n`;
  const wrote = spawnSync(sparkPython(), ["-c", script], { encoding: "utf8" });
  if (wrote.status !== 0) throw new Error(`pyarrow could not write ${path}: ${wrote.stderr}`);
  return path;
}

/**
 * A Parquet file of returns as pandas writes one (pyarrow: nanosecond timestamps, plain and
 * adjusted to UTC, before 1970 too); its path.
 */
const pandasParquet = () =>
  pyarrowParquet(
    "pandas.parquet",
    `
ns = lambda *v: pa.array(v, pa.timestamp("ns"))
utc = lambda *v: pa.array(v, pa.timestamp("ns", tz="UTC"))
d, h = 86_400 * 10**9, 3_600 * 10**9
jan5 = 1_767_571_200 * 10**9
table = pa.table({
    "ReturnID": ["R1", "R2", "R3", "R4"],
    "day": ns(jan5, jan5 + d, jan5 + 1, -d),
    "iso_day": ns(jan5, None, jan5 + h, None),
    "Returned": utc(jan5 + 10 * h, jan5 + 10 * h + 1_001, jan5 + 11 * h, jan5),
    "fine_at": ns(jan5 + 10 * h + 123_000_000, jan5 + 123_456_000, None, jan5 + 1_000_000),
    "plain_at": ns(jan5 + 123_456_789, None, -1_000_000_001, jan5 + 500_000_000),
    "legacy_at": ns(-1_000_000_001, None, None, jan5),
    "legacy_utc": utc(-1_000_000_001, None, None, -1),
})`,
  );

/** A bronze row's rescued data (its last column), parsed, found by the key its row starts with. */
function rescuedIn(rows: readonly string[] | undefined, key: string): unknown {
  return JSON.parse(
    rows
      ?.find((r) => r.startsWith(`${key}|`))
      ?.split("|")
      .at(-1) ?? "",
  );
}

async function duckTables(dir: string, schemas: string[]) {
  const w = await Warehouse.open(dir);
  try {
    const cols = await w.query(
      `SELECT table_schema AS s, table_name AS t, column_name AS c, data_type AS d FROM information_schema.columns WHERE table_schema IN (${schemas.map((s) => `'${s}'`).join(",")}) ORDER BY s, t, ordinal_position`,
    );
    const tables = new Map<string, { c: string; d: string }[]>();
    for (const r of cols) {
      const key = `${r.s}.${r.t}`;
      if (!VOLATILE.has(String(r.c)))
        tables.set(key, [...(tables.get(key) ?? []), { c: String(r.c), d: String(r.d) }]);
    }
    const out: Record<string, string[]> = {};
    for (const [t, cs] of tables) {
      const sel = cs
        .map(({ c, d }) =>
          d.startsWith("TIMESTAMP")
            ? `coalesce(strftime("${c}", '%Y-%m-%d %H:%M:%S.%f'), '∅')`
            : d.endsWith("[]")
              ? `CAST(array_to_string("${c}", ';') AS VARCHAR)`
              : `CAST("${c}" AS VARCHAR)`,
        )
        .join(" || '|' || ");
      out[t] = (
        await w.query(
          `SELECT coalesce(${sel.replace(/CAST\(/g, "coalesce(CAST(").replace(/ AS VARCHAR\)/g, " AS VARCHAR), '∅')")}, '') AS r FROM ${t}`,
        )
      )
        .map((x) => String(x.r))
        .sort();
    }
    return { out, tables };
  } finally {
    w.close();
  }
}

async function sparkTables(tables: Map<string, { c: string; d: string }[]>) {
  const out: Record<string, string[]> = {};
  for (const [t, cs] of tables) {
    const sel = cs.map(({ c, d }) =>
      d.startsWith("TIMESTAMP")
        ? `coalesce(date_format(\`${c}\`, 'yyyy-MM-dd HH:mm:ss.SSSSSS'), '∅')`
        : d.endsWith("[]")
          ? `coalesce(concat_ws(';', \`${c}\`), '∅')`
          : `coalesce(CAST(\`${c}\` AS STRING), '∅')`,
    );
    out[t] = (await suite.spark.sql(`SELECT concat_ws('|', ${sel.join(", ")}) AS r FROM spark_catalog.${t}`))
      .map((x) => String(x.r))
      .sort();
  }
  return out;
}

/** The widgets the factory's seal activity passes, for a batch Copy wrote to `lake`. */
function sealWidgets(lake: string, entity: Entity, batchId: string, rowsCopied: number) {
  return {
    lake_root: lake,
    entity: entity.name,
    ingest_date: batchIngestDate(batchId),
    batch_id: batchId,
    window_column: entity.watermark.kind === "column" ? entity.watermark.column : "",
    window_low: "",
    window_high: "2026-01-31T00:00:00Z",
    rows_copied: String(rowsCopied),
    source_name: "sql-saleslake/sales.dbo.sales_order_lines",
    schema_fingerprint: schemaFingerprint(entity),
    // The columns Copy selects, as the factory passes them; "" as a factory before it passed none.
    columns: JSON.stringify(COPY_COLUMNS),
  };
}

/** What the factory's Copy selects from the order lines table: the entity's source columns. */
const COPY_COLUMNS = Object.keys(line(0));

/** A batch folder as the factory's Copy makes it, before any part is written: its id and path. */
function copyBatchFolder(lake: string, entity: Entity, now: Date, suffix = "adfc0000") {
  const batchId = newBatchId(now, suffix);
  const folder = join(lake, batchPath("landing", entity.name, batchId));
  mkdirSync(folder, { recursive: true });
  return { batchId, folder };
}

/**
 * Lands `bytes` as the factory's Copy activity does (JSON Lines, one part file named by the
 * landing dataset, no manifest), then runs the generated seal notebook, twice, as an activity
 * retry would: the first run writes the manifest, the second leaves it.
 */
async function landByCopy(
  lake: string,
  entity: Entity,
  now: Date,
  bytes: string,
  columns = JSON.stringify(COPY_COLUMNS),
) {
  const { batchId, folder } = copyBatchFolder(lake, entity, now);
  const part = partFileName(0, "jsonl");
  writeFileSync(join(folder, part), bytes);
  const rows = bytes.split("\n").filter((l) => l !== "").length;
  const widgets = { ...sealWidgets(lake, entity, batchId, rows), columns };
  const seal = () =>
    suite.spark.runNotebook(sealBatchNotebook(), widgets).then((exit) => JSON.parse(exit ?? "{}"));
  expect(await seal()).toEqual({ sealed: true, batch_id: batchId, rows });
  expect(await seal()).toMatchObject({
    sealed: false,
    reason: "already sealed",
  });
  const manifest = landingManifestSchema.parse(JSON.parse(readFileSync(join(folder, MANIFEST_FILE), "utf8")));
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  expect(manifest).toMatchObject({
    entity: entity.name,
    batchId,
    source: { kind: "adf-copy" },
    window: { column: widgets.window_column, low: null, high: widgets.window_high },
    format: "jsonl",
    files: [{ path: part, rows, bytes: Buffer.byteLength(bytes), sha256 }],
    rowCount: rows,
    contentSha256: createHash("sha256").update(sha256).digest("hex"),
    schemaFingerprint: schemaFingerprint(entity),
  });
  expect(manifest.columns).toEqual(columns ? JSON.parse(columns) : undefined);
  return batchId;
}

/** Per case, the counts each batch's silver notebook returned, in landing order. */
const silverCounts = new Map<string, Record<string, unknown>[]>();

/** A notebook that fails part-way through one batch, right before `before`, and is retried. */
interface Crash {
  readonly batch: number;
  readonly step: string;
  readonly before: string;
}

/**
 * Lands each batch once, then runs both engines on the same lake, batch by batch. At a `crash`,
 * the Spark side first runs the notebook with a failure injected (as a lost driver would leave
 * it), then the notebook again with the same run id, as the job's task retry does. With
 * `tamper`, the same changes are then made to the tables of both engines (`tamper(prefix)`:
 * statements on `${prefix}silver.…` and `${prefix}gold.…`), and both run a full refresh (the
 * local engine's mode; the notebooks' widget `full_refresh`), which must put back what the batches
 * loaded. With `session`, each notebook starts in a Spark session with those settings, as on a
 * cluster configured so; the tables are read back in UTC.
 */
async function parity(
  name: string,
  entity: Entity,
  star: Star | undefined,
  batches: (
    | { name: string; bytes: string | Buffer }
    | {
        files: { name: string; bytes: string | Buffer }[];
        /** Rewrites the batch's manifest once landed. */
        manifest?: (m: LandingManifest) => LandingManifest;
      }
    | { copied: string; columns?: readonly string[] }
  )[],
  crashes: readonly Crash[] = [],
  tamper?: (prefix: string) => string[],
  notebookOptions: NotebookOptions = {},
  session: Readonly<Record<string, string>> = {},
) {
  const runNotebook = async (source: string, params: Record<string, string>) => {
    for (const [k, v] of Object.entries({ "spark.sql.session.timeZone": "UTC", ...session }))
      await suite.spark.sql(`SET ${k} = ${v}`);
    return suite.spark.runNotebook(source, params);
  };
  const dir = join(work, name);
  const lake = join(dir, "lake");
  const store = new LocalLakeStore(lake);
  const notebooks = generateNotebooks(entity, star, notebookOptions);
  const catalog = "spark_catalog";
  // Each case starts from an empty Spark catalog, as its DuckDB warehouse starts empty.
  for (const schema of ["bronze", "silver", "gold", "quarantine", "saleslake"]) {
    await suite.spark.sql(`DROP SCHEMA IF EXISTS ${catalog}.${schema} CASCADE`);
  }
  for (const [i, b] of batches.entries()) {
    mkdirSync(dir, { recursive: true });
    const now = new Date(Date.UTC(2026, 0, 1, 0, i));
    if ("copied" in b) {
      await landByCopy(lake, entity, now, b.copied, b.columns && JSON.stringify(b.columns));
      continue;
    }
    const paths = ("files" in b ? b.files : [b]).map((f) => {
      const file = join(dir, `${i}-${f.name}`);
      writeFileSync(file, f.bytes);
      return file;
    });
    const landed = await landFiles({ store, entity, paths, force: true, now });
    if ("manifest" in b && b.manifest) {
      const path = join(lake, batchPath("landing", entity.name, landed.batchId), MANIFEST_FILE);
      const m = landingManifestSchema.parse(JSON.parse(readFileSync(path, "utf8")));
      writeFileSync(path, JSON.stringify(b.manifest(m), null, 2));
    }
  }
  for (const [i, m] of (await listLandedManifests(store, entity.name)).entries()) {
    await runPipeline({ dir, lakeRoot: lake, entities: [entity], stars: star ? [star] : [] });
    const params = notebookWidgets(lake, `run-${m.batchId}`, m.batchId);
    for (const nb of notebooks) {
      const crash = crashes.find((c) => c.batch === i && c.step === nb.stepId);
      if (crash) {
        expect(nb.source).toContain(crash.before);
        const failing = nb.source.replace(
          crash.before,
          `raise RuntimeError("injected crash in ${nb.stepId}")\n${crash.before}`,
        );
        await expect(runNotebook(failing, params)).rejects.toThrow(/injected crash/);
      }
      const exit = JSON.parse((await runNotebook(nb.source, params)) ?? "{}");
      expect(exit.step).toBe(nb.stepId);
      if (nb.stepId === "silver") silverCounts.set(name, [...(silverCounts.get(name) ?? []), exit]);
    }
  }
  // The DuckDB run processes every batch on its first call; later calls find nothing new.
  const schemas = ["bronze", "silver", "gold", "quarantine"];
  if (tamper) {
    const loaded = (await duckTables(dir, schemas)).out;
    const db = await DuckDBInstance.create(projectPaths(dir).warehouse);
    const con = await db.connect();
    try {
      for (const sql of tamper("")) await con.run(sql);
    } finally {
      con.closeSync();
      db.closeSync();
    }
    for (const sql of tamper(`${catalog}.`)) await suite.spark.sql(sql);
    expect((await duckTables(dir, schemas)).out).not.toEqual(loaded);
    await runPipeline({
      dir,
      lakeRoot: lake,
      entities: [entity],
      stars: star ? [star] : [],
      mode: "full_refresh",
    });
    const last = (await listLandedManifests(store, entity.name)).at(-1)!;
    // The job of a full refresh, with no new batch: bronze finds the last batch already written.
    const params = notebookWidgets(lake, "run-full-refresh", last.batchId, true);
    for (const nb of notebooks) {
      expect(JSON.parse((await runNotebook(nb.source, params)) ?? "{}").step).toBe(nb.stepId);
    }
    expect((await duckTables(dir, schemas)).out).toEqual(loaded);
  }
  await suite.spark.sql("SET spark.sql.session.timeZone = UTC");
  const duck = await duckTables(dir, schemas);
  const sp = await sparkTables(duck.tables);
  for (const t of Object.keys(duck.out)) {
    expect({ table: t, rows: sp[t] }).toEqual({ table: t, rows: duck.out[t] });
  }
  return duck.out;
}

/** Lines as CSV text, the columns of the first in its order (or reversed), NULL as an empty cell. */
function csvText(ls: readonly Record<string, unknown>[], reversed = false): string {
  const cols = Object.keys(ls[0] ?? {});
  if (reversed) cols.reverse();
  const cell = (v: unknown) => (v === null || v === undefined ? "" : String(v));
  return `${[cols.join(","), ...ls.map((l) => cols.map((c) => cell(l[c])).join(","))].join("\n")}\n`;
}

/**
 * 6,000 order lines for reads in several partitions: every 450th breaks a rule (quantity -1),
 * the others vary in line number and customer, so a row out of place shows.
 */
function scatteredRows(): Line[] {
  return Array.from({ length: 6000 }, (_, i) =>
    line(
      i + 1,
      i % 450 === 7
        ? { quantity: -1 }
        : { LineNo: (i % 3) + 1, customer_id: `C${String(i).padStart(6, "0")}` },
    ),
  );
}

/**
 * Where each bronze row was, sorted: its order's last digit @ its batch's minute (the cases land
 * batch i at minute i) : its part (landing names them part-<n>) : its row. Bronze rows end with
 * _batch_id, _source_file, _row_number, _rescued_data.
 */
function placed(rows: readonly string[] | undefined): string[] | undefined {
  return rows
    ?.map((r) => {
      const f = r.split("|");
      const file = f.at(-3)?.replace(/^.*\/batch=\d{8}T(\d{4}).*part-\d{4}(\d)\.[a-z]+$/, "$1:$2");
      return `${f[0]?.slice(-1)}@${file}:${f.at(-2)}`;
    })
    .sort();
}

/** The quantity of an order's line in silver rows (the sixth column). */
const quantityOf = (rows: readonly string[] | undefined, order: string) =>
  rows?.find((r) => r.startsWith(`${order}|`))?.split("|")[5];

/** The first batch of the order-lines cases: keys the entity does not know are kept in bronze's _rescued_data where a row has a value. */
const firstOrders = {
  name: "b1.jsonl",
  bytes: jsonl([line(1), line(2, { gift: null }), line(3, { channel: "store", coupon: "X1", gift: null })]),
};

describe.skipIf(skip)("the DuckDB engine and the generated notebooks on Spark give the same tables", () => {
  it("on the seed car-sales files, initial then incremental", async () => {
    const out = await parity("seed", carSales, carSalesStar, [
      { name: "SalesData.csv", bytes: readFileSync(carSalesSeedFiles.initial) },
      { name: "IncrementalSales.csv", bytes: readFileSync(carSalesSeedFiles.incremental) },
    ]);
    expect(out["silver.car_sales"]).toHaveLength(1852);
    expect(out["quarantine.car_sales"]).toHaveLength(1);
  }, 1_500_000);

  it("on order lines: inserts, updates, late and boundary rows, out-of-order, duplicates, soft deletes, quarantine, a batch twice, a full refresh", async () => {
    const out = await parity(
      "orders",
      salesOrderLines,
      salesOrderStar,
      [
        firstOrders,
        {
          name: "b2.jsonl",
          bytes: jsonl([
            line(1, { quantity: 5, updated_at: "2026-01-06T09:00:00Z" }),
            line(4, { updated_at: "2026-01-05T09:30:00Z" }),
            line(5, { updated_at: "2026-01-05T10:00:00Z" }),
          ]),
        },
        {
          name: "b3.jsonl",
          bytes: jsonl([
            line(1, { quantity: 3, updated_at: "2026-01-05T12:00:00Z" }),
            line(6, { quantity: 7 }),
            line(6, { quantity: 9 }),
            line(2, { is_deleted: true, updated_at: "2026-01-07T00:00:00Z" }),
          ]),
        },
        { name: "b4.jsonl", bytes: jsonl([line(7, { quantity: -1 }), line(8, { currency: "BTC" })]) },
        {
          name: "b5.jsonl",
          bytes: jsonl([
            line(1, { quantity: 5, updated_at: "2026-01-06T09:00:00Z" }),
            line(4, { updated_at: "2026-01-05T09:30:00Z" }),
          ]),
        },
      ],
      [],
      (p) => [
        `DELETE FROM ${p}silver.sales_order_lines WHERE order_id = 'SO00000004'`,
        `UPDATE ${p}silver.sales_order_lines SET quantity = 99 WHERE order_id = 'SO00000005'`,
        `DELETE FROM ${p}gold.fact_order_lines WHERE order_id = 'SO00000006'`,
        `DELETE FROM ${p}gold.agg_orders_daily`,
      ],
    );
    expect(out["silver.sales_order_lines"]).toHaveLength(6);
    // Batch by batch the counts add up to the rows read: b3 repeats order 6, its first row superseded.
    expect(
      silverCounts
        .get("orders")
        ?.map((c) => [c.rows_in, c.rows_inserted, c.rows_updated, c.rows_stale, c.rows_superseded]),
    ).toEqual([
      [3, 3, 0, 0, 0],
      [3, 2, 1, 0, 0],
      [3, 1, 1, 1, 1],
      [0, 0, 0, 0, 0],
      [2, 0, 0, 2, 0],
    ]);
    expect(out["gold.fact_order_lines"]).toHaveLength(5);
    expect(out["quarantine.sales_order_lines"]).toHaveLength(2);
  }, 1_500_000);

  it("on a cluster whose sessions start in another time zone and without ANSI mode: a timestamp without an offset is UTC, and ANSI mode is on, as on the local engine", async () => {
    // Azure SQL's datetime2 has no offset and seven fraction digits. Read in Tokyo time (UTC+9),
    // key 3's 12:00 would come before its stored 10:00Z, and its update would be stale.
    const out = await parity(
      "time-zone",
      salesOrderLines,
      undefined,
      [
        { name: "b1.jsonl", bytes: jsonl([line(1, { updated_at: "2026-01-05 09:00:00.1234567" }), line(3)]) },
        {
          name: "b2.jsonl",
          bytes: jsonl([
            line(1, { quantity: 4, updated_at: "2026-01-05T08:30:00" }),
            line(3, { quantity: 7, updated_at: "2026-01-05T12:00:00" }),
          ]),
        },
      ],
      [],
      undefined,
      {},
      // A runtime before Databricks Runtime 17 starts sessions with ANSI mode off: an overflow or a
      // failed cast would write NULL where the local engine stops.
      { "spark.sql.session.timeZone": "Asia/Tokyo", "spark.sql.ansi.enabled": "false" },
    );
    // Every notebook turned it back on.
    expect(await suite.spark.sql("SET spark.sql.ansi.enabled")).toEqual([
      { key: "spark.sql.ansi.enabled", value: "true" },
    ]);
    const at = (order: number) =>
      out["silver.sales_order_lines"]?.find((r) => r.startsWith(`SO0000000${order}|`))?.split("|");
    expect([at(1)?.[5], at(1)?.[11]]).toEqual(["1", "2026-01-05 09:00:00.123456"]);
    expect([at(3)?.[5], at(3)?.[11]]).toEqual(["7", "2026-01-05 12:00:00.000000"]);
  }, 900_000);

  it("on a batch the factory's Copy lands and its seal notebook declares, between batches landed by ingest", async () => {
    // The first sealed batch updates key 1, adds key 4 and one row that fails a rule; the second
    // is empty; the batch after them updates key 4. Both engines find the sealed batches by their
    // manifests, as they find ingest's.
    const out = await parity("copied", salesOrderLines, undefined, [
      firstOrders,
      {
        copied: jsonl([
          line(1, { quantity: 5, updated_at: "2026-01-06T09:00:00Z" }),
          line(4),
          line(9, { quantity: -1 }),
        ]),
      },
      // A window with no change: Copy writes an empty part.
      { copied: "" },
      // A window in which every discount is NULL, written without the key, as a JSON sink that
      // leaves null values out writes it: a column the seal declared, not a missing one.
      { copied: jsonl([line(5), line(6, { quantity: 3 })].map(({ discount_pct, ...rest }) => rest)) },
      { name: "b4.jsonl", bytes: jsonl([line(4, { quantity: 2, updated_at: "2026-01-06T10:00:00Z" })]) },
    ]);
    const field = (order: string, i: number) =>
      out["silver.sales_order_lines"]?.find((r) => r.startsWith(`${order}|`))?.split("|")[i];
    const quantity = (order: string) => field(order, 5);
    expect(out["silver.sales_order_lines"]).toHaveLength(6);
    expect([quantity("SO00000001"), quantity("SO00000004"), quantity("SO00000006")]).toEqual(["5", "2", "3"]);
    expect(field("SO00000005", 7)).toBe("∅");
    expect(out["quarantine.sales_order_lines"]).toHaveLength(1);
    // The accepted rows of the sealed batches (two and two) in bronze, named by their folders and part files.
    expect(
      out["bronze.sales_order_lines"]?.filter((r) => r.includes("-adfc0000/part-00000.jsonl|")),
    ).toHaveLength(4);
  }, 1_500_000);

  it("on a batch Copy lands from a database into columns of declared formats: its ISO 8601 dates and timestamps written in their patterns, as the local database sources write them", async () => {
    // Copy selects a date as yyyy-MM-dd and a timestamp as UTC ISO 8601 with Z (see
    // sqlServerColumnText); ingest's database sources write such values in a column's pattern
    // where it holds them whole (typedDatetimeText), and so do both engines for a Copy batch.
    const rows = [
      {
        ReturnID: "R1",
        day: "2026-01-05",
        iso_day: "2026-01-05",
        Returned: "2026-01-05T10:00:00Z",
        fine_at: "2026-01-05T10:00:00.123Z",
        plain_at: "2026-01-05T00:00:00.123456Z",
      },
      {
        ReturnID: "R2",
        day: "2026-01-05T00:00:00Z",
        iso_day: null,
        Returned: "2026-01-05T10:00:01Z",
        fine_at: null,
        plain_at: null,
      },
      {
        ReturnID: "R3",
        day: "5/1/2026",
        iso_day: "2026-01-06T00:00:00Z",
        Returned: "1/5/2026 9:05",
        fine_at: "2026-01-05T10:00:00.1234Z",
        plain_at: null,
      },
      {
        ReturnID: "R4",
        day: "2026-02-30",
        iso_day: null,
        Returned: "2026-01-05 10:00:00",
        fine_at: "2026-01-05T10:00:00.120000Z",
        plain_at: null,
      },
    ];
    const out = await parity("copied-formats", returns, undefined, [
      { copied: jsonl(rows), columns: Object.keys(rows[0]!) },
    ]);
    expect(out["silver.returns"]?.map((r) => r.split("|").slice(0, 6).join("|")).sort()).toEqual([
      "R1|2026-01-05|2026-01-05|2026-01-05 10:00:00.000000|2026-01-05 10:00:00.123000|2026-01-05 00:00:00.123456",
    ]);
    const refused = Object.fromEntries(
      (out["quarantine.returns"] ?? []).map((r) => r.split("|")).map((f) => [f[2], f[3]]),
    );
    // A second the pattern has no field for, four digits of a fraction of three, no real day: kept, refused.
    expect(refused).toEqual({ "2": "returned_at.parse", "3": "fine_at.parse", "4": "day.parse" });
    // Nothing else changed: R3's text in the pattern is its own, R4's UTC timestamp without Z is one.
  }, 1_500_000);

  it("the bronze notebook refuses a part the contract refuses, as the local engine does, and loads nothing", async () => {
    // Copy selects its columns by name, and ingest checks a file's columns at landing, so such a
    // part comes from elsewhere: a seal that declared no columns, over rows without a required key,
    // or a declaration naming a column the entity does not know, for an entity that rejects those.
    const strict: Entity = {
      ...salesOrderLines,
      contract: { ...salesOrderLines.contract, unknownColumns: "reject" },
    };
    const cases = [
      {
        name: "missing",
        entity: salesOrderLines,
        bytes: jsonl([line(1), line(2)].map(({ customer_id, ...rest }) => rest)),
        columns: "",
        refusal: /part-00000\.jsonl: missing column customer_id for entity sales_order_lines/,
      },
      {
        name: "unknown",
        entity: strict,
        bytes: jsonl([line(1, { coupon: "X1" })]),
        columns: JSON.stringify([...COPY_COLUMNS, "coupon"]),
        refusal: /part-00000\.jsonl: unknown column coupon for entity sales_order_lines/,
      },
      {
        name: "malformed",
        entity: salesOrderLines,
        bytes: `${jsonl([line(1)])}{"OrderID": "SO00000002",\n`,
        columns: JSON.stringify(COPY_COLUMNS),
        refusal: /part-00000\.jsonl: (not valid JSON Lines|.*malformed)/i,
      },
    ];
    for (const c of cases) {
      const dir = join(work, `refused-${c.name}`);
      const lake = join(dir, "lake");
      for (const schema of ["bronze", "silver", "quarantine", "saleslake"]) {
        await suite.spark.sql(`DROP SCHEMA IF EXISTS spark_catalog.${schema} CASCADE`);
      }
      const batchId = await landByCopy(lake, c.entity, new Date(Date.UTC(2026, 0, 3)), c.bytes, c.columns);
      await expect(runPipeline({ dir, lakeRoot: lake, entities: [c.entity], stars: [] })).rejects.toThrow(
        c.refusal,
      );
      const bronze = generateNotebooks(c.entity, undefined).find((nb) => nb.stepId === "bronze")!;
      const params = notebookWidgets(lake, `run-${batchId}`, batchId);

      await expect(suite.spark.runNotebook(bronze.source, params)).rejects.toThrow(c.refusal);
      // Nothing written: the tables hold no row, or the refusal came before they were made.
      const rowsIn = (zone: string) =>
        suite.spark.sql(`SELECT count(*) AS n FROM spark_catalog.${zone}.sales_order_lines`).then(
          (r) => Number(r[0]?.n),
          (e: unknown) => {
            if (/TABLE_OR_VIEW_NOT_FOUND|SCHEMA_NOT_FOUND/.test(String(e))) return 0;
            throw e;
          },
        );
      expect([await rowsIn("bronze"), await rowsIn("quarantine")]).toEqual([0, 0]);
    }
  }, 900_000);

  it("the seal notebook refuses a batch whose parts disagree with Copy's count, or that has none, or widgets outside the landing contract, and writes no manifest", async () => {
    const lake = join(work, "seal-refusals", "lake");
    const { batchId, folder } = copyBatchFolder(
      lake,
      salesOrderLines,
      new Date(Date.UTC(2026, 0, 2)),
      "adfc0001",
    );
    const widgets = sealWidgets(lake, salesOrderLines, batchId, 3);
    await expect(suite.spark.runNotebook(sealBatchNotebook(), widgets)).rejects.toThrow(
      /no part files in .*nothing was landed/,
    );
    writeFileSync(join(folder, partFileName(0, "jsonl")), jsonl([line(1), line(2)]));
    await expect(suite.spark.runNotebook(sealBatchNotebook(), widgets)).rejects.toThrow(
      /Copy reported 3 rows but the part files hold 2/,
    );
    expect(existsSync(join(folder, MANIFEST_FILE))).toBe(false);
    // The folder is built from the widgets: a value outside the landing contract is refused.
    const outside = join(lake, "escaped");
    for (const [widget, value, message] of [
      ["entity", "../escaped", /widget entity has a value outside/],
      ["batch_id", "../../escaped", /widget batch_id has a value outside/],
      ["ingest_date", "2026-01-03", /widget ingest_date 2026-01-03 is not the date of batch/],
    ] as const) {
      await expect(
        suite.spark.runNotebook(sealBatchNotebook(), { ...widgets, [widget]: value }),
        widget,
      ).rejects.toThrow(message);
    }
    expect(existsSync(outside)).toBe(false);
  }, 300_000);

  it("the seal notebook hashes parts without JVM access, as on serverless compute, and names a part too big for that", async () => {
    // Serverless and standard access mode compute refuse the JVM the notebook streams a hash
    // through; the session here refuses it as Spark Connect does.
    const lake = join(work, "seal-without-jvm", "lake");
    const sealIn = (n: number, part: (path: string) => void) => {
      const at = new Date(Date.UTC(2026, 0, 3 + n));
      const { batchId, folder } = copyBatchFolder(lake, salesOrderLines, at, `adfc000${n}`);
      part(join(folder, partFileName(0, "jsonl")));
      const widgets = { ...sealWidgets(lake, salesOrderLines, batchId, 0), rows_copied: "" };
      return { folder, run: () => suite.spark.runNotebook(sealBatchNotebook(), widgets, { jvm: false }) };
    };
    const bytes = jsonl([line(1), line(2), line(3)]);
    const small = sealIn(1, (path) => writeFileSync(path, bytes));
    expect(JSON.parse((await small.run()) ?? "{}")).toMatchObject({ sealed: true, rows: 3 });
    const manifest = landingManifestSchema.parse(
      JSON.parse(readFileSync(join(small.folder, MANIFEST_FILE), "utf8")),
    );
    expect(manifest.files).toEqual([
      {
        path: partFileName(0, "jsonl"),
        rows: 3,
        bytes: Buffer.byteLength(bytes),
        sha256: createHash("sha256").update(bytes).digest("hex"),
      },
    ]);
    // A 2 GiB part (sparse: nothing is written), refused before it is read.
    const big = sealIn(2, (path) => {
      writeFileSync(path, "");
      truncateSync(path, 2 ** 31);
    });
    await expect(big.run()).rejects.toThrow(
      /cannot hash .*part-00000\.jsonl: it is 2147483648 bytes.*under 2 GiB.*dedicated \(single user\) cluster.*JVM_ATTRIBUTE_NOT_SUPPORTED/s,
    );
    expect(existsSync(join(big.folder, MANIFEST_FILE))).toBe(false);
  }, 300_000);

  it("on Parquet files with typed, struct, list and map columns, and a name with a backtick: the same text, the same rescued JSON", async () => {
    // Spark reads the files with their own types; both engines check each value as text, and
    // keep the columns the entity does not know as JSON, in the file's order.
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    const files = [1, 2].map((n) => join(work, `parquet-${n}.parquet`));
    for (const [i, path] of files.entries()) {
      await con.run(
        `COPY (SELECT 'SO' || lpad(CAST(k AS VARCHAR), 8, '0') AS OrderID, CAST(1 + k % 3 AS INTEGER) AS LineNo,
           DATE '2026-01-05' + CAST(k AS INTEGER) AS order_date, 'C000001' AS customer_id, 'P-00001' AS product_id,
           CAST(CASE WHEN k = 7 THEN -1 ELSE k END AS BIGINT) AS quantity,
           CAST(CASE WHEN k = 12 THEN 1.2345 ELSE k * 1.25 END AS DECIMAL(18, 4)) AS unit_price,
           CAST(NULL AS DOUBLE) AS discount_pct, 'EUR' AS currency, 'open' AS status, 'web' AS channel,
           TIMESTAMPTZ '2026-01-05 10:00:00+00' + INTERVAL (k) MINUTE AS updated_at, k % 5 = 0 AS is_deleted,
           CASE WHEN k % 2 = 0 THEN {'city': 'Oslo', 'zip': k} END AS zone, [k, k + 1] AS tags, MAP {'a': k} AS attrs,
           CAST(k * 0.5 AS DOUBLE) AS "odd\`name"
         FROM range(${i * 10 + 1}, ${i * 10 + 11}) t(k)) TO '${path}' (FORMAT parquet)`,
      );
    }
    con.closeSync();
    db.closeSync();
    const out = await parity(
      "parquet",
      salesOrderLines,
      undefined,
      files.map((f, i) => ({ name: `p${i}.parquet`, bytes: readFileSync(f) })),
    );
    // A wider decimal's zeros past the entity's scale (2.5000 into decimal(12,2)) load; other
    // digits there (1.2345) would be rounded away, and quarantine the row.
    expect(out["bronze.sales_order_lines"]).toHaveLength(18);
    expect(out["quarantine.sales_order_lines"]).toHaveLength(2);
    expect(out["bronze.sales_order_lines"]?.find((r) => r.startsWith("SO00000002|"))?.split("|")[6]).toBe(
      "2.50",
    );
    // A column whose name holds a backtick (a double: Spark names it in SQL expressions too).
    const rescued = JSON.stringify({
      zone: '{"city":"Oslo","zip":2}',
      tags: "[2,3]",
      attrs: '{"a":2}',
      "odd`name": "1",
    });
    expect(
      out["bronze.sales_order_lines"]?.find((r) => r.startsWith("SO00000002|"))?.endsWith(`|${rescued}`),
    ).toBe(true);
  }, 1_500_000);

  it("on a Parquet file Spark wrote with INT96 timestamps: the same instants, fractions and old dates alike", async () => {
    // Hive, Impala and older Spark jobs write timestamps as INT96; DuckDB reads them as
    // TIMESTAMP, Spark as its session's TIMESTAMP. One key column and one rescued column of them.
    const dir = join(work, "int96-out");
    await suite.spark.sql("SET spark.sql.parquet.outputTimestampType = INT96");
    try {
      await suite.spark.sql(
        `INSERT OVERWRITE DIRECTORY '${dir}' USING parquet
         SELECT /*+ COALESCE(1) */ concat('SO', lpad(CAST(k AS STRING), 8, '0')) AS OrderID, 1 AS LineNo,
           DATE '2026-01-05' AS order_date, 'C000001' AS customer_id, 'P-00001' AS product_id, CAST(k AS INT) AS quantity,
           CAST(9.5 AS DECIMAL(12, 2)) AS unit_price, CAST(NULL AS DOUBLE) AS discount_pct, 'EUR' AS currency,
           'open' AS status, 'web' AS channel,
           element_at(array(TIMESTAMP '2026-01-05 10:00:00', TIMESTAMP '2026-01-05 10:00:00.123456',
             TIMESTAMP '1969-12-31 23:59:59.999999', TIMESTAMP '2025-06-30 23:59:59.75'), CAST(k AS INT)) AS updated_at,
           false AS is_deleted,
           element_at(array(TIMESTAMP '1500-01-01 00:00:00', TIMESTAMP '1899-12-31 12:00:00.5',
             CAST(NULL AS TIMESTAMP), TIMESTAMP '9999-12-31 23:59:59.999999'), CAST(k AS INT)) AS legacy_at
         FROM range(1, 5) t(k)`,
      );
    } finally {
      await suite.spark.sql("RESET spark.sql.parquet.outputTimestampType");
    }
    const part = readdirSync(dir).find((f) => f.endsWith(".parquet"))!;
    const out = await parity("int96", salesOrderLines, undefined, [
      { name: "int96.parquet", bytes: readFileSync(join(dir, part)) },
    ]);
    const at = (k: number) =>
      out["bronze.sales_order_lines"]?.find((r) => r.startsWith(`SO0000000${k}|`))?.split("|");
    expect([1, 2, 3, 4].map((k) => [at(k)?.[11], at(k)?.at(-1)])).toEqual([
      ["2026-01-05 10:00:00.000000", JSON.stringify({ legacy_at: "1500-01-01 00:00:00" })],
      ["2026-01-05 10:00:00.123456", JSON.stringify({ legacy_at: "1899-12-31 12:00:00.5" })],
      ["1969-12-31 23:59:59.999999", "∅"],
      ["2025-06-30 23:59:59.750000", JSON.stringify({ legacy_at: "9999-12-31 23:59:59.999999" })],
    ]);
  }, 1_500_000);

  it("on Parquet dates and timestamps into columns of declared formats: written in the column's pattern when it holds them whole", async () => {
    // An entity declared for CSV files (d/M/yyyy, M/d/yyyy H:mm) fed by a Parquet export: a typed
    // DATE, or a timestamp at midnight, is the day it names; a time the pattern has no field for
    // (00:00:01 in a date, seconds in H:mm) is refused, not cut off. A rescued column keeps its text.
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    const path = join(work, "datetimes.parquet");
    await con.run(
      `COPY (SELECT 'R' || k AS ReturnID,
         [DATE '2026-01-05', DATE '0005-11-30', DATE '2026-01-07', DATE '2026-01-08', DATE '2024-02-29', NULL][k] AS day,
         [TIMESTAMP '2026-01-05', TIMESTAMP '2026-01-05 00:00:01', NULL, NULL, TIMESTAMP '1900-03-01', NULL][k] AS iso_day,
         [TIMESTAMPTZ '2026-01-05 10:00:00+00', TIMESTAMPTZ '2026-01-05 10:01:00+00', TIMESTAMPTZ '2026-01-05 10:01:30+00',
          TIMESTAMPTZ '2026-12-25 23:59:00+05', TIMESTAMPTZ '2026-01-05 00:00:00+00', TIMESTAMPTZ '2026-01-05 00:00:00+00'][k] AS Returned,
         CAST([TIMESTAMP '2026-01-05 10:00:07.123', NULL, NULL, NULL, TIMESTAMP '1969-12-31 23:59:59.999', NULL][k] AS TIMESTAMP_MS) AS fine_at,
         [DATE '2026-01-05', NULL, NULL, NULL, DATE '2026-03-01', NULL][k] AS plain_at,
         DATE '2026-01-09' AS legacy_day
       FROM range(1, 7) t(k)) TO '${path}' (FORMAT parquet)`,
    );
    con.closeSync();
    db.closeSync();
    const out = await parity("datetimes", returns, undefined, [
      { name: "datetimes.parquet", bytes: readFileSync(path) },
    ]);
    const silver = out["silver.returns"]?.map((r) => r.split("|").slice(0, 6).join("|")).sort();
    expect(silver).toEqual([
      "R1|2026-01-05|2026-01-05|2026-01-05 10:00:00.000000|2026-01-05 10:00:07.123000|2026-01-05 00:00:00.000000",
      "R4|2026-01-08|∅|2026-12-25 18:59:00.000000|∅|∅",
      "R5|2024-02-29|1900-03-01|2026-01-05 00:00:00.000000|1969-12-31 23:59:59.999000|2026-03-01 00:00:00.000000",
    ]);
    const refused = out["quarantine.returns"]?.map((r) => r.split("|")).map((f) => [f[2], f[3]]);
    expect(refused?.sort()).toEqual([
      ["2", expect.stringMatching(/iso_day\.parse/)],
      ["3", expect.stringMatching(/returned_at\.parse/)],
      ["6", expect.stringMatching(/day\.not_null/)],
    ]);
    // The checked text: the date in the column's pattern, the second kept where it is refused.
    const raw = (row: string) => out["quarantine.returns"]?.find((r) => r.split("|")[2] === row);
    expect(raw("2")).toContain(
      '"day":"30/11/0005","iso_day":"2026-01-05 00:00:01","Returned":"1/5/2026 10:01"',
    );
    expect(raw("3")).toContain('"Returned":"2026-01-05 10:01:30"');
    expect(out["bronze.returns"]?.[0]?.endsWith(`|${JSON.stringify({ legacy_day: "2026-01-09" })}`)).toBe(
      true,
    );
  }, 1_500_000);

  it("on a Parquet file of nanosecond timestamps, as pandas writes them: the same text, the same days, nothing cut", async () => {
    // Spark reads no nanosecond timestamp as one: the notebook reads the count ingest named and
    // writes it as DuckDB does, a timestamp adjusted to UTC cut to the microsecond towards zero.
    const path = pandasParquet();
    const out = await parity("pandas", returns, undefined, [
      { name: "pandas.parquet", bytes: readFileSync(path) },
    ]);
    const manifest = (
      await listLandedManifests(new LocalLakeStore(join(work, "pandas", "lake")), "returns")
    )[0];
    expect(manifest?.files[0]?.nanosecondTimestamps).toEqual([
      { column: "day", utc: false },
      { column: "iso_day", utc: false },
      { column: "Returned", utc: true },
      { column: "fine_at", utc: false },
      { column: "plain_at", utc: false },
      { column: "legacy_at", utc: false },
      { column: "legacy_utc", utc: true },
    ]);
    expect(out["silver.returns"]?.map((r) => r.split("|").slice(0, 6).join("|")).sort()).toEqual([
      "R1|2026-01-05|2026-01-05|2026-01-05 10:00:00.000000|2026-01-05 10:00:00.123000|2026-01-05 00:00:00.123456",
      "R4|1969-12-31|∅|2026-01-05 00:00:00.000000|2026-01-05 00:00:00.001000|2026-01-05 00:00:00.500000",
    ]);
    const refused = Object.fromEntries(
      (out["quarantine.returns"] ?? []).map((r) => r.split("|")).map((f) => [f[2], [f[3], f[5]]]),
    );
    expect(Object.keys(refused).sort()).toEqual(["2", "3"]);
    // A nanosecond past a day, or a minute, is no whole day or minute; a fraction of six digits
    // is no SSS. A rescued column keeps every digit DuckDB keeps.
    expect(refused["2"]?.[0]).toBe("returned_at.parse;fine_at.parse");
    expect(refused["2"]?.[1]).toContain(
      '"day":"6/1/2026","iso_day":null,"Returned":"2026-01-05 10:00:00.000001","fine_at":"2026-01-05 00:00:00.123456"',
    );
    expect(refused["3"]?.[0]).toBe("day.parse;iso_day.parse");
    expect(refused["3"]?.[1]).toContain(
      '"day":"2026-01-05 00:00:00.000000001","iso_day":"2026-01-05 01:00:00"',
    );
    const rescued = (id: string) => rescuedIn(out["bronze.returns"], id);
    expect(rescued("R1")).toEqual({
      legacy_at: "1969-12-31 23:59:58.999999999",
      legacy_utc: "1969-12-31 23:59:59",
    });
    expect(rescued("R4")).toEqual({
      legacy_at: "2026-01-05 00:00:00",
      legacy_utc: "1970-01-01 00:00:00",
    });
  }, 1_500_000);

  it("on Parquet BINARY columns, as Impala and Hive store text: UTF-8 read as its text, other bytes written alike", async () => {
    // A BINARY column with no string type: Spark's cast reads its bytes as text, DuckDB's escapes
    // every byte past ASCII, and quotes and backslashes too.
    const path = pyarrowParquet(
      "binary.parquet",
      `
b = lambda *v: pa.array(v, pa.binary())
table = pa.table({
    "ReturnID": b(b"R1", "Rü2".encode(), b"R'3", b"R\\xff4", b'R"\\\\5'),
    "day": ["5/1/2026"] * 5,
    "Returned": ["1/5/2026 10:00"] * 5,
    "iso_day": ["2026-01-05"] * 5,
    "fine_at": pa.array([None] * 5, pa.string()),
    "plain_at": pa.array([None] * 5, pa.string()),
    "note": b("Zürich".encode(), b"tab\\there", b"M\\xfcller", None, b"\\x00"),
    "code": pa.array([b"ab", b"\\xc3\\xbc", b"\\x00\\x01", b"\\xff\\xfe", b"zz"], pa.binary(2)),
})`,
    );
    const out = await parity("binary", returns, undefined, [
      { name: "binary.parquet", bytes: readFileSync(path) },
    ]);
    expect(out["silver.returns"]?.map((r) => r.split("|")[0]).sort()).toEqual([
      'R"\\5',
      "R'3",
      "R1",
      "R\\xFF4",
      "Rü2",
    ]);
    const rescued = (id: string) => rescuedIn(out["bronze.returns"], id);
    expect(rescued("R1")).toEqual({ note: "Zürich", code: "ab" });
    expect(rescued("Rü2")).toEqual({ note: "tab\there", code: "ü" });
    expect(rescued("R'3")).toEqual({ note: "M\\xFCller", code: "\u0000\u0001" });
    expect(rescued("R\\xFF4")).toEqual({ code: "\\xFF\\xFE" });
    expect(rescued('R"\\5')).toEqual({ note: "\u0000", code: "zz" });
  }, 1_500_000);

  it("names a batch's nanosecond timestamp columns, and the fix, when the compute refuses the conf that reads them", async () => {
    const lake = join(work, "pandas-refused", "lake");
    const landed = await landFiles({
      store: new LocalLakeStore(lake),
      entity: returns,
      paths: [pandasParquet()],
      force: true,
      now: new Date(Date.UTC(2026, 0, 1)),
    });
    const bronze = generateNotebooks(returns).find((nb) => nb.stepId === "bronze")!;
    await expect(
      suite.spark.runNotebook(bronze.source, notebookWidgets(lake, "run-refused", landed.batchId), {
        refusedConfs: ["spark.sql.legacy.parquet.nanosAsLong"],
      }),
    ).rejects.toThrow(
      /landing\/returns\/.*: columns stored as nanosecond timestamps, in part-00000\.parquet \(day, iso_day, Returned, fine_at, plain_at, legacy_at, legacy_utc\).*CONFIG_NOT_AVAILABLE.*coerce_timestamps='us'/s,
    );
  }, 300_000);

  it("names the file and the fix when a Parquet column is of a type Spark cannot read (TIME)", async () => {
    const path = join(work, "time.parquet");
    const wrote = spawnSync(
      sparkPython(),
      [
        "-c",
        `import pyarrow as pa, pyarrow.parquet as pq
pq.write_table(pa.table({"ReturnID": ["R1"], "day": pa.array([0], pa.date32()), "Returned": pa.array([0], pa.timestamp("us", tz="UTC")), "iso_day": [None], "fine_at": [None], "plain_at": [None], "at_time": pa.array([3600 * 10**6], pa.time64("us"))}), ${JSON.stringify(path)})`,
      ],
      { encoding: "utf8" },
    );
    expect(wrote.stderr).toBe("");
    const lake = join(work, "time-refused", "lake");
    const landed = await landFiles({
      store: new LocalLakeStore(lake),
      entity: returns,
      paths: [path],
      force: true,
    });
    const bronze = generateNotebooks(returns).find((nb) => nb.stepId === "bronze")!;
    await expect(
      suite.spark.runNotebook(bronze.source, notebookWidgets(lake, "run-time", landed.batchId)),
    ).rejects.toThrow(
      /landing\/returns\/.*: part-00000\.parquet has a column of a Parquet type Spark cannot read \(.*PARQUET_TYPE_ILLEGAL.*TIME.*\)\. Write it as text/,
    );
  }, 300_000);

  it("on Parquet doubles and floats: the same text (JavaScript's), so whole numbers load as integers on both", async () => {
    // Java writes 12345678.5 as 1.23456785E7 and 14.0 as "14.0"; both engines now write what
    // JavaScript's String(x) does, floats with their own shortest digits (ties to even).
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    const path = join(work, "doubles.parquet");
    await con.run(
      `COPY (SELECT 'SO' || lpad(CAST(k AS VARCHAR), 8, '0') AS OrderID, 1 AS LineNo, DATE '2026-01-05' AS order_date,
         'C000001' AS customer_id, 'P-00001' AS product_id,
         CAST([14, 2.5, 3, 1e7, 5, 1, 2, 3][k] AS DOUBLE) AS quantity,
         CAST([19.99, 0.1, 12345678.5, 1, 0.30000000000000004, 1e-7, 7.25, 100][k] AS DOUBLE) AS unit_price,
         CAST([12.5, NULL, 0.1, 99.99, 1, 0, 2, 3][k] AS FLOAT) AS discount_pct,
         'EUR' AS currency, 'open' AS status, 'web' AS channel,
         TIMESTAMPTZ '2026-01-05 10:00:00+00' + INTERVAL (k) MINUTE AS updated_at, false AS is_deleted,
         CAST(['1e21', '1.5e-7', 'nan', 'inf', '-0.0', '2e23', '123456789.125', NULL][k] AS DOUBLE) AS score,
         CAST(['-1725938.3', '3.4e38', '1e-45', '0.1', '16777217', NULL, '1234.109375', '7'][k] AS FLOAT) AS weight
       FROM range(1, 9) t(k)) TO '${path}' (FORMAT parquet)`,
    );
    con.closeSync();
    db.closeSync();
    const out = await parity("doubles", salesOrderLines, undefined, [
      { name: "doubles.parquet", bytes: readFileSync(path) },
    ]);
    // 2.5 is no int; 1e7 is over the maximum; 0.30000000000000004 and 1e-7 have too many decimals.
    expect(out["quarantine.sales_order_lines"]).toHaveLength(4);
    expect(out["silver.sales_order_lines"]).toHaveLength(4);
    const first = out["bronze.sales_order_lines"]?.find((r) => r.startsWith("SO00000001|"));
    expect(first?.endsWith(`|${JSON.stringify({ score: "1e+21", weight: "-1725938.2" })}`)).toBe(true);
  }, 1_500_000);

  it.each([
    ["each batch's files together", "files", {}],
    ["a.csv alone, b.csv and c.csv together", "files-split", { groupRows: 2 }],
  ] as const)(
    "on batches of several CSV files, read together and alone: the same files, row numbers and winners (Spark: %s)",
    async (_, name, options) => {
      // DuckDB reads the first batch's three files together and each later file alone (d.csv has
      // its columns in another order). Spark reads the files of a batch that have up to
      // groupRows rows together: by default all three, a.csv and b.csv in one task and c.csv in
      // another (two cores); with 2, a.csv (3 rows) alone. Key 1 is in a.csv and b.csv at the same
      // time, so lineage (file, then row) decides which version silver keeps.
      const out = await parity(
        name,
        salesOrderLines,
        salesOrderStar,
        [
          {
            files: [
              { name: "a.csv", bytes: csvText([line(1), line(2, { quantity: -1 }), line(3)]) },
              { name: "b.csv", bytes: csvText([line(4), line(1, { quantity: 4 })]) },
              { name: "c.csv", bytes: csvText([line(5), line(6, { currency: "BTC" })]) },
            ],
          },
          {
            name: "d.csv",
            bytes: csvText([line(7), line(5, { quantity: 2, updated_at: "2026-01-05T11:00:00Z" })], true),
          },
          { name: "e.csv", bytes: csvText([line(3, { quantity: 8, updated_at: "2026-01-06T10:00:00Z" })]) },
        ],
        [],
        undefined,
        options,
      );
      expect(placed(out["bronze.sales_order_lines"])).toEqual([
        "1@0000:0:1",
        "1@0000:1:2",
        "3@0000:0:3",
        "3@0002:0:1",
        "4@0000:1:1",
        "5@0000:2:1",
        "5@0001:0:2",
        "7@0001:0:1",
      ]);
      expect(out["quarantine.sales_order_lines"]).toHaveLength(2);
      expect(out["silver.sales_order_lines"]).toHaveLength(5);
      // Key 1's versions tie on updated_at: the first read (a.csv, before b.csv) is kept.
      expect(quantityOf(out["silver.sales_order_lines"], "SO00000001")).toBe("1");
    },
    1_500_000,
  );

  it.each([
    ["one file", "ragged-csv", false],
    ["two files read together", "ragged-csv-files", true],
  ] as const)(
    "on CSV rows with more or fewer fields than their header, and empty values: the same quarantine and the same rows loaded (%s)",
    async (_, name, split) => {
      // An unquoted comma moves every later value one column right, a row that lacks its last
      // field has fewer fields than the header and one with a trailing delimiter more, and a line
      // break in a value that is not quoted makes two short rows: all quarantined. Empty values
      // (quoted too, the last one too) and quoted commas load, their values where they belong.
      const text = csvText([
        line(1),
        line(2, { channel: "web" }),
        line(3),
        line(4, { channel: null, discount_pct: null, is_deleted: null }),
        line(5, { channel: "web" }),
        line(6),
        line(7, { channel: "web" }),
        line(8, { channel: "web" }),
      ]).split("\n");
      // Two fields more, one of them quoted with a comma inside: the quarantine keeps both.
      const past = text[2]!.split(",").slice(-2);
      text[2] = text[2]!.replace(",web,", ',web,shop,"a, b",');
      text[3] = text[3]!.replace(/,[^,]*$/, "");
      text[4] = text[4]!.replace(",,", ',"",');
      text[5] = text[5]!.replace(",web,", ',"web, shop",');
      // A trailing delimiter, and 299 more: the quarantine keeps the first MAX_EXTRA_FIELDS.
      text[6] = `${text[6]},${",".repeat(299)}`;
      // Short by one field, with two commas in quotes: its fields are counted outside quotes.
      text[7] = text[7]!.replace(",web,", ',"w, e, b",').replace(/,[^,]*$/, "");
      text[8] = text[8]!.replace(",web,", ",w\neb,");
      const [header, ...rows] = text;
      const file = (n: string, ls: string[]) => ({ name: n, bytes: [header, ...ls, ""].join("\n") });
      const out = await parity(name, salesOrderLines, undefined, [
        split
          ? { files: [file("a.csv", rows.slice(0, 4)), file("b.csv", rows.slice(4, 8))] }
          : file("a.csv", rows),
      ]);
      const rule = (order: string) =>
        out["quarantine.sales_order_lines"]?.find((r) => r.includes(order))?.match(/row\.fields_\w+/)?.[0];
      expect(out["quarantine.sales_order_lines"]).toHaveLength(6);
      expect(["SO00000002", "SO00000003", "SO00000006", "SO00000007", "SO00000008"].map(rule)).toEqual([
        "row.fields_extra",
        "row.fields_missing",
        "row.fields_extra",
        "row.fields_missing",
        "row.fields_missing",
      ]);
      const quarantined = (order: string) =>
        out["quarantine.sales_order_lines"]?.find((r) => r.includes(order));
      expect(quarantined("SO00000002")).toContain(`"_saleslake_extra_fields":${JSON.stringify(past)}}`);
      expect(quarantined("SO00000006")).toContain(
        `"_saleslake_extra_fields":${JSON.stringify(Array(MAX_EXTRA_FIELDS).fill(""))}}`,
      );
      expect(out["silver.sales_order_lines"]?.map((r) => r.split("|")[0])).toEqual([
        "SO00000001",
        "SO00000004",
        "SO00000005",
      ]);
      expect(out["silver.sales_order_lines"]?.find((r) => r.startsWith("SO00000005|"))).toContain(
        "|web, shop|",
      );
    },
    1_500_000,
  );

  it("on a CSV file with a column the entity ignores: rows with more or fewer fields are still quarantined", async () => {
    // No later step reads the ignored column; Spark must still read every field of a row to
    // count them.
    const ignoring: Entity = {
      ...salesOrderLines,
      contract: { ...salesOrderLines.contract, unknownColumns: "ignore" },
    };
    const text = csvText([line(1), line(2), line(3), line(4)].map((l, i) => ({ ...l, note: `n${i}` }))).split(
      "\n",
    );
    text[2] = `${text[2]},x`;
    text[3] = text[3]!.replace(/,[^,]*$/, "");
    const out = await parity("ignored-column-csv", ignoring, undefined, [
      { name: "a.csv", bytes: text.join("\n") },
    ]);
    const rules = out["quarantine.sales_order_lines"]?.map((r) => r.match(/row\.fields_\w+/)?.[0]);
    expect(rules?.sort()).toEqual(["row.fields_extra", "row.fields_missing"]);
    expect(out["silver.sales_order_lines"]?.map((r) => r.split("|")[0])).toEqual([
      "SO00000001",
      "SO00000004",
    ]);
  }, 1_500_000);

  it("on numbers padded with spaces, no-break and ideographic spaces: trimmed on both; a tab is data, refused on both", async () => {
    const text = csvText([
      line(1, { quantity: " 2 " }),
      line(2, { quantity: "3\u00a0" }),
      line(3, { unit_price: "\u300010.00" }),
      line(4, { quantity: "4\t" }),
      line(5),
    ]);
    const out = await parity("unicode-space-csv", salesOrderLines, undefined, [
      { name: "a.csv", bytes: text },
    ]);
    const rules = out["quarantine.sales_order_lines"]?.map((r) => r.match(/(quantity|unit_price)\.\w+/)?.[0]);
    expect(rules).toEqual(["quantity.parse"]);
    expect(
      out["silver.sales_order_lines"]?.map((r) => {
        const f = r.split("|");
        return `${f[0]} ${f[5]} ${f[6]}`;
      }),
    ).toEqual(["SO00000001 2 10.00", "SO00000002 3 10.00", "SO00000003 1 10.00", "SO00000005 1 10.00"]);
  }, 1_500_000);

  it("on a definition that gains a nullable column, widens int to bigint and drops a column: the same tables; a narrowing refused on both", async () => {
    const dir = join(work, "evolving");
    const lake = join(dir, "lake");
    const store = new LocalLakeStore(lake);
    mkdirSync(dir, { recursive: true });
    for (const schema of ["bronze", "silver", "gold", "quarantine", "saleslake"])
      await suite.spark.sql(`DROP SCHEMA IF EXISTS spark_catalog.${schema} CASCADE`);
    const define = (columns: Parameters<typeof defineEntity>[0]["columns"]) =>
      defineEntity({ name: "visits", columns, key: ["id"], sequence: "updated_at" });
    const runNotebook = async (source: string, params: Record<string, string>) => {
      await suite.spark.sql("SET spark.sql.session.timeZone = UTC");
      return suite.spark.runNotebook(source, params);
    };
    /** Lands `rows` for `entity`, then runs it on both engines. */
    const load = async (entity: Entity, rows: Line[], minute: number) => {
      const file = join(dir, `${minute}.jsonl`);
      writeFileSync(file, jsonl(rows));
      const now = new Date(Date.UTC(2026, 0, 1, 0, minute));
      const { batchId } = await landFiles({ store, entity, paths: [file], force: true, now });
      const duck = await runPipeline({ dir, lakeRoot: lake, entities: [entity], stars: [] }).catch(
        (e: Error) => e,
      );
      const params = notebookWidgets(lake, `run-${batchId}`, batchId);
      let spark: unknown;
      for (const nb of generateNotebooks(entity)) {
        spark = await runNotebook(nb.source, params).catch((e: Error) => e);
        if (spark instanceof Error) break;
      }
      return { duck, spark };
    };
    const at = "2026-01-05T10:00:00Z";
    const v1 = define({ id: t.int(), qty: t.int(), note: t.string(), updated_at: t.timestamp() });
    const first = await load(v1, [{ id: 1, qty: 2, note: "first", updated_at: at }], 1);
    expect([first.duck, first.spark]).not.toContainEqual(expect.any(Error));
    const v2 = define({
      id: t.int(),
      qty: t.bigint(),
      updated_at: t.timestamp(),
      region: t.string().nullable(),
    });
    const second = await load(v2, [{ id: 2, qty: "3000000000", region: "north", updated_at: at }], 2);
    expect([second.duck, second.spark]).not.toContainEqual(expect.any(Error));

    const schemas = ["bronze", "silver", "quarantine"];
    const duck = await duckTables(dir, schemas);
    // id, qty, note (kept, from the first definition), …, region (added last).
    expect(
      duck.out["silver.visits"]?.map((r) => r.split("|")).map((f) => [f[0], f[1], f[2], f.at(-1)]),
    ).toEqual([
      ["1", "2", "first", "∅"],
      ["2", "3000000000", "∅", "north"],
    ]);
    const sp = await sparkTables(duck.tables);
    for (const table of Object.keys(duck.out))
      expect({ table, rows: sp[table] }).toEqual({ table, rows: duck.out[table] });

    // qty back to int, which 3000000000 does not fit: refused on both, before any table changes.
    const v3 = define({
      id: t.int(),
      qty: t.int(),
      updated_at: t.timestamp(),
      region: t.string().nullable(),
    });
    const third = await load(v3, [{ id: 3, qty: 1, region: "south", updated_at: at }], 3);
    expect(third.duck).toMatchObject({
      code: "SCHEMA_CHANGE",
      message: expect.stringMatching(/^bronze\.visits: column qty is stored as BIGINT/),
    });
    expect(String(third.spark)).toMatch(
      /SCHEMA_CHANGE: bronze\.visits: column qty is stored as bigint; the definition makes it int/,
    );
    expect((await duckTables(dir, schemas)).out).toEqual(duck.out);
    expect(await sparkTables(duck.tables)).toEqual(sp);
  }, 1_500_000);

  it("on a changed key: refused on both while silver holds rows; a full refresh rebuilds by it, and a batch landed before a nullable column was added reads it as NULL", async () => {
    const dir = join(work, "rekeyed");
    const lake = join(dir, "lake");
    const store = new LocalLakeStore(lake);
    mkdirSync(dir, { recursive: true });
    for (const schema of ["bronze", "silver", "gold", "quarantine", "saleslake"])
      await suite.spark.sql(`DROP SCHEMA IF EXISTS spark_catalog.${schema} CASCADE`);
    const runNotebook = async (source: string, params: Record<string, string>) => {
      await suite.spark.sql("SET spark.sql.session.timeZone = UTC");
      return suite.spark.runNotebook(source, params);
    };
    const land = async (entity: Entity, rows: Line[], minute: number) => {
      const file = join(dir, `${minute}.jsonl`);
      writeFileSync(file, jsonl(rows));
      const now = new Date(Date.UTC(2026, 0, 1, 0, minute));
      return (await landFiles({ store, entity, paths: [file], force: true, now })).batchId;
    };
    /** Runs `entity` on both engines: the local engine's pending batches, the notebooks on `batchId`. */
    const run = async (entity: Entity, batchId: string, fullRefresh = false) => {
      const duck = await runPipeline({
        dir,
        lakeRoot: lake,
        entities: [entity],
        stars: [],
        ...(fullRefresh && { mode: "full_refresh" as const }),
      }).catch((e: Error) => e);
      const params = notebookWidgets(lake, `run-${batchId}-${fullRefresh}`, batchId, fullRefresh);
      let spark: unknown;
      for (const nb of generateNotebooks(entity)) {
        spark = await runNotebook(nb.source, params).catch((e: Error) => e);
        if (spark instanceof Error) break;
      }
      return { duck, spark };
    };
    const columns = { id: t.int(), grp: t.string(), qty: t.int(), updated_at: t.timestamp() };
    const v1 = defineEntity({ name: "returns", columns, key: ["id"], sequence: "updated_at" });
    // Keyed by group now, with a nullable column more (the contract refuses files without it).
    const v2 = defineEntity({
      name: "returns",
      columns: { ...columns, note: t.string().nullable() },
      key: ["grp"],
      sequence: "updated_at",
    });
    const first = await land(
      v1,
      [
        { id: 1, grp: "a", qty: 1, updated_at: "2026-01-05T10:00:00Z" },
        { id: 2, grp: "a", qty: 2, updated_at: "2026-01-05T11:00:00Z" },
      ],
      1,
    );
    const one = await run(v1, first);
    expect([one.duck, one.spark]).not.toContainEqual(expect.any(Error));
    const second = await land(v1, [{ id: 3, grp: "b", qty: 3, updated_at: "2026-01-05T12:00:00Z" }], 2);

    const schemas = ["bronze", "silver", "quarantine"];
    const before = await duckTables(dir, schemas);
    const refused = await run(v2, second);
    expect(refused.duck).toMatchObject({
      code: "SCHEMA_CHANGE",
      message:
        "returns: the definition's key is (grp); silver's rows were merged by (id), and merging by another key would keep two rows of one key",
    });
    expect(String(refused.spark)).toMatch(
      /SCHEMA_CHANGE: returns: the definition's key is \(grp\); silver's rows were merged by \(id\)/,
    );
    expect((await duckTables(dir, schemas)).out).toEqual(before.out);
    expect(await sparkTables(before.tables)).toEqual(before.out);

    // A full refresh by the new key, then the batch landed under the first definition.
    const rebuilt = await run(v2, first, true);
    expect([rebuilt.duck, rebuilt.spark]).not.toContainEqual(expect.any(Error));
    const next = await run(v2, second);
    expect([next.duck, next.spark]).not.toContainEqual(expect.any(Error));
    const duck = await duckTables(dir, schemas);
    expect(
      duck.out["silver.returns"]?.map((r) => r.split("|")).map((f) => [f[0], f[1], f[2], f.at(-1)]),
    ).toEqual([
      ["2", "a", "2", "∅"],
      ["3", "b", "3", "∅"],
    ]);
    const sp = await sparkTables(duck.tables);
    for (const table of Object.keys(duck.out))
      expect({ table, rows: sp[table] }).toEqual({ table, rows: duck.out[table] });
  }, 1_500_000);

  it("on short CSV rows under the contract shortRows: null: the same rows loaded, their missing fields NULL", async () => {
    // Trailing empty fields left out load; a row cut short before a required value breaks that
    // column's rule; a trailing delimiter is still a field more.
    const padded: Entity = {
      ...salesOrderLines,
      contract: { ...salesOrderLines.contract, shortRows: "null" },
    };
    const text = csvText([
      line(1, { is_deleted: null }),
      line(2, { channel: "web" }),
      line(3),
      line(4),
    ]).split("\n");
    text[1] = text[1]!.replace(/,$/, "");
    text[2] = text[2]!.replace(/(,[^,]*){2}$/, "");
    text[3] = `${text[3]},`;
    const out = await parity("short-csv-null", padded, undefined, [
      { name: "a.csv", bytes: text.join("\n") },
    ]);
    const rules = out["quarantine.sales_order_lines"]?.map(
      (r) => r.match(/(row\.fields_\w+|updated_at\.\w+)/)?.[0],
    );
    expect(rules?.sort()).toEqual(["row.fields_extra", "updated_at.not_null"]);
    expect(out["silver.sales_order_lines"]?.map((r) => r.split("|")[0])).toEqual([
      "SO00000001",
      "SO00000004",
    ]);
  }, 1_500_000);

  it("on a CSV file whose lines all end in the delimiter, its header too: the same rows loaded, a value under the unnamed column rescued", async () => {
    // A quarantined row keeps its rescued value with its raw values.
    const text = csvText([line(1), line(2), line(3, { quantity: -1 })])
      .trimEnd()
      .split("\n")
      .map((l, i) => `${l},${["", "", "x", "y"][i]}`);
    const out = await parity("trailing-delimiter-csv", salesOrderLines, undefined, [
      { name: "a.csv", bytes: `${text.join("\n")}\n` },
    ]);
    expect(out["silver.sales_order_lines"]).toHaveLength(2);
    expect(out["quarantine.sales_order_lines"]).toHaveLength(1);
    expect(out["quarantine.sales_order_lines"]?.[0]).toContain(',"_unnamed_14":"y"}');
    expect(out["bronze.sales_order_lines"]?.find((r) => r.startsWith("SO00000002|"))).toContain(
      '{"_unnamed_14":"x"}',
    );
  }, 1_500_000);

  it("on CSV files whose lines end in a CR alone, or in CR, LF and CRLF mixed, and with line breaks in quoted values: the same rows and values", async () => {
    const lines = (ls: readonly Record<string, unknown>[]) => csvText(ls).trimEnd().split("\n");
    const cr = lines([line(1), line(2, { quantity: -1 }), line(3)]);
    const mixed = lines([line(4), line(5), line(6), line(7)]);
    const quoted = lines([line(8), line(9, { channel: '"we\rb"' }), line(10)]);
    // A spreadsheet's export on Windows: CRLF, and CRLF in a cell of several lines.
    // …and a row with a field more, quoted over two lines: quarantined with it, its CRLF an LF.
    const windows = lines([line(11, { channel: "CELL" }), line(12), line(13)]).map((l) =>
      l.replace("CELL", '"we\r\nb\rc\nd"').replace(/^(SO00000013,.*)$/, '$1,"p\r\nq"'),
    );
    const out = await parity("line-breaks-csv", salesOrderLines, undefined, [
      { name: "cr.csv", bytes: `${cr.join("\r")}\r` },
      { name: "mixed.csv", bytes: `${mixed[0]}\r\n${mixed[1]}\r${mixed[2]}\n\r\n${mixed[3]}\r${mixed[4]}` },
      { name: "quoted.csv", bytes: `${quoted.join("\r")}\r` },
      { name: "windows.csv", bytes: `${windows.join("\r\n")}\r\n` },
    ]);
    expect(out["silver.sales_order_lines"]?.map((r) => r.split("|")[0])).toEqual(
      [1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((n) => `SO${String(n).padStart(8, "0")}`),
    );
    expect(
      JSON.stringify(out["silver.sales_order_lines"]?.find((r) => r.startsWith("SO00000011|"))),
    ).toContain(JSON.stringify("|we\nb\rc\nd|").slice(1, -1));
    expect(out["quarantine.sales_order_lines"]).toHaveLength(2);
    expect(
      JSON.stringify(out["quarantine.sales_order_lines"]?.find((r) => r.includes("SO00000013"))),
    ).toContain(JSON.stringify('"_saleslake_extra_fields":["p\\nq"]}').slice(1, -1));
    // Spark's multi-line reader turns the file's line break into LF inside values; so does DuckDB.
    expect(out["silver.sales_order_lines"]?.find((r) => r.startsWith("SO00000009|"))).toContain("|we\nb|");
  }, 1_500_000);

  it("on JSON keys an entity does not know with path characters and backticks in them: the same rescued values", async () => {
    const jsonl = [
      { ...line(1), "a/b~c": "y", "a.b": "z" },
      { ...line(2), "a'b": "x", 'a"b': "w", "$[0]": "v", "a`b": "u" },
    ]
      .map((l) => JSON.stringify(l))
      .join("\n");
    const out = await parity("odd-json-keys", salesOrderLines, undefined, [
      { name: "a.jsonl", bytes: `${jsonl}\n` },
    ]);
    expect(out["silver.sales_order_lines"]).toHaveLength(2);
    const bronze = out["bronze.sales_order_lines"] ?? [];
    // (A key with no name is refused when landed: Spark's reader drops it.)
    expect(bronze.find((r) => r.startsWith("SO00000001|"))).toContain('{"a.b":"z","a/b~c":"y"}');
    expect(bronze.find((r) => r.startsWith("SO00000002|"))).toContain(`"a'b":"x"`);
    expect(bronze.find((r) => r.startsWith("SO00000002|"))).toContain('"a`b":"u"');
  }, 1_500_000);

  it("on JSON objects and arrays under keys an entity does not know: the same compact text, keys in their order, numbers as read", async () => {
    // Written by hand: JSON.stringify would already write 1.50 as 1.5.
    const meta =
      '{"z": null, "c": "O\\u00e9\\"", "n": 1.50, "e": 1e2, "big": 12345678901234567890, "neg": -0.0, "t": 0.1, "i": 7, "b": true, "m": 12345678.5, "x": [1e21, 1.5e-7, 2e23, -0, 100, {"k": 1, "j": [2]}]}';
    // Numbers a double lays out otherwise, a bigint, and text with escapes, each as DuckDB writes it.
    const more =
      "[1e16, 0.000001, 1e-5, 5e-324, 1.7976931348623157e308, 1E2, 3.0, 1e20, 1e-7, 1.5e-6, 123e-9, -2.5e-8, 9007199254740993.0, 2.675, 100.5e3, 12345678901234567890123]";
    const text = String.raw`["a\nb", "\t", "\u0001", "\/", "\ud83d\ude00", "\\", "\""]`;
    const withKeys = (order: number, keys: string) => `${JSON.stringify(line(order)).slice(0, -1)}, ${keys}}`;
    const out = await parity("nested-json", salesOrderLines, undefined, [
      {
        name: "a.jsonl",
        bytes: `${withKeys(1, `"meta": ${meta}, "tags": [1, null, {"q": null}], "amt": 1.50, "cnt": -0, "big": 12345678901234567890123`).replace('"unit_price":"10.00"', '"unit_price":10.50')}\n${withKeys(2, `"tags": [], "more": ${more}, "text": ${text}, "amt": 1e2, "cnt": 5`).replace('"unit_price":"10.00"', '"unit_price":2.50e1')}\n`,
      },
    ]);
    const rescued = (order: string) => rescuedIn(out["bronze.sales_order_lines"], order);
    expect(rescued("SO00000001")).toEqual({
      meta: '{"z":null,"c":"Oé\\"","n":1.5,"e":100.0,"big":12345678901234567890,"neg":-0.0,"t":0.1,"i":7,"b":true,"m":12345678.5,"x":[1e21,1.5e-7,2e23,0,100,{"k":1,"j":[2]}]}',
      tags: '[1,null,{"q":null}]',
      amt: "1.5",
      cnt: "0",
      big: "12345678901234567890123",
    });
    // Numbers at the top level too, and feeding a decimal column (2.50e1 as 25.0, which the
    // grammar takes, as 2.50e1 it would not). A key holding numbers in some rows and text in
    // others is read as text by Spark, its numbers as written: not here.
    expect(out["silver.sales_order_lines"]?.map((r) => r.split("|")[6])).toEqual(["10.50", "25.00"]);
    expect(rescued("SO00000002")).toEqual({
      tags: "[]",
      amt: "100.0",
      cnt: "5",
      more: "[10000000000000000.0,0.000001,0.00001,5e-324,1.7976931348623157e308,100.0,3.0,100000000000000000000.0,1e-7,0.0000015,1.23e-7,-2.5e-8,9007199254740992.0,2.675,100500.0,12345678901234567890123]",
      text: String.raw`["a\nb","\t","\u0001","/","😀","\\","\""]`,
    });
  }, 1_500_000);

  it.each([
    ["the files of each schema together", "parquet-files", {}, true],
    ["a.parquet alone, b.parquet and c.parquet together", "parquet-files-split", { groupRows: 2 }, true],
    [
      "the files of each schema together, their schemas read from the files",
      "parquet-files-footers",
      {},
      false,
    ],
  ] as const)(
    "on batches of several Parquet files, read together when their schemas agree: the same files, row numbers and winners (Spark: %s)",
    async (_, name, options, recorded) => {
      // a, b and c share their schema; w holds quantity as BIGINT and d has its columns in another
      // order, so both engines read those two alone. Key 1 is in a and b, so lineage (file, then
      // row) decides which version silver keeps. Ingest records each part's schema in the
      // manifest; a manifest landed before it did has none, and the notebook reads the footers.
      const db = await DuckDBInstance.create(":memory:");
      const con = await db.connect();
      const parquet = async (
        file: string,
        ls: Record<string, unknown>[],
        opts: { reversed?: boolean; wide?: boolean } = {},
      ) => {
        const csvPath = join(work, `${name}-${file}.csv`);
        writeFileSync(csvPath, csvText(ls, opts.reversed));
        const path = join(work, `${name}-${file}`);
        await con.run(
          `COPY (SELECT * REPLACE (CAST(quantity AS ${opts.wide ? "BIGINT" : "INTEGER"}) AS quantity)
             FROM read_csv('${csvPath}', all_varchar = true)) TO '${path}' (FORMAT parquet)`,
        );
        return { name: file, bytes: readFileSync(path) };
      };
      const batches = [
        {
          files: [
            await parquet("a.parquet", [line(1), line(2, { quantity: -1 }), line(3)]),
            await parquet("b.parquet", [line(4), line(1, { quantity: 4 })]),
            await parquet("c.parquet", [line(5), line(6, { currency: "BTC" })]),
            await parquet("w.parquet", [line(8)], { wide: true }),
          ],
          manifest: (m: LandingManifest) => {
            const schemas = new Set(m.files.map((f) => f.parquetSchema));
            // Two schemas recorded: a, b and c's, and w's.
            expect([schemas.size, schemas.has(undefined)]).toEqual([2, false]);
            return recorded ? m : { ...m, files: m.files.map(({ parquetSchema, ...f }) => f) };
          },
        },
        await parquet("d.parquet", [line(7), line(5, { quantity: 2, updated_at: "2026-01-05T11:00:00Z" })], {
          reversed: true,
        }),
        await parquet("e.parquet", [line(3, { quantity: 8, updated_at: "2026-01-06T10:00:00Z" })]),
      ];
      con.closeSync();
      db.closeSync();
      const out = await parity(name, salesOrderLines, undefined, batches, [], undefined, options);
      expect(placed(out["bronze.sales_order_lines"])).toEqual([
        "1@0000:0:1",
        "1@0000:1:2",
        "3@0000:0:3",
        "3@0002:0:1",
        "4@0000:1:1",
        "5@0000:2:1",
        "5@0001:0:2",
        "7@0001:0:1",
        "8@0000:3:1",
      ]);
      expect(out["quarantine.sales_order_lines"]).toHaveLength(2);
      expect(out["silver.sales_order_lines"]).toHaveLength(6);
      // Key 1's versions tie on updated_at: the first read (a.parquet, before b.parquet) is kept.
      expect(quantityOf(out["silver.sales_order_lines"], "SO00000001")).toBe("1");
    },
    1_500_000,
  );

  it("on JSON Lines files Spark reads in several partitions, alone and together: the same row numbers", async () => {
    // Small splits make Spark read each file as consecutive ranges, one per partition; the
    // numbering must lay them end to end, per file when a batch's files are read together. Rules
    // broken far apart show where each row was.
    const rows = scatteredRows();
    await suite.spark.sql("SET spark.sql.files.maxPartitionBytes = 65536");
    try {
      const [one, two, three] = [rows.slice(0, 3000), rows.slice(3000, 4500), rows.slice(4500)].map(jsonl);
      expect(Math.min(one!.length / 8, two!.length / 4, three!.length / 4)).toBeGreaterThan(65536);
      const out = await parity("splits", salesOrderLines, undefined, [
        { name: "split.jsonl", bytes: one! },
        {
          files: [
            { name: "split-a.jsonl", bytes: two! },
            { name: "split-b.jsonl", bytes: three! },
          ],
        },
      ]);
      expect(out["silver.sales_order_lines"]).toHaveLength(6000 - 14);
      expect(out["quarantine.sales_order_lines"]).toHaveLength(14);
    } finally {
      await suite.spark.sql("RESET spark.sql.files.maxPartitionBytes");
    }
  }, 1_500_000);

  it("on CSV files Spark reads in several partitions, alone and together, and one with a line break in a quoted value: the same row numbers", async () => {
    // A CSV batch without a line break in a quoted value is read in splits, each file's header
    // skipped once; one with such a line break is read whole. Rules broken far apart, a field too
    // many and a field too few among them, show where each row was.
    const rows = scatteredRows();
    const [header, ...data] = csvText(rows).trimEnd().split("\n");
    data[999] = `${data[999]},`;
    data[2499] = data[2499]!.replace(/,[^,]*$/, "");
    data[3999] = `${data[3999]},`;
    const csv = (ls: readonly string[]) => `${[header, ...ls].join("\n")}\n`;
    const [one, two, three] = [data.slice(0, 3000), data.slice(3000, 4500), data.slice(4500)].map(csv);
    expect(Math.min(one!.length / 8, two!.length / 4, three!.length / 4)).toBeGreaterThan(32768);
    const quoted = csvText([line(6001), line(6002, { channel: '"we\nb, shop"' }), line(6003)]);
    await suite.spark.sql("SET spark.sql.files.maxPartitionBytes = 32768");
    try {
      const out = await parity("csv-splits", salesOrderLines, undefined, [
        { name: "split.csv", bytes: one! },
        {
          files: [
            { name: "split-a.csv", bytes: two! },
            { name: "split-b.csv", bytes: three! },
          ],
        },
        { name: "quoted.csv", bytes: quoted },
      ]);
      expect(out["quarantine.sales_order_lines"]).toHaveLength(14 + 3);
      expect(out["silver.sales_order_lines"]).toHaveLength(6003 - 17);
      expect(out["silver.sales_order_lines"]?.find((r) => r.startsWith("SO00006002|"))).toContain(
        "|we\nb, shop|",
      );
    } finally {
      await suite.spark.sql("RESET spark.sql.files.maxPartitionBytes");
    }
  }, 1_500_000);

  it("on order lines with crashes: silver after its MERGE, the fact after its MERGE, each retried", async () => {
    const out = await parity(
      "crashes",
      salesOrderLines,
      salesOrderStar,
      [
        firstOrders,
        {
          name: "b2.jsonl",
          bytes: jsonl([
            line(1, { quantity: 5, updated_at: "2026-01-06T09:00:00Z" }),
            line(2, { is_deleted: true, updated_at: "2026-01-06T09:00:00Z" }),
            line(4, { channel: "store" }),
          ]),
        },
        {
          name: "b3.jsonl",
          bytes: jsonl([line(3, { quantity: 7, updated_at: "2026-01-07T09:00:00Z" }), line(5)]),
        },
      ],
      [
        {
          batch: 1,
          step: "silver",
          before: 'run(r"""CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`changed_keys_',
        },
        { batch: 2, step: "fact_order_lines", before: 'run(r"""SELECT count(*) FILTER (WHERE NOT _deleted)' },
      ],
    );
    expect(out["silver.sales_order_lines"]).toHaveLength(5);
    // Line 2 is soft-deleted: it leaves the fact.
    expect(out["gold.fact_order_lines"]).toHaveLength(4);
  }, 1_500_000);

  it("on a dimension attribute: a member keeps its newest row's value when an older row of another key arrives later, and a full refresh restores it", async () => {
    const orders = defineEntity({
      name: "orders",
      columns: {
        order_id: t.string(),
        customer_id: t.string(),
        customer_name: t.string(),
        order_date: t.date(),
        amount: t.int(),
        updated_at: t.timestamp(),
      },
      key: ["order_id"],
      sequence: "updated_at",
      watermark: { column: "updated_at", lookback: "PT1H" },
      scd: 1,
    });
    const star = defineStar({
      name: "orders",
      entity: orders,
      dimensions: [
        { kind: "attribute", name: "dim_customer", key: ["customer_id"], attributes: ["customer_name"] },
      ],
      fact: { name: "fact_orders", measures: ["amount"], degenerate: [] },
    });
    const o = (order_id: string, customer_name: string, updated_at: string) => ({
      order_id,
      customer_id: "C1",
      customer_name,
      order_date: "2026-01-05",
      amount: 10,
      updated_at,
    });
    const out = await parity(
      "dim-attributes",
      orders,
      star,
      [
        { name: "o1.jsonl", bytes: jsonl([o("O1", "Ann Lee", "2026-01-10T00:00:00Z")]) },
        // A late order of the same customer, written before the name changed.
        { name: "o2.jsonl", bytes: jsonl([o("O2", "Ann", "2026-01-04T00:00:00Z")]) },
      ],
      [],
      (p) => [`UPDATE ${p}gold.dim_customer SET customer_name = 'x' WHERE customer_id = 'C1'`],
    );
    expect(out["gold.dim_customer"]?.filter((r) => r.endsWith("|C1|Ann Lee"))).toHaveLength(1);
  }, 1_500_000);

  it("on SCD2 customers: history, a stale update against the current version, a soft delete, a retried insert, a full refresh", async () => {
    const c = (patch: Record<string, unknown>) => ({
      CustomerID: "C000001",
      full_name: "Ada",
      email: null,
      segment: "consumer",
      region: "north",
      updated_at: "2026-01-01T00:00:00Z",
      is_deleted: false,
      ...patch,
    });
    const out = await parity(
      "scd2",
      customers,
      undefined,
      [
        { name: "c1.jsonl", bytes: jsonl([c({}), c({ CustomerID: "C000002" })]) },
        {
          name: "c2.jsonl",
          bytes: jsonl([
            c({ segment: "business", updated_at: "2026-02-01T00:00:00Z" }),
            c({ CustomerID: "C000003", updated_at: "2026-02-01T00:00:00Z" }),
          ]),
        },
        {
          name: "c3.jsonl",
          bytes: jsonl([
            // Older than C000001's current version, inside the lookback, newer than its first.
            c({ full_name: "Ada L.", updated_at: "2026-01-31T23:50:00Z" }),
            c({ CustomerID: "C000002", segment: "fleet", updated_at: "2026-02-02T00:00:00Z" }),
          ]),
        },
        { name: "c4.jsonl", bytes: jsonl([c({ updated_at: "2026-02-03T00:00:00Z", is_deleted: true })]) },
      ],
      // After the merge closed C000002's current version and before its new one is inserted.
      [{ batch: 2, step: "silver", before: 'run(r"""INSERT INTO `${catalog}`.`silver`.`customers`' }],
      // A full refresh rebuilds the history from bronze, version by version.
      (p) => [
        `DELETE FROM ${p}silver.customers WHERE customer_id = 'C000002' AND NOT is_current`,
        `UPDATE ${p}silver.customers SET segment = 'fleet' WHERE customer_id = 'C000003'`,
      ],
    );
    expect(out["silver.customers"]).toHaveLength(6);
    expect(out["silver.customers"]?.filter((r) => r.split("|")[9] === "true")).toHaveLength(3);
  }, 1_500_000);
});
