import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import {
  batchPath,
  carSales,
  carSalesStar,
  type Entity,
  type LandingManifest,
  parquetSchemaSignatureSql,
  physicalType,
  qualityRules,
  quoteIdent,
  quoteString,
  type Star,
} from "@saleslake/schema";
import { DuckdbCompiler, duckdbContext } from "../dialect/duckdb/duckdb-compiler.ts";
import { PipelineError } from "../errors.ts";
import { buildPlan, type Plan } from "../plan/plan.ts";
import type { CompileContext } from "../query-compiler/plan-compiler.ts";
import { crashPoint } from "./crash-points.ts";
import { evolveTables } from "./evolve-tables.ts";
import { Interruption, interrupted } from "./interruption.ts";
import {
  type FileSchema,
  type LandedBatch,
  type LandedPart,
  landingRead,
  listLandedBatches,
} from "./landing-batches.ts";
import { acquireRunLock } from "./run-lock.ts";
import {
  COMPACT_AT_DEAD_SHARE,
  checkpointWarehouse,
  compactWarehouse,
  dropScratch,
  type EngineOptions,
  openEngine,
  projectPaths,
  type Row,
  rows,
  STATE_DDL,
  tablesToCompact,
} from "./warehouse.ts";

export type RunMode = "incremental" | "full_refresh" | "backfill";

export interface RunOptions extends EngineOptions {
  /** Project folder: lake in `<dir>/lake`, warehouse and lock in `<dir>/state`. */
  readonly dir: string;
  /** Lake root. Default `<dir>/lake`. */
  readonly lakeRoot?: string;
  /** Entities to run. Default: the bundled car-sales entity. */
  readonly entities?: readonly Entity[];
  /** Star schemas built on those entities. Default: the car-sales star. */
  readonly stars?: readonly Star[];
  /** Only this entity. Default: all. */
  readonly entity?: string;
  /** Default `incremental`: process landed batches not yet processed. */
  readonly mode?: RunMode;
  /** Backfill window, inclusive start, exclusive end: ISO timestamps or dates, or batch ids for batch watermarks. */
  readonly from?: string;
  readonly to?: string;
  readonly onProgress?: (event: ProgressEvent) => void;
  /**
   * Stops the run: the statement running is interrupted, what the entity's run has not committed
   * rolls back, the ledger records it as failed, and runPipeline rejects with INTERRUPTED.
   * Entities committed before the abort stay committed; an abort during a commit lets it finish.
   */
  readonly signal?: AbortSignal;
  /** Clock, for tests. Default: the system clock. */
  readonly now?: () => Date;
}

export type ProgressEvent =
  | {
      readonly type: "run-start";
      readonly entity: string;
      readonly runId: string;
      readonly batches: number;
      readonly mode: RunMode;
    }
  | { readonly type: "step-start"; readonly entity: string; readonly step: string }
  | {
      readonly type: "step-end";
      readonly entity: string;
      readonly step: string;
      readonly durationMs: number;
      readonly counts: Row;
    }
  | { readonly type: "run-end"; readonly entity: string; readonly result: EntityRunResult };

export interface StepResult {
  readonly step: string;
  readonly kind: string;
  /** When the step began: its first statement, or what it prepared before the transaction. */
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly counts: Row;
}

export interface EntityRunResult {
  readonly runId: string;
  readonly entity: string;
  readonly mode: RunMode;
  /** `nothing_to_do` when no batch was pending (incremental). */
  readonly status: "succeeded" | "nothing_to_do";
  readonly batches: readonly string[];
  readonly window: { readonly low: string | null; readonly high: string | null };
  readonly rowsRead: number;
  readonly rowsAccepted: number;
  readonly rowsQuarantined: number;
  readonly rowsInserted: number;
  readonly rowsUpdated: number;
  readonly rowsStale: number;
  /**
   * Rows the silver step read that lost to a newer row of their key in the same run, and so were
   * not applied: with it, inserted + updated + stale + superseded is what the step read.
   */
  readonly rowsSuperseded: number;
  readonly rowsDeleted: number;
  /** Rule id → rows quarantined for it. */
  readonly quarantinedByRule: Readonly<Record<string, number>>;
  /** Warn rule id → rows that broke it (kept). */
  readonly warnings: Readonly<Record<string, number>>;
  /** Per batch processed: rows read, accepted and quarantined (as in the ledger). */
  readonly batchCounts: readonly BatchCounts[];
  /**
   * Rows this run quarantined whose raw values are those of an earlier entry (a source row read
   * again, as a lookback window does): recorded with `repeat_of`, not listed as open.
   */
  readonly quarantineRepeats: number;
  /**
   * Earlier quarantine entries this run marked replayed, resolved by an accepted fixed row (see
   * `REPLAY_SOURCE_PREFIX`).
   */
  readonly quarantineReplayed: number;
  /**
   * Earlier quarantine entries this run marked replayed whose fixed row was quarantined again:
   * the row's new entry takes their place.
   */
  readonly quarantineSuperseded: number;
  readonly steps: readonly StepResult[];
  readonly durationMs: number;
}

export interface BatchCounts {
  readonly batchId: string;
  readonly rowsRead: number;
  readonly rowsAccepted: number;
  readonly rowsQuarantined: number;
}

/**
 * Source name prefix of a batch of fixed quarantined rows (`saleslake quarantine replay`). The run
 * that processes such a batch marks earlier quarantine entries as replayed, in the same
 * transaction as the data: each entry its manifest names for a row (`fixes`), resolved when the
 * row is accepted and superseded by the row's new entry when it is quarantined again, and, for an
 * accepted row naming none, the entries of its key.
 */
export const REPLAY_SOURCE_PREFIX = "quarantine-replay/";

export interface RunResult {
  readonly runs: readonly EntityRunResult[];
}

const num = (v: unknown) => Number(v ?? 0);

function newRunId(now: Date): string {
  return `run-${now.toISOString().replace(/[-:.]/g, "").replace("T", "-").slice(0, 18)}-${randomBytes(4).toString("hex")}`;
}

function selectEntities(options: RunOptions): { entity: Entity; star?: Star }[] {
  const entities = options.entities ?? [carSales];
  const stars = options.stars ?? (options.entities ? [] : [carSalesStar]);
  const picked = options.entity ? entities.filter((e) => e.name === options.entity) : entities;
  if (options.entity && picked.length === 0) {
    throw new PipelineError(
      "UNKNOWN_ENTITY",
      `no entity named ${options.entity}`,
      `Known entities: ${entities.map((e) => e.name).join(", ")}.`,
    );
  }
  return picked.map((entity) => {
    const star = stars.find((s) => s.entity.name === entity.name);
    return star ? { entity, star } : { entity };
  });
}

/** Batches landed but not yet processed, oldest first. */
async function pendingBatches(
  con: DuckDBConnection,
  lakeRoot: string,
  entity: Entity,
): Promise<LandedBatch[]> {
  const done = new Set(
    (
      await rows(con, "SELECT batch_id FROM saleslake.processed_batches WHERE entity = $1", [entity.name])
    ).map((r) => String(r.batch_id)),
  );
  return listLandedBatches(lakeRoot, entity.name).filter((b) => !done.has(b.batchId));
}

/**
 * The keys of the landed JSON files of a run, and the columns and column types of its Parquet
 * files, read before the run: one query for all the files of one format (a statement costs
 * milliseconds whatever it reads: 200 small JSON files took 1.3 s one by one), and the files one
 * by one only to name the one that fails.
 */
async function fileSchemaReader(con: DuckDBConnection, entity: Entity) {
  const cache = new Map<string, FileSchema>();
  const query = (m: LandingManifest, paths: readonly string[]) => {
    const from = `[${paths.map((p) => quoteString("duckdb", p)).join(", ")}]`;
    // Files are read together only when their Parquet schemas agree, and the columns of each
    // distinct schema are described once.
    if (m.format === "parquet") return parquetSchemaSignatureSql(from);
    const compression = m.compression === "gzip" ? ", compression = 'gzip'" : "";
    return `SELECT filename AS f, list(DISTINCT k ORDER BY k) AS ks FROM (SELECT filename, unnest(json_keys(json)) AS k FROM read_json_objects(${from}, format = ${m.format === "json" ? "'array'" : "'newline_delimited'"}${compression}, filename = true, hive_partitioning = false)) GROUP BY filename`;
  };
  /** A Parquet schema's top-level columns and their types, as DuckDB reads them, by schema. */
  const described = new Map<string, { columns: string[]; types: string[] }>();
  const read = async (m: LandingManifest, paths: readonly string[]) => {
    for (const r of await rows(con, query(m, paths))) {
      if (m.format !== "parquet") {
        cache.set(String(r.f), { columns: (r.ks as unknown[]).map(String) });
        continue;
      }
      const signature = String(r.ts);
      let d = described.get(signature);
      if (!d) {
        const cols = await rows(
          con,
          `DESCRIBE SELECT * FROM read_parquet(${quoteString("duckdb", String(r.f))}, hive_partitioning = false)`,
        );
        d = {
          columns: cols.map((c) => String(c.column_name)),
          types: cols.map((c) => String(c.column_type)),
        };
        described.set(signature, d);
      }
      cache.set(String(r.f), { columns: d.columns, columnTypes: d.types, signature });
    }
  };
  /** Reads the files one by one, and refuses the first that cannot be read, naming it. */
  const nameUnreadable = async (manifest: LandingManifest, paths: readonly string[]) => {
    for (const path of paths) {
      try {
        await read(manifest, [path]);
      } catch (e) {
        throw new PipelineError(
          "ENGINE_ERROR",
          `${path}: ${(e as Error).message.split("\n")[0]}`,
          "The landed file is not valid for its declared format.",
          { file: path, cause: e },
        );
      }
    }
  };
  /** The batches' JSON and Parquet files, by format; `declared`: the JSON batches that declare their columns, else the others. */
  const filesOf = (batches: readonly LandedBatch[], declared: boolean) => {
    const groups = new Map<string, { manifest: LandingManifest; paths: string[] }>();
    for (const b of batches) {
      if (b.manifest.format === "csv") continue;
      if ((b.manifest.format !== "parquet" && b.manifest.columns !== undefined) !== declared) continue;
      const key = `${b.manifest.format}/${b.manifest.compression}`;
      const group = groups.get(key) ?? { manifest: b.manifest, paths: [] };
      group.paths.push(...b.manifest.files.map((f) => join(b.dir, f.path)));
      groups.set(key, group);
    }
    return [...groups.values()];
  };
  return {
    /**
     * Reads the keys and columns the run's parts are read by. A JSON batch whose writer declared
     * its columns (a Copy) is read by those, and its keys are not scanned (0.5-0.7 s per 1M rows).
     */
    async prefetch(batches: LandedBatch[]) {
      for (const { manifest, paths } of filesOf(batches, false)) {
        try {
          await read(manifest, paths);
        } catch (groupError) {
          await nameUnreadable(manifest, paths);
          throw engineError(groupError, entity, "bronze");
        }
      }
    },
    /**
     * After a stage failed: refuses the declared JSON file that is not JSON, naming it, as the
     * prefetch names an undeclared one. Returns when each can be read.
     */
    async nameUnreadableDeclared(batches: readonly LandedBatch[]) {
      for (const { manifest, paths } of filesOf(batches, true)) await nameUnreadable(manifest, paths);
    },
    schemaOf: (path: string): FileSchema => cache.get(path) ?? { columns: [] },
  };
}

/** Runs one entity's plan inside one transaction: data, ledger, processed batches and watermark commit together. */
async function runEntity(
  con: DuckDBConnection,
  options: RunOptions,
  lakeRoot: string,
  target: { entity: Entity; star?: Star },
  runId: string,
  now: Date,
  stop: Interruption,
): Promise<EntityRunResult> {
  stop.check(target.entity.name);
  const started = Date.now();
  const mode = options.mode ?? "incremental";
  const { entity } = target;
  const plan: Plan = buildPlan(entity, target.star);
  const compiler = new DuckdbCompiler();
  const backfill = mode === "backfill" ? backfillFilter(entity, options) : undefined;
  const ctx: CompileContext = duckdbContext(runId, now, mode, backfill);
  const batches = mode === "incremental" ? await pendingBatches(con, lakeRoot, entity) : [];
  const emit = options.onProgress ?? (() => {});
  emit({ type: "run-start", entity: entity.name, runId, batches: batches.length, mode });

  const empty: EntityRunResult = {
    runId,
    entity: entity.name,
    mode,
    status: "nothing_to_do",
    batches: [],
    window: { low: null, high: null },
    rowsRead: 0,
    rowsAccepted: 0,
    rowsQuarantined: 0,
    rowsInserted: 0,
    rowsUpdated: 0,
    rowsStale: 0,
    rowsSuperseded: 0,
    rowsDeleted: 0,
    quarantinedByRule: {},
    warnings: {},
    batchCounts: [],
    quarantineRepeats: 0,
    quarantineReplayed: 0,
    quarantineSuperseded: 0,
    steps: [],
    durationMs: 0,
  };
  // The tables, made or brought to this definition of the entity and star, all or none.
  await con.run("BEGIN TRANSACTION");
  try {
    for (const stmt of compiler.ddl(plan, ctx)) await con.run(stmt.sql);
    await evolveTables(con, compiler.tables(plan));
    await checkMergeKey(con, entity, mode, runId);
    await con.run("COMMIT");
  } catch (e) {
    await con.run("ROLLBACK");
    throw engineError(e, entity, "tables");
  }
  if (mode === "incremental" && batches.length === 0) {
    const result = { ...empty, durationMs: Date.now() - started };
    emit({ type: "run-end", entity: entity.name, result });
    return result;
  }

  await con.run(
    `INSERT INTO saleslake.runs (run_id, entity, mode, status, started_at, batches, pid) VALUES ($1, $2, $3, 'running', $4::TIMESTAMPTZ, from_json($5, '["VARCHAR"]'), $6)`,
    [
      runId,
      entity.name,
      mode,
      // This entity's own start: the entities of one invocation run one after the other.
      new Date(started).toISOString(),
      JSON.stringify(batches.map((b) => b.batchId)),
      process.pid,
    ] as never,
  );
  const steps: StepResult[] = [];
  let window: { low: string | null; high: string | null } = { low: null, high: null };
  /** Milliseconds each step spent before the transaction, on what it prepares. */
  const preparedMs = new Map<string, number>();
  /** When each step began, in milliseconds since the epoch: what it prepared comes first. */
  const stepStarted = new Map<string, number>();
  const begins = (step: string, at: number) => {
    if (!stepStarted.has(step)) stepStarted.set(step, at);
  };
  try {
    stop.arm(con);
    // Only an incremental run has batches to read: one relation per part (a file, or small files
    // read alike), in order. A batch the entity cannot read fails the run, in the ledger too.
    const schemas = await fileSchemaReader(con, entity);
    await schemas.prefetch(batches);
    const landing = landingRead(entity, batches, schemas.schemaOf);
    // A full refresh empties silver before its merge; otherwise silver is as this run finds it
    // (the run lock keeps other writers out until the run ends).
    const silverEmpty =
      mode === "full_refresh" ||
      (await rows(con, `SELECT 1 AS found FROM silver.${quoteIdent("duckdb", entity.name)} LIMIT 1`))
        .length === 0;
    // Fixed rows replayed from quarantine: they resolve their earlier entries (below), and one
    // quarantined again is a new entry, not a repeat.
    const replays = batches.filter(
      (b) => b.manifest.source.name.startsWith(REPLAY_SOURCE_PREFIX) || b.manifest.files.some((f) => f.fixes),
    );
    const compiled = compiler.compile(plan, {
      ...ctx,
      replayBatches: replays.map((b) => b.batchId),
      silverEmpty,
      landingParts: landing.length,
      groupedParts: [...landing.keys()].filter((i) => !landing[i]?.numbered && (landing[i]?.files ?? 0) > 1),
      partLineage: landing.map((part) => part.lineage),
    });
    // First, before the transaction, what the run reads to build its scratch tables: the stage
    // read from the landed files (see landingRead) and, incrementally, the classified delta (see
    // Statement.prepare). None of it writes to the warehouse, so a failure here leaves nothing
    // behind; nor does anything else write to it before BEGIN.
    const bronzeStep = compiled.find((s) => s.kind === "bronze");
    if (mode === "incremental" && bronzeStep) {
      try {
        for (const [i, part] of landing.entries()) {
          await con.run(
            `CREATE OR REPLACE TEMP VIEW ${quoteIdent("duckdb", `landing_raw_${i}`)} AS ${part.relation}`,
          );
        }
      } catch (e) {
        throw engineError(e, entity, bronzeStep.id);
      }
    }
    /** Whether the stage of a part of each shape keeps the file's order (see keepsOrder). */
    const ordered = new Map<string, boolean>();
    for (const step of compiled) {
      for (const stmt of step.statements.filter((x) => x.prepare)) {
        const t0 = Date.now();
        begins(step.id, t0);
        stop.check(entity.name);
        try {
          // A part the reader does not number is numbered by its stage's row ids, if the plan
          // keeps them in order. The stages of the parts differ only in the part they read, so
          // one plan is looked at per shape of part: a batch of 200 files, one EXPLAIN, not 200.
          const part = stmt.stagesPart === undefined ? undefined : landing[stmt.stagesPart];
          if (part && !part.numbered) {
            const keeps = ordered.get(part.shape) ?? (await keepsOrder(con, stmt.sql));
            ordered.set(part.shape, keeps);
            if (!keeps) {
              await con.run(
                `CREATE OR REPLACE TEMP VIEW ${quoteIdent("duckdb", `landing_raw_${stmt.stagesPart}`)} AS ${numberedOnRead(part)}`,
              );
            }
          }
          await con.run(stmt.sql);
        } catch (e) {
          if (stmt.stagesPart !== undefined) await schemas.nameUnreadableDeclared(batches);
          throw engineError(e, entity, step.id);
        }
        preparedMs.set(step.id, (preparedMs.get(step.id) ?? 0) + Date.now() - t0);
      }
    }
    // Into an empty silver an SCD1 entity's classified delta is the stage's rows, all inserts; an
    // SCD2 entity's is classified version by version (DuckdbCompiler.classifiedDelta).
    if (mode === "incremental" && (await dropsRows(con, silverEmpty && entity.scd === 1))) {
      await con.run("SET preserve_insertion_order = false");
    }
    await con.run("BEGIN TRANSACTION");
    const counts = new Map<string, Row>();
    let perBatch: Row[] = [];
    if (mode === "full_refresh") for (const s of compiler.fullRefreshReset(plan, ctx)) await con.run(s.sql);
    for (const step of compiled) {
      if (step.kind === "bronze" && mode !== "incremental") continue;
      if (step.kind === "silver") crashPoint("before:silver");
      if (step.kind === "bronze") crashPoint("before:bronze");
      emit({ type: "step-start", entity: entity.name, step: step.id });
      const t0 = Date.now();
      begins(step.id, t0);
      let stepCounts: Row = {};
      for (const stmt of step.statements.filter((x) => !x.prepare)) {
        if (step.kind === "bronze" && stmt.sql.startsWith("INSERT INTO") && stmt.sql.includes('"bronze".'))
          crashPoint("during:bronze");
        if (step.kind === "fact") crashPoint("during:gold");
        stop.check(entity.name);
        try {
          if (stmt.label) stepCounts = (await rows(con, stmt.sql))[0] ?? {};
          else await con.run(stmt.sql);
        } catch (e) {
          throw engineError(e, entity, step.id);
        }
        // After the first statement that changes silver (a MERGE, or the delete of updated keys).
        if (step.kind === "silver" && /^(MERGE|DELETE|INSERT)/.test(stmt.sql)) crashPoint("during:merge");
      }
      if (step.kind === "bronze") {
        perBatch = await rows(
          con,
          `SELECT _batch_id, count(*) AS rows_read, count(*) FILTER (WHERE _ok) AS rows_accepted, count(*) FILTER (WHERE NOT _ok) AS rows_quarantined FROM bronze_stage GROUP BY _batch_id`,
        );
        crashPoint("after:bronze");
      }
      // Each step's time includes what it prepared before the transaction.
      const durationMs = Date.now() - t0 + (preparedMs.get(step.id) ?? 0);
      counts.set(step.id, stepCounts);
      steps.push({
        step: step.id,
        kind: step.kind,
        startedAt: new Date(stepStarted.get(step.id) ?? t0),
        durationMs,
        counts: stepCounts,
      });
      emit({ type: "step-end", entity: entity.name, step: step.id, durationMs, counts: stepCounts });
      if (step.kind === "silver") crashPoint("after:merge-before-ledger");
    }

    const bronze = counts.get("bronze") ?? {};
    const silver = counts.get("silver") ?? {};
    const rules = qualityRules(entity);
    const warns = rules.filter((r) => r.severity === "warn");
    const warnings: Record<string, number> = {};
    warns.forEach((w, i) => {
      const n = num(bronze[`warn_${i}`]);
      if (n > 0) warnings[w.id] = n;
    });
    const quarantinedByRule: Record<string, number> = {};
    if (mode === "incremental") {
      for (const r of await rows(
        con,
        // The stage holds this run's broken rules: the quarantine table is not scanned.
        "SELECT rule, count(*) AS n FROM (SELECT unnest(_rule_ids) AS rule FROM bronze_stage WHERE NOT _ok) GROUP BY rule ORDER BY rule",
      )) {
        quarantinedByRule[String(r.rule)] = num(r.n);
      }
    }

    // Rows quarantined again with the raw values of an earlier entry: recorded, not open.
    const quarantineRepeats =
      mode === "incremental" && num(bronze.rows_quarantined) > 0
        ? num(
            (
              await rows(
                con,
                `SELECT count(*) AS n FROM quarantine.${quoteIdent("duckdb", entity.name)} WHERE _run_id = $1 AND repeat_of IS NOT NULL`,
                [runId],
              )
            )[0]?.n,
          )
        : 0;
    // Fixed rows replayed from quarantine resolve their earlier entries, with the data.
    const marked = { resolved: 0, superseded: 0 };
    if (mode === "incremental" && replays.length > 0) {
      const stmts = compiler.markReplayed(
        entity,
        ctx,
        replays.map((b) => ({
          batchId: b.batchId,
          fixes: b.manifest.files.flatMap((f) =>
            (f.fixes ?? []).map((x) => ({
              sourceFile: `${batchPath("landing", entity.name, b.batchId)}/${f.path}`,
              rowNumber: x.row,
              entry: x.entry,
            })),
          ),
        })),
      );
      for (const stmt of stmts) {
        if (stmt.label !== "resolved" && stmt.label !== "superseded") await con.run(stmt.sql);
        else marked[stmt.label] += num(Object.values((await rows(con, stmt.sql))[0] ?? {})[0]);
      }
    }

    // Ledger, processed batches and watermark: in the same transaction as the data.
    window = await advanceWatermarks(con, entity, batches, perBatch, runId, now, mode);
    // A full refresh rebuilt silver by the definition's key: from now on it is the stored one.
    if (mode === "full_refresh") await recordMergeKey(con, entity, runId);
    const result: EntityRunResult = {
      runId,
      entity: entity.name,
      mode,
      status: "succeeded",
      batches: batches.map((b) => b.batchId),
      window,
      rowsRead: num(bronze.rows_read),
      rowsAccepted: num(bronze.rows_accepted),
      rowsQuarantined: num(bronze.rows_quarantined),
      rowsInserted: num(silver.rows_inserted),
      rowsUpdated: num(silver.rows_updated),
      rowsStale: num(silver.rows_stale),
      rowsSuperseded: num(silver.rows_superseded),
      rowsDeleted: num(silver.rows_deleted),
      quarantinedByRule,
      warnings,
      batchCounts: batches.map((b) => {
        const c = perBatch.find((r) => String(r._batch_id) === b.batchId) ?? {};
        return {
          batchId: b.batchId,
          rowsRead: num(c.rows_read),
          rowsAccepted: num(c.rows_accepted),
          rowsQuarantined: num(c.rows_quarantined),
        };
      }),
      quarantineRepeats,
      quarantineReplayed: marked.resolved,
      quarantineSuperseded: marked.superseded,
      steps,
      durationMs: Date.now() - started,
    };
    for (const s of steps) {
      await con.run("INSERT INTO saleslake.run_steps VALUES ($1, $2, $3, $4::TIMESTAMPTZ, $5, $6)", [
        runId,
        s.step,
        s.kind,
        s.startedAt.toISOString(),
        s.durationMs,
        JSON.stringify(s.counts),
      ] as never);
    }
    // The clock's time, not now(): DuckDB's now() is when the transaction began, before every step.
    await con.run(
      `UPDATE saleslake.runs SET status = 'succeeded', finished_at = $13::TIMESTAMPTZ, window_low = NULLIF($2, ''), window_high = NULLIF($3, ''), rows_read = $4,
       rows_accepted = $5, rows_quarantined = $6, rows_warned = $7, rows_inserted = $8, rows_updated = $9, rows_stale = $10, rows_deleted = $11,
       rows_superseded = $12 WHERE run_id = $1`,
      [
        runId,
        window.low ?? "",
        window.high ?? "",
        result.rowsRead,
        result.rowsAccepted,
        result.rowsQuarantined,
        Object.values(warnings).reduce((a, b) => a + b, 0),
        result.rowsInserted,
        result.rowsUpdated,
        result.rowsStale,
        result.rowsDeleted,
        result.rowsSuperseded,
        new Date().toISOString(),
      ] as never,
    );
    crashPoint("before:commit");
    stop.check(entity.name);
    stop.disarm();
    await con.run("COMMIT");
    crashPoint("after:commit");
    emit({ type: "run-end", entity: entity.name, result });
    return result;
  } catch (e) {
    stop.disarm();
    await con.run("ROLLBACK").catch(() => {});
    const err = stop.requested
      ? interrupted(entity.name, e)
      : e instanceof PipelineError
        ? e
        : engineError(e, entity, "run");
    await con
      .run("UPDATE saleslake.runs SET status = 'failed', finished_at = now(), error = $2 WHERE run_id = $1", [
        runId,
        `${err.code}: ${err.message}`,
      ] as never)
      .catch(() => {});
    throw err;
  } finally {
    // The next entity's stage is planned to keep the order rows are read in (see keepsOrder:
    // without it, the stage would number its rows on one thread).
    await con.run("SET preserve_insertion_order = true").catch(() => {});
    await dropScratch(con).catch(() => {});
  }
}

/**
 * Whether an incremental run leaves out, between its scratch tables and the tables it writes,
 * some of the rows it read: quarantined rows, older versions of a key in the batch, rows no newer
 * than the stored ones. Then its transaction does not keep insertion order: DuckDB's ordered
 * batch insert writes a second time every row group's worth that a filter leaves short (1M rows,
 * 0.1% quarantined: 2.3 s into bronze against 1.4 s unordered), while an unordered insert of
 * rows that all go in takes more memory for no time saved (1M rows: 1.0–1.1 GB against
 * 0.85–0.92 GB). Nothing the transaction writes depends on the order: row numbers come from the
 * stage, built before it. `allInserts`: the classified delta is known to hold inserts alone.
 */
async function dropsRows(con: DuckDBConnection, allInserts: boolean): Promise<boolean> {
  const [found] = await rows(
    con,
    `SELECT EXISTS (SELECT 1 FROM bronze_stage WHERE NOT _ok) OR EXISTS (SELECT 1 FROM delta_superseded)${
      allInserts ? "" : " OR EXISTS (SELECT 1 FROM silver_delta WHERE _action NOT IN ('insert', 'update'))"
    } AS drops`,
  );
  return found?.drops === true;
}

function engineError(e: unknown, entity: Entity, step: string): PipelineError {
  if (e instanceof PipelineError) return e;
  const full = (e as Error).message;
  const msg = full.split("\n")[0] ?? String(e);
  if (OUT_OF_MEMORY.test(msg)) return outOfMemory(`${entity.name} ${step}: ${msg}`, e);
  // DuckDB names the file in the first line, or, for a CSV error, in a `file = …` line below it.
  const file =
    /(\/[^\s"']+\.(csv|jsonl?|parquet)(\.gz)?)/.exec(msg)?.[1] ??
    /^\s*file = (\/.+)$/m.exec(full)?.[1]?.trim();
  return new PipelineError(
    "ENGINE_ERROR",
    `${entity.name} ${step}: ${msg}`,
    file
      ? `Fix or remove the landed file ${file}, then run again; nothing was committed.`
      : "Nothing was committed; fix the cause and run again.",
    { cause: e, ...(file && { file }) },
  );
}

/** DuckDB's error when it can neither allocate within its memory limit nor spill to make room. */
const OUT_OF_MEMORY = /^Out of Memory Error/;

function outOfMemory(message: string, cause: unknown): PipelineError {
  return new PipelineError(
    "OUT_OF_MEMORY",
    message,
    "Nothing was committed. Raise the memory limit (saleslake run --memory-limit, or engine.memoryLimit in saleslake.config.ts), lower engine.threads, or make room on the disk of the spill folder (state/tmp); then run again.",
    { cause },
  );
}

async function recordMergeKey(con: DuckDBConnection, entity: Entity, runId: string): Promise<void> {
  await con.run(
    "INSERT OR REPLACE INTO saleslake.merge_keys VALUES ($1, from_json($2, '[\"VARCHAR\"]'), $3)",
    [entity.name, JSON.stringify(entity.key), runId] as never,
  );
}

/**
 * Silver's rows are merged by the entity's key. A definition whose key differs from the one the
 * stored rows were merged by would merge new rows beside stored rows of the same new key (two
 * current rows for one key) and never supersede them: an incremental run or backfill is refused
 * while silver holds rows, and a full refresh, which rebuilds silver from bronze by the new key,
 * records it with its data. The first run on a warehouse records the key it runs by.
 */
async function checkMergeKey(
  con: DuckDBConnection,
  entity: Entity,
  mode: RunMode,
  runId: string,
): Promise<void> {
  const [stored] = await rows(
    con,
    "SELECT CAST(to_json(key_columns) AS VARCHAR) AS k FROM saleslake.merge_keys WHERE entity = $1",
    [entity.name] as never,
  );
  const before = stored ? (JSON.parse(String(stored.k)) as string[]) : undefined;
  if (before && JSON.stringify(before) === JSON.stringify(entity.key)) return;
  if (before && mode !== "full_refresh") {
    const silver = `silver.${quoteIdent("duckdb", entity.name)}`;
    if ((await rows(con, `SELECT 1 AS found FROM ${silver} LIMIT 1`)).length > 0)
      throw new PipelineError(
        "SCHEMA_CHANGE",
        `${entity.name}: the definition's key is (${entity.key.join(", ")}); silver's rows were merged by (${before.join(", ")}), and merging by another key would keep two rows of one key`,
        "Rebuild silver and gold by the new key with a full refresh (saleslake run --full-refresh), or put the key back.",
      );
  }
  // No key recorded yet, or silver holds no row: this run's key is the one its rows merge by.
  if (!before || mode !== "full_refresh") await recordMergeKey(con, entity, runId);
}

/** Records processed batches and moves the watermark; full refresh and backfill leave both alone. */
async function advanceWatermarks(
  con: DuckDBConnection,
  entity: Entity,
  batches: LandedBatch[],
  perBatch: Row[],
  runId: string,
  now: Date,
  mode: RunMode,
): Promise<{ low: string | null; high: string | null }> {
  if (mode !== "incremental") return { low: null, high: null };
  const counts = new Map(perBatch.map((r) => [String(r._batch_id), r]));
  for (const b of batches) {
    const c = counts.get(b.batchId) ?? {};
    await con.run(
      "INSERT INTO saleslake.processed_batches VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::TIMESTAMPTZ)",
      [
        entity.name,
        b.batchId,
        runId,
        b.manifest.source.name,
        b.manifest.contentSha256,
        num(c.rows_read),
        num(c.rows_accepted),
        num(c.rows_quarantined),
        now.toISOString(),
      ] as never,
    );
  }
  // File drops are one feed whatever the file names; databases and APIs are one source each.
  const sourceOf = (b: LandedBatch) => (b.manifest.source.kind === "file" ? "files" : b.manifest.source.name);
  const sources = [...new Set(batches.map(sourceOf))];
  let low: string | undefined;
  let high: string | undefined;
  for (const source of sources) {
    const prior = (
      await rows(con, "SELECT value FROM saleslake.watermarks WHERE entity = $1 AND source = $2", [
        entity.name,
        source,
      ])
    )[0];
    const ids = batches.filter((b) => sourceOf(b) === source).map((b) => b.batchId);
    let value: string;
    let kind: string;
    if (entity.watermark.kind === "column") {
      kind = `column:${entity.watermark.column}`;
      const col = `CAST("${entity.watermark.column}" AS ${markType(entity)})`;
      // This run's accepted rows are the stage's `_ok` rows: bronze is not scanned.
      const r = (
        await rows(
          con,
          `SELECT CAST(max(${col}) AS VARCHAR) AS v FROM bronze_stage WHERE _ok AND list_contains(from_json($1, '["VARCHAR"]'), _batch_id)`,
          [JSON.stringify(ids)] as never,
        )
      )[0];
      const fromRows = r?.v === null || r?.v === undefined ? undefined : String(r.v);
      const windows = batches
        .filter((b) => b.manifest.source.name === source && b.manifest.window)
        .map((b) => b.manifest.window!.high);
      const candidates = [
        fromRows,
        ...windows,
        prior?.value === undefined ? undefined : String(prior.value),
      ].filter((v): v is string => v !== undefined);
      // Every row quarantined and no earlier mark: nothing to advance to.
      if (candidates.length === 0) continue;
      value = await newestMark(con, markType(entity), candidates);
    } else {
      kind = "batch";
      value = [...ids, ...(prior ? [String(prior.value)] : [])].sort().at(-1)!;
    }
    if (low === undefined && prior) low = String(prior.value);
    high = high === undefined ? value : await newestMark(con, markType(entity), [high, value]);
    await con.run(
      "INSERT OR REPLACE INTO saleslake.watermarks VALUES ($1, $2, $3, $4, $5, $6::TIMESTAMPTZ)",
      [entity.name, source, kind, value, runId, now.toISOString()] as never,
    );
  }
  return { low: low ?? null, high: high ?? null };
}

/** The DuckDB type a watermark's values compare in: the column's, or text for batch ids. */
function markType(entity: Entity): string {
  if (entity.watermark.kind !== "column") return "VARCHAR";
  const name = entity.watermark.column;
  const column = entity.columns.find((c) => c.name === name);
  return column ? physicalType("duckdb", column.type) : "VARCHAR";
}

/**
 * The newest of watermark values, compared as the column's type (10 after 9, a timestamp with its
 * zone read), returned as written. Values come from the rows, a source's window and the mark before.
 */
async function newestMark(con: DuckDBConnection, type: string, values: readonly string[]): Promise<string> {
  if (type === "VARCHAR") return [...values].sort().at(-1)!;
  const [r] = await rows(
    con,
    `SELECT v FROM (SELECT unnest(from_json($1, '["VARCHAR"]')) AS v) ORDER BY CAST(v AS ${type}) DESC, v DESC LIMIT 1`,
    [JSON.stringify(values)] as never,
  );
  return String(r!.v);
}

const ISO = /^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+(Z|[+-][0-9:]+)?)?$/;

/** Milliseconds of an ISO date or time (UTC unless it says otherwise), or undefined if there is no such day or time. */
function instantOf(v: string): number | undefined {
  const [y, m, d] = v.slice(0, 10).split("-").map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return undefined;
  if (v.length === 10) return day.getTime();
  const time = v.replace(" ", "T");
  const zoned = /(Z|[+-][0-9]{2}(:?[0-9]{2})?)$/.test(time.slice(11)) ? time : `${time}Z`;
  const ms = Date.parse(zoned.replace(/([+-][0-9]{2})$/, "$1:00"));
  return Number.isNaN(ms) ? undefined : ms;
}

function backfillFilter(entity: Entity, options: RunOptions): string {
  const { from, to } = options;
  if (!from || !to)
    throw new PipelineError(
      "INVALID_OPTION",
      "a backfill needs both --from and --to",
      "Give an inclusive start and an exclusive end.",
    );
  const type = markType(entity);
  if (entity.watermark.kind === "column" && type !== "DATE" && type !== "TIMESTAMPTZ") {
    const number = /^-?[0-9]+(\.[0-9]+)?$/;
    if (!number.test(from) || !number.test(to))
      throw new PipelineError(
        "INVALID_OPTION",
        `backfill bounds ${from} / ${to} are not numbers, as ${entity.watermark.column} is`,
        `Give the bounds as values of ${entity.watermark.column}, like --from 100 --to 200.`,
      );
    if (Number(from) >= Number(to))
      throw new PipelineError(
        "INVALID_OPTION",
        `backfill window ${from} / ${to} is empty: --from must come before --to`,
        "Give an inclusive start and a larger, exclusive end.",
      );
    // The bounds are checked numbers; written as DECIMAL literals, a long one keeps every digit.
    const col = `b."${entity.watermark.column}"`;
    return `${col} >= ${from} AND ${col} < ${to}`;
  }
  if (entity.watermark.kind === "column") {
    if (!ISO.test(from) || !ISO.test(to)) {
      throw new PipelineError(
        "INVALID_OPTION",
        `backfill bounds ${from} / ${to} are not ISO 8601 dates or timestamps`,
        "Write them like 2026-01-01 or 2026-01-01T00:00:00Z.",
      );
    }
    const [start, end] = [instantOf(from), instantOf(to)];
    if (start === undefined || end === undefined)
      throw new PipelineError(
        "INVALID_OPTION",
        `backfill bound ${start === undefined ? from : to} is not a date or time that exists`,
        "Write them like 2026-01-01 or 2026-01-01T00:00:00Z.",
      );
    if (start >= end)
      throw new PipelineError(
        "INVALID_OPTION",
        `backfill window ${from} / ${to} is empty: --from must come before --to`,
        "Give an inclusive start and a later, exclusive end.",
      );
    const col = `b."${entity.watermark.column}"`;
    return `${col} >= TIMESTAMPTZ '${from}' AND ${col} < TIMESTAMPTZ '${to}'`;
  }
  const bound = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
  const asBatch = (v: string) => (bound.test(v) ? v.replace(/-/g, "") : v);
  if (![from, to].every((v) => bound.test(v) || /^[0-9]{8}T[0-9]{9}Z-[0-9a-f]{8}$/.test(v))) {
    throw new PipelineError(
      "INVALID_OPTION",
      `backfill bounds ${from} / ${to} are neither dates nor batch ids`,
      "For file-drop entities give landing dates (2026-01-01) or batch ids.",
    );
  }
  for (const v of [from, to])
    if (bound.test(v) && instantOf(v) === undefined)
      throw new PipelineError(
        "INVALID_OPTION",
        `backfill bound ${v} is not a date that exists`,
        "For file-drop entities give landing dates (2026-01-01) or batch ids.",
      );
  if (asBatch(from) >= asBatch(to))
    throw new PipelineError(
      "INVALID_OPTION",
      `backfill window ${from} / ${to} is empty: --from must come before --to`,
      "Give an inclusive start and a later, exclusive end.",
    );
  return `b._batch_id >= '${asBatch(from)}' AND b._batch_id < '${asBatch(to)}'`;
}

/**
 * Whether DuckDB plans a `CREATE TABLE … AS` as an insert that keeps the order of its input, so
 * that row ids follow the landed file. It does for the stage the compiler writes; a plan with a
 * join (a quality check with a subquery, say) inserts in whatever order the threads finish.
 */
export async function keepsOrder(con: DuckDBConnection, createTableAs: string): Promise<boolean> {
  const plan = await rows(con, `EXPLAIN ${createTableAs}`);
  return plan.some((r) => String(r.explain_value).includes("BATCH_CREATE_TABLE_AS"));
}

/**
 * A landed part whose rows are numbered as they are read, for a stage that would not keep their
 * order: correct whatever the plan, at the price of reading the part on one thread. The rows of
 * several files are numbered in the order read, then per file in that order.
 */
function numberedOnRead(part: LandedPart): string {
  if (part.files === 1) {
    return `SELECT * REPLACE (coalesce(_row_number, row_number() OVER ()) AS _row_number) FROM (${part.relation})`;
  }
  return `SELECT * EXCLUDE (_read_order) REPLACE (coalesce(_row_number, row_number() OVER (PARTITION BY _source_file ORDER BY _read_order)) AS _row_number)
FROM (SELECT *, row_number() OVER () AS _read_order FROM (${part.relation}))`;
}

/**
 * The silver and gold tables an entity's run writes, as `schema.table`: only they can have
 * gained deleted rows from it. Gold steps are named after their tables.
 */
function writtenTables(target: { entity: Entity; star?: Star }): string[] {
  return buildPlan(target.entity, target.star).steps.flatMap((s) =>
    s.kind === "silver" ? [`silver.${target.entity.name}`] : s.kind === "bronze" ? [] : [`gold.${s.id}`],
  );
}

/**
 * After a committed run (its scratch tables dropped): when a silver or gold table it wrote now
 * stores more than COMPACT_AT_DEAD_SHARE deleted rows, compacts the warehouse, recorded as the
 * run's `compact` step. The run's data is committed already; a failure here is reported as such.
 */
async function compactAfterRun(
  con: DuckDBConnection,
  run: EntityRunResult,
  written: readonly string[],
): Promise<StepResult | undefined> {
  const hint = "The next run of the entity that finds its tables over the limit compacts them.";
  return afterCommit(run, "compaction", hint, async () => {
    const tables = await tablesToCompact(con, written);
    if (tables.length === 0) return undefined;
    const t0 = Date.now();
    const counts = {
      tables: tables.map((t) => t.table).join(", "),
      rows_dead: tables.reduce((n, t) => n + t.dead, 0),
      dead_share_limit: COMPACT_AT_DEAD_SHARE,
    };
    // The step's own ledger row is the write the checkpoint needs.
    await compactWarehouse(con, async () => {
      await con.run(
        "INSERT INTO saleslake.run_steps VALUES ($1, 'compact', 'compact', $2::TIMESTAMPTZ, 0, $3)",
        [run.runId, new Date(t0).toISOString(), JSON.stringify(counts)] as never,
      );
    });
    const durationMs = Date.now() - t0;
    await con.run("UPDATE saleslake.run_steps SET duration_ms = $2 WHERE run_id = $1 AND step = 'compact'", [
      run.runId,
      durationMs,
    ] as never);
    return { step: "compact", kind: "compact", startedAt: new Date(t0), durationMs, counts };
  });
}

/** The checkpoint that ends a run (see checkpointWarehouse). */
async function checkpointAfterRun(con: DuckDBConnection, run: EntityRunResult): Promise<void> {
  const hint = "Its changes are in the warehouse's write-ahead log, which the next open replays.";
  await afterCommit(run, "checkpoint", hint, () => checkpointWarehouse(con));
}

/**
 * Work done after a run committed (a compaction, the closing checkpoint). Its failure is an
 * engine error that says the run's data is kept, and what happens to the work left undone.
 */
async function afterCommit<T>(
  run: EntityRunResult,
  what: string,
  hint: string,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw new PipelineError(
      "ENGINE_ERROR",
      `${run.entity} ${what}: ${(e as Error).message.split("\n")[0]}`,
      `Run ${run.runId} committed; only the ${what} after it failed. ${hint}`,
      { cause: e },
    );
  }
}

/**
 * Runs the pipeline for each entity: landing → bronze → silver → gold. One run at a time per
 * project; each entity commits in one transaction, so a failure leaves data and watermarks as
 * they were, and rerunning a processed batch changes nothing.
 */
export async function runPipeline(options: RunOptions): Promise<RunResult> {
  const paths = projectPaths(options.dir);
  const now = (options.now ?? (() => new Date()))();
  const runIdBase = newRunId(now);
  const stop = new Interruption(options.signal);
  const lock = acquireRunLock(paths.lock, runIdBase);
  // Everything after the lock is inside the try: a warehouse that cannot be opened releases it too.
  let engine: Awaited<ReturnType<typeof openEngine>> | undefined;
  try {
    engine = await openEngine(paths.warehouse, {
      ...options,
      spillDir: options.spillDir ?? paths.spill,
    });
    const { con } = engine;
    for (const sql of STATE_DDL) await con.run(sql);
    await con.run(
      "UPDATE saleslake.runs SET status = 'abandoned', finished_at = now(), error = 'the process ended before the run committed; nothing of it was kept' WHERE status = 'running'",
    );
    const results: EntityRunResult[] = [];
    const targets = selectEntities(options);
    /** A run committed since the last checkpoint (a compaction is one). */
    let logged: EntityRunResult | undefined;
    for (const [i, target] of targets.entries()) {
      const runId = targets.length > 1 ? `${runIdBase}-${i + 1}` : runIdBase;
      const result = await runEntity(
        con,
        options,
        options.lakeRoot ?? paths.lake,
        target,
        runId,
        now,
        stop,
      ).catch((e: unknown) => {
        const kept = results.filter((r) => r.status === "succeeded");
        if (!(e instanceof PipelineError && e.code === "INTERRUPTED" && kept.length > 0)) throw e;
        throw new PipelineError(
          "INTERRUPTED",
          `${e.message}; committed before it: ${kept.map((r) => `${r.entity} (run ${r.runId})`).join(", ")}`,
          e.hint,
          { cause: e.cause },
        );
      });
      const compacted =
        result.status === "succeeded" ? await compactAfterRun(con, result, writtenTables(target)) : undefined;
      if (result.status === "succeeded") logged = compacted ? undefined : result;
      results.push(compacted ? { ...result, steps: [...result.steps, compacted] } : result);
    }
    if (logged) await checkpointAfterRun(con, logged);
    return { runs: results };
  } catch (e) {
    const msg = (e as Error).message?.split("\n")[0] ?? "";
    throw e instanceof PipelineError || !OUT_OF_MEMORY.test(msg) ? e : outOfMemory(msg, e);
  } finally {
    stop.dispose();
    try {
      engine?.con.closeSync();
      engine?.instance.closeSync();
    } finally {
      lock.release();
    }
  }
}

export interface PlannedRun {
  readonly entity: string;
  readonly mode: RunMode;
  readonly batches: readonly { batchId: string; source: string; rows: number; landedAt: string }[];
  readonly expectedRows: number;
  readonly watermarks: readonly Row[];
  readonly steps: readonly { id: string; kind: string; dependsOn: readonly string[] }[];
}

/** What a run would do — batches, rows, steps, current watermarks — without doing it. */
export async function planRun(options: RunOptions): Promise<PlannedRun[]> {
  const paths = projectPaths(options.dir);
  const mode = options.mode ?? "incremental";
  const out: PlannedRun[] = [];
  const { existsSync } = await import("node:fs");
  const hasWarehouse = existsSync(paths.warehouse);
  const engine = hasWarehouse ? await openEngine(paths.warehouse, { readOnly: true }) : undefined;
  try {
    for (const target of selectEntities(options)) {
      const landed = listLandedBatches(options.lakeRoot ?? paths.lake, target.entity.name);
      let done = new Set<string>();
      let watermarks: Row[] = [];
      if (engine) {
        const hasState =
          (
            await rows(
              engine.con,
              "SELECT 1 FROM information_schema.tables WHERE table_schema = 'saleslake' AND table_name = 'processed_batches'",
            )
          ).length > 0;
        if (hasState) {
          done = new Set(
            (
              await rows(engine.con, "SELECT batch_id FROM saleslake.processed_batches WHERE entity = $1", [
                target.entity.name,
              ])
            ).map((r) => String(r.batch_id)),
          );
          watermarks = await rows(
            engine.con,
            "SELECT source, kind, value FROM saleslake.watermarks WHERE entity = $1 ORDER BY source",
            [target.entity.name],
          );
        }
      }
      const pending = mode === "incremental" ? landed.filter((b) => !done.has(b.batchId)) : [];
      const plan = buildPlan(target.entity, target.star);
      out.push({
        entity: target.entity.name,
        mode,
        batches: pending.map((b) => ({
          batchId: b.batchId,
          source: b.manifest.source.name,
          rows: b.manifest.rowCount,
          landedAt: b.manifest.landedAt,
        })),
        expectedRows: pending.reduce((a, b) => a + b.manifest.rowCount, 0),
        watermarks,
        steps: plan.steps.map((s) => ({ id: s.id, kind: s.kind, dependsOn: s.dependsOn })),
      });
    }
  } finally {
    engine?.con.closeSync();
    engine?.instance.closeSync();
  }
  return out;
}
