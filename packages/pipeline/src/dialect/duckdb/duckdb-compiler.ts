import {
  type Entity,
  normalizedRawSql,
  type QuarantineEntry,
  quoteString,
  rawName,
  type Star,
  typedFromRawColumnSql,
} from "@saleslake/schema";
import type { Plan } from "../../plan/plan.ts";
import {
  type CompileContext,
  type CompiledStep,
  factValueColumns,
  PlanCompiler,
  type Statement,
} from "../../query-compiler/plan-compiler.ts";

/** Scratch tables an incremental run builds before its transaction (see `Statement.prepare`). */
const PREPARED = /^(bronze_stage_[0-9]+(_files)?|delta_superseded|silver_delta)$/;
/** The silver rows of the run's changed keys, which every gold step reads (see compile). */
const CHANGED_ROWS = "changed_rows";
/** Whether the run keeps its changed silver rows for gold (see DuckdbCompiler.compile). */
const keepsChangedRows = (ctx: CompileContext) => !ctx.silverEmpty;
/**
 * What a run that reads its delta for gold (readsDelta) keeps as views over it rather than tables
 * made in its transaction: the changed keys and the fact's source, whose readers, each in
 * parallel, cost less than writing them once and reading them back on one thread.
 */
const VIEWS_OVER_DELTA = new Set(["changed_keys", "fact_src"]);
/** The classified delta's rows an SCD1 run writes to silver (see applyScd1, changedSilver). */
const WRITTEN = "_action IN ('insert', 'update')";
/**
 * A dimension's members the run names and the new ones among them: where gold reads the delta
 * (readsDelta), prepared before the run's transaction, as the delta is. Numbering 950k new
 * customers in the dimension's insert from a table made in the transaction took 0.51 s, from one
 * made before it and numbered there 0.16 s.
 */
const MEMBERS = /^(src|new)_/;
/** Whether gold reads the run's silver rows from the classified delta (see changedSilver). */
const readsDelta = (e: Entity, ctx: CompileContext) => e.scd === 1 && !keepsChangedRows(ctx);
/** Row ids of one stage part stay below this, so `_stage_row` is unique across the parts. */
const STAGE_PART_ROWS = 2 ** 40;

/** DuckDB: the embedded engine. Temp tables are real tables for the session. */
export class DuckdbCompiler extends PlanCompiler {
  readonly dialect = "duckdb" as const;
  /** The local runner applies a run, every step of it, in one transaction (local-runner.ts). */
  protected override readonly oneTransaction = true;

  protected compactList(items: string[]): string {
    return items.length === 0
      ? "CAST([] AS VARCHAR[])"
      : `list_filter([${items.join(", ")}], lambda x: x IS NOT NULL)`;
  }
  protected jsonObject(pairs: [string, string][]): string {
    return `CAST(json_object(${pairs.map(([k, v]) => `${this.str(k)}, ${v}`).join(", ")}) AS VARCHAR)`;
  }
  protected createTemp(name: string, select: string): Statement[] {
    return [{ sql: `CREATE OR REPLACE TEMP TABLE ${this.q(name)} AS ${select}` }];
  }
  protected stringListType(): string {
    return "VARCHAR[]";
  }
  protected timestampType(): string {
    return "TIMESTAMPTZ";
  }
  protected stringType(): string {
    return "VARCHAR";
  }
  protected bigintType(): string {
    return "BIGINT";
  }
  protected boolType(): string {
    return "BOOLEAN";
  }
  protected semiJoin(): string {
    return "SEMI JOIN";
  }
  /**
   * A decimal wider than 18 digits is a 128-bit integer, whose bit-packed segments DuckDB 1.5
   * reads a hundred times slower than plain ones: 4.3 s against 0.05 s for 8.7M values, as many
   * as the daily aggregate of 10M order lines holds, which every run and report reads.
   */
  protected override storage(type: string): string {
    const m = /^DECIMAL\((\d+),/.exec(type);
    return m && Number(m[1]) > 18 ? " USING COMPRESSION uncompressed" : "";
  }

  protected override listSize(expr: string): string {
    return `len(${expr})`;
  }
  protected override listContains(list: string, value: string): string {
    return `list_contains(${list}, ${value})`;
  }
  /**
   * One pass over each landed part (a file, or small files read alike) into a stage table of its
   * own, `bronze_stage_<n>` (see stageSelect). The stage reads the files themselves
   * (`landing_raw_<n>`, see landingRead), so a row's number is its row id in that table plus
   * one: DuckDB keeps the files' order while insertion order is preserved, and parses in
   * parallel. Where a part reads several files, the row id of each
   * file's first row (`bronze_stage_<n>_files`) is taken off. Without a copy of the file's text
   * before the stage, a first load of 10M rows took 37.9–43.0 s against 42.3–50.5 s, and peaked
   * at 4.6–4.7 GB against 5.9–6.0 GB. Parquet brings its own numbers. The view `bronze_stage` is
   * every part, each row with `_stage_row`, an address unique across the parts.
   */
  protected override bronze(e: Entity, ctx: CompileContext): Statement[] {
    const count = Math.max(1, ctx.landingParts ?? 1);
    const parts = Array.from({ length: count }, (_, i) => `bronze_stage_${i}`);
    const grouped = new Set(ctx.groupedParts ?? []);
    // A part of one file has one batch and one file name: the stage leaves them out (at 1M rows,
    // two strings a row cost more to store than the rest of the lineage) and they come back here
    // as constants. Every branch ends with `_batch_id, _source_file, _stage_row`.
    const constant = (i: number) => (grouped.has(i) ? undefined : ctx.partLineage?.[i]);
    const union = parts
      .map((t, i) => {
        const stageRow = (rowid: string) => (i === 0 ? rowid : `${rowid} + ${i * STAGE_PART_ROWS}`);
        const lineage = constant(i);
        if (grouped.has(i))
          return `SELECT s.* EXCLUDE (_batch_id, _source_file) REPLACE (coalesce(s._row_number, s.rowid + 1 - f._first_row) AS _row_number), s._batch_id, s._source_file, ${stageRow("s.rowid")} AS _stage_row FROM ${this.q(t)} s JOIN ${this.q(`${t}_files`)} f ON s._source_file = f._source_file`;
        const numbered = "REPLACE (coalesce(_row_number, rowid + 1) AS _row_number)";
        const kept = lineage
          ? `* ${numbered}, ${this.str(lineage.batchId)} AS _batch_id, ${this.str(lineage.sourceFile)} AS _source_file`
          : `* EXCLUDE (_batch_id, _source_file) ${numbered}, _batch_id, _source_file`;
        return `SELECT ${kept}, ${stageRow("rowid")} AS _stage_row FROM ${this.q(t)}`;
      })
      .join("\nUNION ALL ");
    return [
      ...parts.flatMap((t, i) => [
        ...this.createShared(
          t,
          ctx,
          e,
          this.stageSelect(e, this.q(`landing_raw_${i}`), constant(i) !== undefined),
        ).map((s) => ({
          ...s,
          stagesPart: i,
        })),
        ...(grouped.has(i)
          ? this.createShared(
              `${t}_files`,
              ctx,
              e,
              `SELECT _source_file, min(rowid) AS _first_row FROM ${this.q(t)} GROUP BY _source_file`,
            )
          : []),
      ]),
      ...this.prepared(ctx, { sql: `CREATE OR REPLACE TEMP VIEW ${this.q("bronze_stage")} AS ${union}` }),
      this.quarantineInsert(e, ctx, this.q("bronze_stage")),
      this.bronzeInsert(e, ctx),
      this.bronzeCounts(e, ctx),
    ];
  }

  /**
   * The silver rows of the run's changed keys, read once, before the first gold step: each
   * dimension and the fact read them from there rather than joining silver to the keys again
   * (four dimensions and the fact of a 10k-row run into 10M lines: 0.2-0.6 s a join). Not when
   * the run filled an empty silver: every row changed, and a copy of the whole table would
   * raise the run's peak memory by half (6.1 GB -> 9.2 GB loading 10M lines to gold).
   */
  override compile(plan: Plan, ctx: CompileContext): CompiledStep[] {
    const steps = super.compile(plan, ctx);
    const first = steps.findIndex((s) => s.kind === "dimension" || s.kind === "fact");
    if (first < 0 || !keepsChangedRows(ctx)) return steps;
    const rows = this.createTemp(CHANGED_ROWS, this.writtenSilver(plan.entity, ctx));
    return steps.map((s, i) => (i === first ? { ...s, statements: [...rows, ...s.statements] } : s));
  }

  /**
   * The silver rows of the run's changed keys. An SCD1 entity's incremental run writes each
   * changed key's current row itself, with its run id and its time as `_ingested_at`, and the run
   * is one transaction, so no key is left 'applied' by an earlier attempt: the rows are those
   * this run wrote. They are found by the filter on `_ingested_at`, which the row groups' min-max
   * statistics answer for all but the row groups the run appended to, rather than by a join of
   * every stored key to the changed ones (a 10k-row run into 10M lines: 0.65 s). Otherwise,
   * the join (changedSilver).
   */
  private writtenSilver(e: Entity, ctx: CompileContext): string {
    if (e.scd !== 1 || ctx.mode !== "incremental") return super.changedSilver(e, ctx);
    return `SELECT s.* FROM ${this.table(ctx, "silver", e.name)} s WHERE s._ingested_at = ${ctx.now} AND s._run_id = ${ctx.runId}`;
  }

  /**
   * Into an empty silver, an SCD1 entity's silver holds just the classified delta's rows (see
   * applyScd1), so gold reads them where silver read them: DuckDB 1.5.6 scans rows written in the
   * open transaction on one thread, the view's stage, prepared before it, in parallel. For the
   * same reason the fact's source is then a view over it (see createShared), not a table made in
   * the transaction. A first load of 3M lines to gold: the fact step 5.8–6.6 s -> 3.5–3.7 s.
   */
  protected override changedSilver(e: Entity, ctx: CompileContext): string {
    if (keepsChangedRows(ctx)) return `SELECT * FROM ${this.q(CHANGED_ROWS)}`;
    if (readsDelta(e, ctx)) return `SELECT * FROM ${this.q("silver_delta")} WHERE ${WRITTEN}`;
    return super.changedSilver(e, ctx);
  }

  /**
   * In an incremental run the stage, the delta's superseded rows and the classified delta are
   * prepared before the run's transaction (see `Statement.prepare`): the stage reads only the
   * landed files, and the others only the stage and silver, which no statement of an incremental
   * run writes before them.
   */
  protected override createShared(name: string, ctx: CompileContext, e: Entity, select: string): Statement[] {
    if (VIEWS_OVER_DELTA.has(name) && readsDelta(e, ctx)) {
      return [{ sql: `CREATE OR REPLACE TEMP VIEW ${this.shared(name, ctx, e)} AS ${select}` }];
    }
    const stmts = super.createShared(name, ctx, e, select);
    const prepare = PREPARED.test(name) || (readsDelta(e, ctx) && MEMBERS.test(name));
    return prepare ? this.prepared(ctx, ...stmts) : stmts;
  }

  /**
   * Where gold reads the delta, silver holds just the rows the run wrote from it, so the members'
   * attributes are read there too: before the transaction, where silver is still empty.
   */
  protected override memberRows(e: Entity, ctx: CompileContext): string {
    if (!readsDelta(e, ctx)) return super.memberRows(e, ctx);
    // Silver's columns alone: the delta's own (`_rn`, `_action`) would shadow the members' ranking.
    const cols = this.silverColumns(e).map((c) => `s.${this.q(c.name)}`);
    return `(SELECT ${cols.join(", ")} FROM (${this.changedSilver(e, ctx)}) s)`;
  }

  /** New members are numbered as their scratch table is written, not by the dimension's insert. */
  protected override numberedMembers(select: string, keys: string[]): string {
    return `SELECT s.*, ${super.memberNumber(keys)} AS _member_no FROM (${select}) s`;
  }

  protected override memberNumber(_keys: string[]): string {
    return "s._member_no";
  }

  /**
   * Where the fact's source is a view over the delta (see createShared), its rows counted from
   * the delta, without the joins to the dimensions, which keep one row per changed key.
   */
  protected override factCounted(e: Entity, ctx: CompileContext, factSrc: string): string {
    if (!readsDelta(e, ctx)) return super.factCounted(e, ctx, factSrc);
    return `(SELECT ${this.deletedFlag(e)} AS _deleted FROM (${this.changedSilver(e, ctx)}) s)`;
  }

  /**
   * Where the fact's source is a view over the delta, the aggregate reads its own: its day, its
   * measures' columns and the keys of the dimensions it groups by, joined to those alone. Through
   * the fact's view it joined every dimension again.
   */
  protected override aggregateSource(s: Star, ctx: CompileContext, factSrc: string): string {
    const a = s.dailyAggregate;
    if (!a || !readsDelta(s.entity, ctx)) return super.aggregateSource(s, ctx, factSrc);
    const wanted = new Set([a.dateColumn, ...a.measures.map((m) => m.column)]);
    const values = factValueColumns(s)
      .filter((c) => wanted.has(c))
      .map((c) => this.q(c));
    const dims = s.dimensions.filter((d) => (a.by ?? []).includes(d.name));
    return `(${this.factSource(s, ctx, values, dims)})`;
  }

  /** Statements prepared before the transaction when the run is incremental. */
  private prepared(ctx: CompileContext, ...stmts: Statement[]): Statement[] {
    return ctx.mode === "incremental" ? stmts.map((s) => ({ ...s, prepare: true })) : stmts;
  }

  /** An incremental run's rows are the accepted rows of the stage: bronze is not read back. */
  protected override deltaSource(e: Entity, ctx: CompileContext, withSourceRowId = false): string {
    if (ctx.mode !== "incremental") return super.deltaSource(e, ctx, withSourceRowId);
    const extra = withSourceRowId ? ", b._stage_row AS _src_rowid" : "";
    const cols = e.columns.map((c) => `CAST(b.${this.q(c.name)} AS ${this.typeOf(c)}) AS ${this.q(c.name)}`);
    return `SELECT ${cols.join(", ")}, b._batch_id, b._source_file, b._row_number, ${ctx.now} AS _ingested_at, ${ctx.runId} AS _run_id, b._rescued_data${extra} FROM ${this.q("bronze_stage")} b WHERE b._ok`;
  }

  /** A source row's address: `_stage_row` in the stage (see `bronze`), `rowid` in bronze on a full refresh or backfill. */
  protected override sourceRowIdColumn(withSourceRowId: boolean): string {
    return withSourceRowId ? ", b.rowid AS _src_rowid" : "";
  }

  /** The delta's rows with the `rowid` of their source row as `_src_rowid`. */
  private numberedSource(e: Entity, ctx: CompileContext): string {
    return this.deltaSource(e, ctx, true);
  }

  /** SCD1 silver is the table itself, so the matched row's `rowid` is at hand for the delete. */
  protected override storedRowRef(e: Entity): string {
    return e.scd === 1 ? this.storedRowId("t") : "";
  }

  /**
   * A stored row's `rowid`. It holds through the run's transaction: only a checkpoint moves
   * rows, and none runs while a transaction is open.
   */
  protected override storedRowId(alias: string): string {
    return `, ${alias}.rowid AS _stored_rowid`;
  }

  /**
   * By the row ids `source` carries (storedRowId): no second join on the key, and a source row
   * that matched none is passed over. The daily aggregate of a 10k-row run into 10M lines (8.8M
   * groups): 63-71 ms against 83-97 ms joining on the day and product.
   */
  protected override deleteStored(table: string, source: string, _on: string): Statement {
    return this.deleteByRowId(table, source, "_stored_rowid IS NOT NULL");
  }

  /** Deletes from `table` the rows whose ids (`_stored_rowid`) the rows of `source` matching `where` carry. */
  private deleteByRowId(table: string, source: string, where: string): Statement {
    return {
      sql: `DELETE FROM ${table} AS t USING (SELECT _stored_rowid FROM ${source} WHERE ${where}) AS s WHERE t.rowid = s._stored_rowid`,
    };
  }

  /**
   * The source rows that lose to a newer row of the same key (`_src_rowid`), in a table of their
   * own: only keys that repeat within the delta are ranked, so the window sorts a handful of rows
   * rather than the whole delta. Measured on 10M rows with 10k repeated keys, against ranking
   * inside one statement over the delta materialized as a CTE: 4.4 s against 6.6 s, and 3.9 s
   * against 7.2–7.9 s without repeats. The statement reads the delta twice, for its repeated
   * keys and for their rows, on purpose: a CTE read twice is materialized whole, and the two
   * scans of the stage read only the columns each needs.
   */
  protected override beforeClassify(e: Entity, ctx: CompileContext): Statement[] {
    const keys = e.key.map((k) => this.q(k));
    const same = keys.map((k) => `r.${k} IS NOT DISTINCT FROM d.${k}`).join(" AND ");
    const repeated = `SELECT ${keys.join(", ")} FROM (${this.deltaSource(e, ctx)}) x GROUP BY ${keys.join(", ")} HAVING count(*) > 1`;
    return this.createShared(
      "delta_superseded",
      ctx,
      e,
      `SELECT _src_rowid FROM (SELECT d._src_rowid, row_number() OVER (PARTITION BY ${keys.map((k) => `d.${k}`).join(", ")} ORDER BY ${this.latestOrder(e, "d")}) AS _rn
  FROM (${this.numberedSource(e, ctx)}) d SEMI JOIN (${repeated}) r ON ${same}) ranked WHERE _rn > 1`,
    );
  }

  /**
   * An SCD2 entity's classified delta is the shared one (see `classify`). For an SCD1 entity:
   * into an empty silver every row is an insert, and there is nothing to join: the classified
   * delta is a view over the stage, read by the silver insert, the changed keys and the counts,
   * instead of a copy of the whole delta. A first load of 10M rows: 3.1 s and a second copy of
   * the rows in memory saved.
   *
   * Otherwise the classified delta is narrow: each row's address in the stage
   * (`_src_rowid`), its key, its delete flag, `_action` and the matched row's id; only what the
   * delete, the changed keys and the counts read. The insert takes its rows from the stage by
   * address (see `applyScd1`). A copy of every column of a 1M-row delta cost 0.7–1.0 s more to
   * write than the insert spends reading the stage back.
   */
  protected override classifiedDelta(e: Entity, ctx: CompileContext, deduped: string): Statement[] {
    // An SCD2 delta may hold several versions of a key, each classified against the one before.
    if (e.scd === 2) return super.classifiedDelta(e, ctx, deduped);
    if (ctx.silverEmpty) {
      return this.prepared(ctx, {
        sql: `CREATE OR REPLACE TEMP VIEW ${this.q("silver_delta")} AS SELECT s.*, 'insert' AS _action, CAST(NULL AS BIGINT) AS _stored_rowid FROM (${deduped}) s`,
      });
    }
    // The narrow form reads the delta's rows with their addresses (latestRows), not `deduped`.
    if (!this.narrowDelta(e, ctx)) return super.classifiedDelta(e, ctx, deduped);
    const kept = [...new Set([...e.key, ...(e.softDelete ? [e.softDelete] : [])])].map(
      (c) => `s.${this.q(c)}`,
    );
    return this.createShared(
      "silver_delta",
      ctx,
      e,
      `SELECT s._src_rowid, ${kept.join(", ")}, ${this.action(e, ctx)}${this.storedRowRef(e)}
FROM (${this.latestRows(e, ctx)}) s LEFT JOIN ${this.table(ctx, "silver", e.name)} t ON ${this.keyJoin(e, "s", "t")}`,
    );
  }

  /** Whether `silver_delta` is narrow, rows by their address in the stage (see classifiedDelta). */
  private narrowDelta(e: Entity, ctx: CompileContext): boolean {
    return e.scd === 1 && !ctx.silverEmpty;
  }

  /** The rows `beforeClassify` set aside, counted without reading the delta again. */
  protected override supersededRows(e: Entity, ctx: CompileContext): string {
    return this.keepsVersions(e)
      ? super.supersededRows(e, ctx)
      : `(SELECT count(*) FROM ${this.q("delta_superseded")})`;
  }

  /** Every row of the delta but those superseded within it (see `beforeClassify`). */
  protected override latestPerKey(e: Entity, ctx: CompileContext): string {
    return this.latestRows(e, ctx, "d.* EXCLUDE (_src_rowid), CAST(1 AS BIGINT) AS _rn");
  }

  /** `select` (by default each column and `_src_rowid`) of the delta's rows that no other row of their key supersedes. */
  private latestRows(e: Entity, ctx: CompileContext, select = "d.*"): string {
    return `SELECT ${select} FROM (${this.numberedSource(e, ctx)}) d ANTI JOIN ${this.q("delta_superseded")} l ON l._src_rowid = d._src_rowid`;
  }

  /**
   * An updated key's row is deleted and appended again with the new version: DuckDB rewrites
   * every updated column in place, so for wide rows a delete and an append cost a fraction of
   * an UPDATE. Inserts are appended without a join on the key. The same rows as the shared MERGE:
   * `silver_delta` was classified against silver as this run's transaction finds it.
   */
  protected override applyScd1(e: Entity, ctx: CompileContext, delta: string, _setList: string): Statement[] {
    const silver = this.table(ctx, "silver", e.name);
    const cols = [
      ...e.columns.map((c) => this.q(c.name)),
      "_batch_id",
      "_source_file",
      "_row_number",
      "_ingested_at",
    ];
    return [
      // By the row ids the classification matched: no second join on the key. The local runner
      // classifies just before the run's transaction and writes nothing to the warehouse in
      // between, so no checkpoint can move a row first. Measured on 5k updated keys in 10M rows,
      // 0.08–0.12 s against 0.27–0.34 s joining on the key again (1.6–1.8 s for WHERE EXISTS).
      this.deleteByRowId(silver, delta, "_action = 'update'"),
      {
        // A narrow classified delta (see classifiedDelta) holds addresses: the rows are read from
        // the stage by them. Into an empty silver it is the rows themselves.
        sql: `INSERT INTO ${silver} (${[...cols, "_run_id"].join(", ")})
SELECT ${cols.join(", ")}, ${ctx.runId} FROM ${
          this.narrowDelta(e, ctx)
            ? `(${this.numberedSource(e, ctx)}) d SEMI JOIN (SELECT _src_rowid FROM ${delta} WHERE ${WRITTEN}) c ON c._src_rowid = d._src_rowid`
            : `${delta} WHERE ${WRITTEN}`
        }`,
      },
    ];
  }

  /**
   * The fact as silver is applied (applyScd1): the stored rows of the changed keys deleted, the
   * current ones appended. A MERGE's UPDATE of rows scattered through the table costs the commit
   * a rewrite of their row groups (5k updated and 5k new keys in 3M rows: 0.9–2.3 s against
   * 0.6–0.9 s, statements and checkpoint). Where the run maintains the aggregate, it has read
   * the stored rows of the changed keys already (`stored`): they are deleted by their row ids.
   * A 10k-row run into 10M lines: the aggregate's read and the delete 0.34 s, against 0.51 s
   * for two joins of the fact's keys.
   */
  protected override applyFact(
    e: Entity,
    ctx: CompileContext,
    fact: string,
    factSrc: string,
    all: string[],
    stored?: string,
  ): Statement[] {
    return [
      stored
        ? this.deleteStored(fact, stored, this.keyJoin(e, "t", "s"))
        : { sql: `DELETE FROM ${fact} AS t USING ${factSrc} AS s WHERE ${this.keyJoin(e, "t", "s")}` },
      {
        sql: `INSERT INTO ${fact} (${[...all, "_updated_at", "_run_id"].join(", ")})
SELECT ${all.map((c) => `s.${c}`).join(", ")}, ${ctx.now}, ${ctx.runId} FROM ${factSrc} s WHERE NOT s._deleted`,
      },
    ];
  }

  /**
   * Marks earlier quarantine entries replayed by this run, in its transaction (the stage is read
   * from `bronze_stage`). An entry a fixed row of `replays` names (its `fixes`) is resolved when
   * the row is accepted, and superseded when it is quarantined again: the row's own new entry is
   * the one open from then on. Of several fixed rows of one entry in this run, an accepted one
   * also closes the new entries of the others, and else the last one's new entry alone stays
   * open. A row of a replay batch naming no entry resolves, when accepted, the open entries of
   * earlier batches whose key, parsed from their raw values exactly as the bronze step parses it,
   * is the row's. Each labelled statement returns one count, of entries `resolved` or
   * `superseded` (its label).
   */
  markReplayed(e: Entity, ctx: CompileContext, replays: readonly ReplayBatch[]): Statement[] {
    const ids = replays.map((b) => quoteString("duckdb", b.batchId)).join(", ");
    const quarantine = this.table(ctx, "quarantine", e.name);
    const fixes = replays.flatMap((b) => b.fixes.map((f) => ({ ...f, batchId: b.batchId })));
    const int = (n: number) => {
      if (!Number.isSafeInteger(n)) throw new Error(`row number ${n} is not an integer`);
      return String(n);
    };
    const str = (v: string) => quoteString("duckdb", v);
    const entryOf = (p: string) => `${p}entry_batch_id, ${p}entry_source_file, ${p}entry_row_number`;
    const isEntry = (p: string, q: string) =>
      `${q}._batch_id = ${p}entry_batch_id AND ${q}._source_file = ${p}entry_source_file AND ${q}._row_number = ${p}entry_row_number`;
    const open = (p: string) =>
      `EXISTS (SELECT 1 FROM ${quarantine} q WHERE q.replayed_run_id IS NULL AND q.repeat_of IS NULL AND ${isEntry(p, "q")})`;
    const byIdentity: Statement[] =
      fixes.length === 0
        ? []
        : [
            // Each fixed row the stage holds, with its entry and whether it was accepted.
            ...this.createTemp(
              "replay_fixes",
              `SELECT f.*, s._ok AS accepted,
  bool_or(s._ok) OVER (PARTITION BY ${entryOf("f.")}) AS entry_accepted,
  row_number() OVER (PARTITION BY ${entryOf("f.")} ORDER BY f._batch_id DESC, f._source_file DESC, f._row_number DESC) AS newest
FROM (VALUES ${fixes
                .map((f) =>
                  [
                    str(f.batchId),
                    str(f.sourceFile),
                    int(f.rowNumber),
                    str(f.entry.batchId),
                    str(f.entry.sourceFile),
                    int(f.entry.rowNumber),
                  ].join(", "),
                )
                .map((v) => `(${v})`)
                .join(
                  ", ",
                )}) f(_batch_id, _source_file, _row_number, entry_batch_id, entry_source_file, entry_row_number)
JOIN ${this.q("bronze_stage")} s ON s._batch_id = f._batch_id AND s._source_file = f._source_file AND s._row_number = f._row_number`,
            ),
            {
              label: "resolved",
              sql: `SELECT count(DISTINCT (${entryOf("f.")})) AS n FROM replay_fixes f WHERE f.entry_accepted AND ${open("f.")}`,
            },
            {
              label: "superseded",
              sql: `SELECT count(DISTINCT (${entryOf("f.")})) AS n FROM replay_fixes f WHERE NOT f.entry_accepted AND ${open("f.")}`,
            },
            {
              sql: `UPDATE ${quarantine} AS q SET replayed_run_id = ${ctx.runId}
FROM (SELECT DISTINCT ${entryOf("")} FROM replay_fixes
  UNION SELECT _batch_id, _source_file, _row_number FROM replay_fixes WHERE NOT accepted AND (entry_accepted OR newest > 1)) m(entry_batch_id, entry_source_file, entry_row_number)
WHERE q.replayed_run_id IS NULL AND ${isEntry("m.", "q")}`,
            },
          ];
    const keyCols = e.key.map((k) => e.columns.find((c) => c.name === k)!);
    const sources = [...new Set(keyCols.flatMap((c) => c.composedFrom?.sources ?? [c.source]))];
    const fromRaw = sources.map(
      (s) => `json_extract_string(raw, ${quoteString("duckdb", `$.${JSON.stringify(s)}`)}) AS ${this.q(s)}`,
    );
    const raws = keyCols.map(
      (c) => `${normalizedRawSql("duckdb", c, (s) => `n.${this.q(s)}`)} AS ${this.q(rawName(c.name))}`,
    );
    const typed = keyCols.map((c) => `${typedFromRawColumnSql("duckdb", c)} AS ${this.q(c.name)}`);
    const keys = `SELECT r._batch_id, r._source_file, r._row_number, ${typed.join(", ")} FROM (
  SELECT n._batch_id, n._source_file, n._row_number, ${raws.join(", ")} FROM (
    SELECT _batch_id, _source_file, _row_number, ${fromRaw.join(", ")} FROM ${quarantine}
    WHERE replayed_run_id IS NULL AND repeat_of IS NULL AND _batch_id NOT IN (${ids})) n) r`;
    // Accepted rows of the replay batches that name no entry.
    const unnamed =
      fixes.length === 0
        ? `(SELECT * FROM ${this.q("bronze_stage")} WHERE _ok AND _batch_id IN (${ids}))`
        : `(SELECT * FROM ${this.q("bronze_stage")} b WHERE b._ok AND b._batch_id IN (${ids}) AND NOT EXISTS (SELECT 1 FROM replay_fixes f WHERE f._batch_id = b._batch_id AND f._source_file = b._source_file AND f._row_number = b._row_number))`;
    return [
      ...byIdentity,
      {
        label: "resolved",
        sql: `UPDATE ${quarantine} AS q SET replayed_run_id = ${ctx.runId}
FROM (SELECT DISTINCT k._batch_id, k._source_file, k._row_number FROM (${keys}) k
  JOIN ${unnamed} s ON ${this.keyJoin(e, "k", "s")}) m
WHERE q._batch_id = m._batch_id AND q._source_file = m._source_file AND q._row_number = m._row_number`,
      },
    ];
  }

  protected calendar(d: string) {
    return {
      year: `year(${d})`,
      quarter: `quarter(${d})`,
      month: `month(${d})`,
      monthName: `monthname(${d})`,
      day: `day(${d})`,
      isoDayOfWeek: `isodow(${d})`,
      dayName: `dayname(${d})`,
      isoWeek: `weekofyear(${d})`,
    };
  }
}

/** A replay batch of a run (see `DuckdbCompiler.markReplayed`). */
export interface ReplayBatch {
  readonly batchId: string;
  /**
   * Its rows that name the quarantine entry they were fixed from: each by its part (`sourceFile`,
   * its lake path) and its number there, as the stage names it.
   */
  readonly fixes: readonly {
    readonly sourceFile: string;
    readonly rowNumber: number;
    readonly entry: QuarantineEntry;
  }[];
}

/** Literal values for a local run. */
export function duckdbContext(
  runId: string,
  now: Date,
  mode: CompileContext["mode"],
  backfillFilter?: string,
): CompileContext {
  if (!/^[0-9A-Za-z_-]+$/.test(runId)) throw new Error(`run id ${runId} is not safe`);
  return {
    catalog: "",
    runId: `'${runId}'`,
    now: `TIMESTAMPTZ '${now.toISOString()}'`,
    mode,
    ...(backfillFilter !== undefined && { backfillFilter }),
  };
}
