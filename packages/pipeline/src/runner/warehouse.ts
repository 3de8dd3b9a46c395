import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  type DuckDBConnection,
  DuckDBInstance,
  DuckDBTimestampTZValue,
  StatementType,
} from "@duckdb/node-api";
import { quoteIdent } from "@saleslake/schema";
import { PipelineError } from "../errors.ts";
import { runningHolder } from "./run-lock.ts";

// Rows read back (status, runs, quarantine, query, their --json) give a TIMESTAMPTZ in UTC, as
// every time inside saleslake is: the client library writes them at the offset the machine had
// when it loaded, whatever the session's TimeZone, which is also wrong for the other half of the
// year where clocks change.
DuckDBTimestampTZValue.timezoneOffsetInMinutes = 0;

/**
 * Where a project keeps its local state. Between checkpoints the warehouse is
 * `warehouse.duckdb` plus its write-ahead log `warehouse.duckdb.wal`: copy the state folder whole.
 */
export function projectPaths(dir: string) {
  const state = join(dir, "state");
  return {
    dir,
    lake: join(dir, "lake"),
    state,
    warehouse: join(state, "warehouse.duckdb"),
    lock: join(state, "run.lock"),
    spill: join(state, "tmp"),
  };
}

export interface EngineOptions {
  /** DuckDB memory limit, e.g. `"2GB"`. Default: DuckDB's own (80% of RAM). */
  readonly memoryLimit?: string;
  /** Folder for spilling to disk. Default `<dir>/state/tmp`. */
  readonly spillDir?: string;
  /** Worker threads. Default: DuckDB's own (one per core). */
  readonly threads?: number;
  /**
   * Compress text columns with FSST as well as by dictionary. The warehouse is smaller (a 30M-row
   * table with its bronze copy: 1.2 GB against 2.1 GB), loads are slower (10M rows: about 15%)
   * and so is every join on a text key. Default `false`. Applies to what is written from then on.
   */
  readonly compressText?: boolean;
}

export const STATE_DDL = [
  "CREATE SCHEMA IF NOT EXISTS saleslake",
  "CREATE SCHEMA IF NOT EXISTS bronze",
  "CREATE SCHEMA IF NOT EXISTS silver",
  "CREATE SCHEMA IF NOT EXISTS gold",
  "CREATE SCHEMA IF NOT EXISTS quarantine",
  `CREATE TABLE IF NOT EXISTS saleslake.runs (
  run_id VARCHAR PRIMARY KEY, entity VARCHAR NOT NULL, mode VARCHAR NOT NULL, status VARCHAR NOT NULL,
  started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ, window_low VARCHAR, window_high VARCHAR,
  batches VARCHAR[], rows_read BIGINT, rows_accepted BIGINT, rows_quarantined BIGINT, rows_warned BIGINT,
  rows_inserted BIGINT, rows_updated BIGINT, rows_stale BIGINT, rows_deleted BIGINT, error VARCHAR, pid INTEGER)`,
  // Added after the table: a warehouse made before has the column added on its next run.
  "ALTER TABLE saleslake.runs ADD COLUMN IF NOT EXISTS rows_superseded BIGINT",
  `CREATE TABLE IF NOT EXISTS saleslake.run_steps (
  run_id VARCHAR NOT NULL, step VARCHAR NOT NULL, kind VARCHAR NOT NULL, started_at TIMESTAMPTZ NOT NULL,
  duration_ms BIGINT NOT NULL, counts VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS saleslake.processed_batches (
  entity VARCHAR NOT NULL, batch_id VARCHAR NOT NULL, run_id VARCHAR NOT NULL, source VARCHAR NOT NULL,
  content_sha256 VARCHAR NOT NULL, rows_read BIGINT NOT NULL, rows_accepted BIGINT NOT NULL,
  rows_quarantined BIGINT NOT NULL, processed_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (entity, batch_id))`,
  // The key silver's rows were merged by: a run under another key would merge new rows beside
  // stored ones of the same new key (see checkMergeKey).
  `CREATE TABLE IF NOT EXISTS saleslake.merge_keys (
  entity VARCHAR PRIMARY KEY, key_columns VARCHAR[] NOT NULL, run_id VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS saleslake.watermarks (
  entity VARCHAR NOT NULL, source VARCHAR NOT NULL, kind VARCHAR NOT NULL, value VARCHAR NOT NULL,
  run_id VARCHAR NOT NULL, updated_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (entity, source))`,
];

/** Write-ahead log size past which a commit checkpoints. DuckDB's default is 16MB. */
const CHECKPOINT_THRESHOLD = "32MB";

export async function openEngine(
  path: string,
  options: EngineOptions & { readOnly?: boolean; spillDir?: string } = {},
): Promise<{ instance: DuckDBInstance; con: DuckDBConnection }> {
  if (path.includes("?")) {
    // DuckDB takes what follows "?" in a database path for options: it opens the file, but
    // looks for the write-ahead log at "<before ?>.wal?<after>", and the first commit fails.
    throw new PipelineError(
      "UNSUPPORTED_PATH",
      `the warehouse ${path} has "?" in its path: DuckDB reads what follows it as options, and cannot write the warehouse's log there`,
      'Move or rename the project folder to a path without "?".',
      { file: path },
    );
  }
  const config: Record<string, string> = {};
  if (options.readOnly) config.access_mode = "READ_ONLY";
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, config);
  } catch (e) {
    const msg = (e as Error).message;
    if (/lock/i.test(msg)) {
      throw new PipelineError(
        "RUN_IN_PROGRESS",
        `the warehouse ${path} is in use by another process`,
        "Wait for the running command to finish.",
        { cause: e },
      );
    }
    throw new PipelineError(
      "ENGINE_ERROR",
      `cannot open the warehouse ${path}: ${msg}`,
      "Check the path and permissions.",
      { cause: e },
    );
  }
  let con: DuckDBConnection | undefined;
  try {
    con = await instance.connect();
    await configure(con, options);
  } catch (e) {
    // A refused setting must not leave the warehouse open (and locked) in this process.
    con?.closeSync();
    instance.closeSync();
    throw e;
  }
  return { instance, con };
}

async function configure(
  con: DuckDBConnection,
  options: EngineOptions & { readOnly?: boolean; spillDir?: string },
): Promise<void> {
  await con.run("SET TimeZone = 'UTC'");
  // DuckDB's default, stated: lineage row numbers are the row ids of the stage tables read from
  // the landed files, which follow the files' order only while insertion order is kept.
  await con.run("SET preserve_insertion_order = true");
  // An IN list of five constants or more is planned as a join against the list, and a plan with
  // a join inserts in no particular order: the stage of a landed file would lose the file's order
  // (see DuckdbCompiler.bronze). Evaluated in place, the lists of the quality rules cost nothing
  // that shows.
  await con.run("SET disabled_optimizers = 'in_clause'");
  if (!options.readOnly) {
    // A run ends with a checkpoint (see checkpointWarehouse); a commit whose log passes the
    // threshold checkpoints on its own, which spares the run's own checkpoint the work.
    await con.run(`SET checkpoint_threshold = '${CHECKPOINT_THRESHOLD}'`);
    await con.run("PRAGMA disable_checkpoint_on_shutdown");
    // An update is a delete and an append (see DuckdbCompiler.applyScd1), and a checkpoint that
    // vacuums rewrites every run of row groups whose live rows would fit in fewer: once a few
    // percent of a table's rows are updated, nearly every checkpoint rewrites the whole table
    // (2.1 s of a 3.1 s run merging 100k rows into 1M). Checkpoints do not vacuum; a run that
    // leaves a table with more than COMPACT_AT_DEAD_SHARE of its stored rows deleted compacts
    // the warehouse once (compactAfterRun, in local-runner.ts).
    await con.run("SET max_vacuum_tasks = 0");
    // FSST packs identifiers to about half their dictionary-coded size, but every scan decodes
    // them string by string: a join of 10k keys to a 30M-row table took 0.35 s against 0.60 s
    // with it, and writing 10M rows 8.3 s against 9.7-10.2 s. Low-cardinality text is dictionary
    // coded either way.
    if (!options.compressText) await con.run("SET disabled_compression_methods = 'fsst,dict_fsst'");
    if (options.spillDir) {
      mkdirSync(options.spillDir, { recursive: true });
      await con.run(`SET temp_directory = '${options.spillDir.replace(/'/g, "''")}'`);
    }
    if (options.memoryLimit) {
      const bytes = sizeInBytes(options.memoryLimit);
      if (bytes === undefined) {
        throw new PipelineError(
          "INVALID_OPTION",
          `memory limit ${options.memoryLimit} is not a size`,
          'Write it like "2GB" or "512MB".',
        );
      }
      if (bytes < MIN_MEMORY_LIMIT_BYTES) {
        throw new PipelineError(
          "INVALID_OPTION",
          `memory limit ${options.memoryLimit} is below the engine's least, ${MIN_MEMORY_LIMIT_BYTES / 1e6}MB`,
          `Give the engine ${MIN_MEMORY_LIMIT_BYTES / 1e6}MB or more ("512MB", "2GB"); what does not fit spills to disk.`,
        );
      }
      await con.run(`SET memory_limit = '${options.memoryLimit}'`);
    }
    if (options.threads) await con.run(`SET threads = ${Math.max(1, Math.floor(options.threads))}`);
  }
}

/**
 * The least memory limit taken. A CSV scan alone holds a 32 MiB buffer, which no spilling makes
 * room for: with 32MB, a run of one row fails on its first read.
 */
export const MIN_MEMORY_LIMIT_BYTES = 64_000_000;

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** Bytes of a size written as DuckDB reads one (`2GB`, `512 MiB`), or undefined when it is not one. */
export function sizeInBytes(size: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.exec(size.trim());
  return m ? Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]! : undefined;
}

/** Share of a table's stored rows that are deleted at which the run that passes it compacts. */
export const COMPACT_AT_DEAD_SHARE = 0.2;
/** DuckDB's default number of vacuum tasks of one checkpoint. */
const VACUUM_TASKS = 100;

export interface DeadRows {
  /** `schema.table`. */
  readonly table: string;
  /** Rows stored, deleted ones included. */
  readonly stored: number;
  readonly dead: number;
}

/**
 * Of `among` (`schema.table` names), the tables whose deleted rows are more than `share` of the
 * rows they store. Counting the live rows reads the table's deletes: 13–28 ms at 30M rows.
 */
export async function tablesToCompact(
  con: DuckDBConnection,
  among: readonly string[],
  share = COMPACT_AT_DEAD_SHARE,
): Promise<DeadRows[]> {
  const tables = await rows(
    con,
    "SELECT schema_name, table_name, estimated_size FROM duckdb_tables() WHERE database_name = current_database() AND NOT temporary AND list_contains(from_json($1, '[\"VARCHAR\"]'), schema_name || '.' || table_name) ORDER BY ALL",
    [JSON.stringify(among)],
  );
  const out: DeadRows[] = [];
  for (const t of tables) {
    const stored = Number(t.estimated_size);
    if (stored === 0) continue;
    const name = `${quoteIdent("duckdb", String(t.schema_name))}.${quoteIdent("duckdb", String(t.table_name))}`;
    const live = Number((await rows(con, `SELECT count(*) AS n FROM ${name}`))[0]!.n);
    if (stored - live > share * stored) {
      out.push({ table: `${t.schema_name}.${t.table_name}`, stored, dead: stored - live });
    }
  }
  return out;
}

/**
 * Compacts the warehouse: one checkpoint that vacuums, merging row groups whose live rows fit in
 * fewer. `pending` is a write made just before (a checkpoint with nothing to write does nothing).
 */
export async function compactWarehouse(con: DuckDBConnection, pending: () => Promise<void>): Promise<void> {
  await con.run(`SET max_vacuum_tasks = ${VACUUM_TASKS}`);
  try {
    await pending();
    await con.run("CHECKPOINT");
  } finally {
    await con.run("SET max_vacuum_tasks = 0");
  }
}

/**
 * Writes what the write-ahead log holds into the warehouse file, without vacuuming. Every open
 * replays the log, and replaying costs more than writing: on a 30M-row table a 10k-row delta
 * leaves 5 MB of log, which took 0.12-0.23 s to replay at each later open (a run paying more at
 * every step until the log reached the threshold, then 1.2 s for that checkpoint), against
 * 0.22-0.33 s to checkpoint it at once.
 */
export async function checkpointWarehouse(con: DuckDBConnection): Promise<void> {
  await con.run("CHECKPOINT");
}

export type Row = Record<string, unknown>;

export async function rows(con: DuckDBConnection, sql: string, params?: unknown[]): Promise<Row[]> {
  const reader = params ? await con.runAndReadAll(sql, params as never) : await con.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Row[];
}

/**
 * Drops every connection-local table and view: a run's scratch (the views of the landed files, the
 * stage, the classified delta, the gold sources). They hold a copy of the run's rows, so freeing
 * them when an entity's run ends keeps the next entity of the same run from starting with them
 * still in memory. Nothing persistent is touched.
 */
export async function dropScratch(con: DuckDBConnection): Promise<void> {
  const found = await rows(
    con,
    `SELECT 'VIEW' AS kind, view_name AS name FROM duckdb_views() WHERE temporary AND NOT internal
UNION ALL SELECT 'TABLE', table_name FROM duckdb_tables() WHERE temporary`,
  );
  for (const r of found) {
    await con.run(
      `DROP ${r.kind === "VIEW" ? "VIEW" : "TABLE"} IF EXISTS temp.main.${quoteIdent("duckdb", String(r.name))}`,
    );
  }
}

/** The open quarantine entries of `entity` (see `Warehouse.openEntries`), newest first, then in file order. */
function quarantineQuery(entity: string, open: string): string {
  return `SELECT _batch_id, _source_file, _row_number, _run_id, _quarantined_at, rule_ids, messages, raw FROM quarantine.${quoteIdent("duckdb", entity)} WHERE ${open} ORDER BY _quarantined_at DESC, _source_file, _row_number`;
}

function readOnlyError(why: string, cause?: unknown): PipelineError {
  return new PipelineError(
    "READ_ONLY",
    `query is read-only: ${why}`,
    "Use SELECT, or run the pipeline to change data.",
    {
      cause,
    },
  );
}

/** A failed ad-hoc query as a typed error: the engine's first line, and what to check. */
function queryFailed(e: unknown): PipelineError {
  if (e instanceof PipelineError) return e;
  const msg = (e as Error).message;
  if (/read-only|read only/i.test(msg)) return readOnlyError("the statement would change the warehouse", e);
  return new PipelineError(
    "ENGINE_ERROR",
    msg.split("\n")[0]!,
    "Check the SQL; list tables with: select * from information_schema.tables",
    { cause: e },
  );
}

/** A read-only view of a project's warehouse: status, run history, quarantine, ad-hoc SQL. */
export class Warehouse {
  private readonly instance: DuckDBInstance;
  private readonly con: DuckDBConnection;

  private constructor(instance: DuckDBInstance, con: DuckDBConnection) {
    this.instance = instance;
    this.con = con;
  }

  static async open(dir: string): Promise<Warehouse> {
    const { warehouse, lock } = projectPaths(dir);
    if (!existsSync(warehouse)) {
      throw new PipelineError(
        "NO_WAREHOUSE",
        `no warehouse in ${dir}`,
        "Run `saleslake demo` or `saleslake run` first.",
      );
    }
    try {
      const { instance, con } = await openEngine(warehouse, { readOnly: true });
      return new Warehouse(instance, con);
    } catch (e) {
      const holder =
        e instanceof PipelineError && e.code === "RUN_IN_PROGRESS" ? runningHolder(lock) : undefined;
      if (!holder) throw e;
      // DuckDB lets one process write a database file and none read it meanwhile.
      throw new PipelineError(
        "RUN_IN_PROGRESS",
        `the warehouse ${warehouse} is being written by run ${holder.runId} (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}), and cannot be read until it ends`,
        "Wait for the run to end; saleslake runs then lists it.",
        { cause: e },
      );
    }
  }

  /**
   * Runs read-only SQL and returns row objects. The warehouse is open read-only, so the engine
   * refuses writes to it; statements that would write elsewhere (`COPY … TO`, `EXPORT DATABASE`,
   * `ATTACH`, settings) are refused before anything runs: only queries and their plans. Holds
   * the whole answer: use `queryStream` for one of any size.
   */
  async query(sql: string): Promise<Row[]> {
    const { chunks } = await this.queryStream(sql);
    const out: Row[] = [];
    for await (const chunk of chunks) for (const r of chunk) out.push(r);
    return out;
  }

  /**
   * `query`'s answer a chunk of rows at a time (DuckDB's streaming result), with its column names:
   * a query of millions of rows is read as it is written out, never held whole. The statements
   * are checked, and the last one started, before this returns; an error while reading is a
   * `PipelineError` too.
   */
  async queryStream(sql: string): Promise<{ columns: string[]; chunks: AsyncGenerator<Row[]> }> {
    try {
      await this.checkReadOnly(sql);
      const { columns, chunks } = await this.streamChecked(sql, () => this.whyQueryFailed(sql));
      async function* typed(): AsyncGenerator<Row[]> {
        try {
          yield* chunks;
        } catch (e) {
          throw queryFailed(e);
        }
      }
      return { columns, chunks: typed() };
    } catch (e) {
      throw queryFailed(e);
    }
  }

  /**
   * Streams `sql`'s rows, failing when DuckDB stopped the stream with an error. A streamed
   * answer that fails part way ends, for this client, as if it were whole: the error is not
   * passed on (the bindings do not expose `duckdb_result_error`). It does abort the
   * transaction the answer is read in, which the next statement finds; `why` then gives the
   * error to throw.
   */
  private async streamChecked(
    sql: string,
    why: () => Promise<Error>,
  ): Promise<{ columns: string[]; chunks: AsyncGenerator<Row[]> }> {
    const con = this.con;
    await con.run("BEGIN TRANSACTION");
    let result: Awaited<ReturnType<DuckDBConnection["stream"]>>;
    try {
      result = await con.stream(sql);
    } catch (e) {
      await con.run("ROLLBACK").catch(() => {});
      throw e;
    }
    async function* chunks(): AsyncGenerator<Row[]> {
      let ended = false;
      try {
        for await (const chunk of result.yieldRowObjectJson()) if (chunk.length) yield chunk as Row[];
        ended = true;
      } finally {
        // A reader that stopped early, or a conversion that threw.
        if (!ended) await con.run("ROLLBACK").catch(() => {});
      }
      const aborted = await con.run("SELECT 1").then(
        () => false,
        () => true,
      );
      await con.run("ROLLBACK").catch(() => {});
      if (aborted) throw await why();
    }
    // The names the row objects have: a name given twice is made unique, as `a`, `a:1`.
    return { columns: result.deduplicatedColumnNames(), chunks: chunks() };
  }

  /**
   * Why `sql`, streamed, stopped part way: the error of every column of its rows counted in one
   * statement, which evaluates them all and holds one row (a cast that fails on a late row fails
   * there too). When that ends well (a failure that did not come back), or `sql` cannot be read
   * as one subquery, what is known: that the answer stopped.
   */
  private async whyQueryFailed(sql: string): Promise<Error> {
    const stopped = new PipelineError(
      "ENGINE_ERROR",
      "the query failed part way through its rows: what was printed is not the whole answer",
      "Run it again; if it fails again, narrow it (a WHERE, fewer columns) to find the rows it fails on.",
    );
    const body = sql.replace(/[\s;]+$/, "");
    if ((await this.con.extractStatements(body)).count !== 1) return stopped;
    try {
      await this.con.run(`SELECT count(COLUMNS(*)) FROM (\n${body}\n)`);
      return stopped;
    } catch (e) {
      if (/^Parser Error/.test((e as Error).message)) return stopped;
      return queryFailed(e);
    }
  }

  /** Refuses SQL with a statement that is not a query (SELECT) or the plan of one (EXPLAIN). */
  private async checkReadOnly(sql: string): Promise<void> {
    const statements = await this.con.extractStatements(sql);
    for (let i = 0; i < statements.count; i++) {
      const type = (await statements.prepare(i)).statementType;
      // EXPLAIN ANALYZE runs the statement it explains.
      const reads =
        type === StatementType.SELECT || (type === StatementType.EXPLAIN && !/\bANALY[SZ]E\b/i.test(sql));
      if (!reads)
        throw readOnlyError(
          `statement ${i + 1} is ${type === StatementType.EXPLAIN ? "EXPLAIN ANALYZE, which runs what it explains" : (StatementType[type] ?? type)}, not a query (SELECT, EXPLAIN)`,
        );
    }
  }

  /**
   * Per entity: watermarks, last run, lag since the last successful run, rows ever quarantined
   * (`rows_quarantined`, from the ledger) and those still waiting for a fix (`quarantine_open`:
   * not yet replayed).
   */
  async status(): Promise<Row[]> {
    const out = await rows(
      this.con,
      `WITH last AS (
        SELECT *, row_number() OVER (PARTITION BY entity ORDER BY started_at DESC) AS rn FROM saleslake.runs
      ), ok AS (
        SELECT entity, max(finished_at) AS last_success FROM saleslake.runs WHERE status = 'succeeded' GROUP BY entity
      ), q AS (
        SELECT entity, count(*) AS batches, sum(rows_quarantined) AS quarantined FROM saleslake.processed_batches GROUP BY entity
      )
      SELECT l.entity, l.run_id AS last_run_id, l.status AS last_status, l.started_at AS last_started_at,
        l.finished_at AS last_finished_at, ok.last_success,
        CAST(epoch(now() - ok.last_success) AS BIGINT) AS lag_seconds,
        (SELECT list(struct_pack(source := w.source, kind := w.kind, value := w.value) ORDER BY w.source) FROM saleslake.watermarks w WHERE w.entity = l.entity) AS watermarks,
        coalesce(q.batches, 0) AS batches_processed, coalesce(q.quarantined, 0) AS rows_quarantined
      FROM last l LEFT JOIN ok USING (entity) LEFT JOIN q USING (entity) WHERE l.rn = 1 ORDER BY l.entity`,
    );
    for (const r of out) {
      const entity = String(r.entity);
      const open = await this.openEntries(entity);
      r.quarantine_open =
        open === undefined
          ? 0
          : Number(
              (
                await rows(
                  this.con,
                  `SELECT count(*) AS n FROM quarantine.${quoteIdent("duckdb", entity)} WHERE ${open}`,
                )
              )[0]?.n ?? 0,
            );
    }
    return out;
  }

  /** Which of `batchIds` a run of `entity` has processed. */
  async processedBatches(entity: string, batchIds: readonly string[]): Promise<Set<string>> {
    if (batchIds.length === 0) return new Set();
    const found = await rows(
      this.con,
      "SELECT batch_id FROM saleslake.processed_batches WHERE entity = $1 AND list_contains(from_json($2, '[\"VARCHAR\"]'), batch_id)",
      [entity, JSON.stringify(batchIds)],
    );
    return new Set(found.map((r) => String(r.batch_id)));
  }

  async runs(limit = 50): Promise<Row[]> {
    return rows(
      this.con,
      // seconds: from the entity's start to its commit (or failure); NULL while it runs.
      `SELECT *, round(epoch(finished_at - started_at), 3) AS seconds FROM saleslake.runs ORDER BY started_at DESC LIMIT ${Math.max(1, Math.floor(limit))}`,
    );
  }

  async runSteps(runId: string): Promise<Row[]> {
    return rows(this.con, "SELECT * FROM saleslake.run_steps WHERE run_id = $1 ORDER BY started_at", [runId]);
  }

  /**
   * The condition of an open quarantine entry of `entity`, one waiting for a fix: not replayed,
   * and not a repeat of an earlier entry (the same raw values read again); undefined when the
   * entity has no quarantine table. A table written before repeats were recorded has no
   * `repeat_of` until the entity's next run adds it.
   */
  private async openEntries(entity: string): Promise<string | undefined> {
    const columns = await rows(
      this.con,
      "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'quarantine' AND table_name = $1",
      [entity],
    );
    if (columns.length === 0) return undefined;
    const has = (c: string) => columns.some((r) => r.c === c);
    return [
      "true",
      ...(has("replayed_run_id") ? ["replayed_run_id IS NULL"] : []),
      ...(has("repeat_of") ? ["repeat_of IS NULL"] : []),
    ].join(" AND ");
  }

  /** Open quarantine entries (see `openEntries`), newest first; the first `limit` of them when given. */
  async quarantine(entity: string, limit?: number): Promise<Row[]> {
    const open = await this.openEntries(entity);
    if (open === undefined) return [];
    return rows(
      this.con,
      `${quarantineQuery(entity, open)}${limit === undefined ? "" : " LIMIT $1"}`,
      limit === undefined ? undefined : [limit],
    );
  }

  /**
   * The same rows as `quarantine`, in the same order, read a chunk of DuckDB's (2,048 rows) at a
   * time: what an export of millions of rows reads, holding one chunk in memory rather than all.
   */
  async *quarantineChunks(entity: string): AsyncGenerator<Row[]> {
    const open = await this.openEntries(entity);
    if (open === undefined) return;
    const { chunks } = await this.streamChecked(
      quarantineQuery(entity, open),
      async () =>
        new PipelineError(
          "ENGINE_ERROR",
          `reading the quarantine of ${entity} failed part way through its rows`,
          "Run the command again.",
        ),
    );
    yield* chunks;
  }

  /**
   * How many open quarantine entries there are (see `openEntries`), and how many broke each rule
   * (an entry counts once under each rule it broke), most first.
   */
  async quarantineSummary(entity: string): Promise<{ rows: number; rules: [rule: string, rows: number][] }> {
    const open = await this.openEntries(entity);
    if (open === undefined) return { rows: 0, rules: [] };
    const table = `quarantine.${quoteIdent("duckdb", entity)}`;
    const total = await rows(this.con, `SELECT count(*) AS n FROM ${table} WHERE ${open}`);
    const rules = await rows(
      this.con,
      `SELECT rule, count(*) AS n FROM (SELECT unnest(rule_ids) AS rule FROM ${table} WHERE ${open}) GROUP BY rule ORDER BY n DESC, rule`,
    );
    return {
      rows: Number(total[0]?.n ?? 0),
      rules: rules.map((r) => [String(r.rule), Number(r.n)]),
    };
  }

  close(): void {
    this.con.closeSync();
    this.instance.closeSync();
  }
}
