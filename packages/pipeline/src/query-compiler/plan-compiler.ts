import {
  type Column,
  type Dimension,
  type Entity,
  normalizedRawSql,
  type ParseDialect,
  physicalType,
  type QualityRule,
  qualityRules,
  quoteIdent,
  quoteString,
  rawName,
  type Star,
  typedFromRawColumnSql,
} from "@saleslake/schema";
import type { Plan, PlanStep } from "../plan/plan.ts";

/** One SQL statement; `label` marks statements whose single result row the runner reads as counts. */
export interface Statement {
  readonly sql: string;
  readonly label?: string;
  /**
   * Fills a session-local scratch table from what no earlier statement of the run writes (the
   * landed files, the stage, silver as it stands). The local runner runs these first, before the
   * run's transaction: DuckDB scans a table created inside a transaction on one thread, so the
   * writes that read it took about 1.8× as long. Nothing persistent is written by them.
   */
  readonly prepare?: boolean;
  /**
   * Creates the stage of landed part n (`landing_raw_<n>`) as a table whose row ids follow the
   * part's rows, so that a row's number is its row id plus one (see DuckdbCompiler.bronze).
   */
  readonly stagesPart?: number;
}

export interface CompiledStep {
  readonly id: string;
  readonly kind: PlanStep["kind"];
  readonly statements: readonly Statement[];
}

/**
 * What a compiled plan needs from its caller, as SQL expressions: literals on the local engine,
 * `${name}` markers that a notebook fills from its widgets on Databricks.
 */
export interface CompileContext {
  /** Schema prefix: `""` for DuckDB (schemas `bronze`, `silver`…), `catalog.` on Unity Catalog. */
  readonly catalog: string;
  /** SQL string expression of the run id. */
  readonly runId: string;
  /** SQL timestamp expression for `_ingested_at` / `_updated_at`. */
  readonly now: string;
  /** What the run does: process new batches, rebuild from bronze, or reprocess a window of it. */
  readonly mode: "incremental" | "full_refresh" | "backfill";
  /** For backfill: SQL boolean over bronze rows (alias `b`) selecting the window. */
  readonly backfillFilter?: string;
  /**
   * Silver holds no row when the run classifies its delta (a first load, or a full refresh, which
   * empties it first): every row of the delta is an insert. Set only by a runner that has checked.
   */
  readonly silverEmpty?: boolean;
  /**
   * How many landed parts (files) an incremental DuckDB run reads, as relations `landing_raw_0`,
   * `landing_raw_1`… (see DuckdbCompiler.bronze); at least one is assumed. Other dialects read
   * the one relation `landing_raw`.
   */
  readonly landingParts?: number;
  /**
   * The landed parts that read several CSV or JSON files (see landingRead): their rows are
   * numbered by row id from each file's first row (see DuckdbCompiler.bronze).
   */
  readonly groupedParts?: readonly number[];
  /**
   * Per landed part, its batch and file when every row has the same (a part of one file): the
   * stage does not store them row by row, and the view `bronze_stage` adds them as constants.
   */
  readonly partLineage?: readonly (PartLineage | undefined)[];
  /**
   * Batches of fixed quarantined rows (`quarantine replay`): a row of theirs quarantined again
   * is a new entry, never a repeat of the one it was meant to fix (see `quarantineInsert`).
   */
  readonly replayBatches?: readonly string[];
}

/** The lineage a landed part of one file gives each of its rows. */
export interface PartLineage {
  readonly batchId: string;
  /** The file's name in lineage: `landing/<entity>/…`. */
  readonly sourceFile: string;
}

/**
 * Rules of a row's shape in its file, before any of the entity's: `landing_raw._fields` is 1 when
 * a CSV row has more fields than its header (a trailing delimiter too), -1 when it has fewer, else
 * 0 (and for every JSON and Parquet row). Both engines read CSV rows this way (see landingRead and
 * the bronze notebook's read_csv).
 */
export const FIELD_COUNT_RULES: readonly QualityRule[] = [
  {
    id: "row.fields_extra",
    kind: "check",
    severity: "error",
    message:
      "more fields than the file's header: a delimiter at the end of the row, or in a value that is not quoted?",
    sql: { duckdb: "_fields <= 0", spark: "_fields <= 0" },
  },
  {
    id: "row.fields_missing",
    kind: "check",
    severity: "error",
    message:
      "fewer fields than the file's header: a row cut short, or a line break in a value that is not quoted?",
    sql: { duckdb: "_fields >= 0", spark: "_fields >= 0" },
  },
];

/**
 * SQL of one JSON object's text from two (neither NULL, each with a key), the second's keys after
 * the first's: the same text on DuckDB and Spark.
 */
export function joinedJsonObjects(first: string, second: string): string {
  return `substr(${first}, 1, length(${first}) - 1) || ',' || substr(${second}, 2)`;
}

/** Columns the pipeline adds to bronze rows. */
export const BRONZE_LINEAGE = [
  "_batch_id",
  "_source_file",
  "_row_number",
  "_ingested_at",
  "_run_id",
  "_rescued_data",
] as const;

/**
 * The default compiler: every step in SQL that DuckDB and Spark SQL share, with the few
 * differences as protected hooks that a dialect overrides (the kysely pattern).
 */
export abstract class PlanCompiler {
  abstract readonly dialect: ParseDialect;
  /**
   * Whether the engine commits a run as one transaction, every step in it. Such an engine keeps
   * the daily aggregate by adding the run's changed rows to it (see maintainedRows), which costs
   * what the delta costs. Applied twice, a delta would count twice, so an engine whose steps
   * commit apart, each retried alone, recomputes every day a changed row touches instead.
   */
  protected readonly oneTransaction: boolean = false;

  // ---- hooks --------------------------------------------------------------------------------
  protected q(name: string): string {
    return quoteIdent(this.dialect, name);
  }
  protected str(value: string): string {
    return quoteString(this.dialect, value);
  }
  /** A list of the non-null values among `items`. */
  protected abstract compactList(items: string[]): string;
  /** A JSON object text from key/value SQL pairs. */
  protected abstract jsonObject(pairs: [string, string][]): string;
  /** Materialise a query as a session-scoped relation the next statements can read. */
  protected abstract createTemp(name: string, select: string): Statement[];
  /** SQL type of a list of strings. */
  protected abstract stringListType(): string;
  protected abstract timestampType(): string;
  protected abstract stringType(): string;
  protected abstract bigintType(): string;
  protected abstract boolType(): string;
  /**
   * The join that keeps the left rows with a match on the right, each once. Gold reads a run's
   * changed rows through it rather than `WHERE EXISTS`, which DuckDB plans as a join that first
   * groups every key of the left table (3M rows: 0.5 s against 0.07 s).
   */
  protected abstract semiJoin(): string;
  /** Calendar attributes of a date expression. */
  protected abstract calendar(d: string): {
    year: string;
    quarter: string;
    month: string;
    monthName: string;
    day: string;
    isoDayOfWeek: string;
    dayName: string;
    isoWeek: string;
  };
  /**
   * A relation that later steps read (changed keys, days to recompute). On one engine session a
   * temp table is enough; engines that run each step in its own session override both hooks.
   */
  protected shared(name: string, _ctx: CompileContext, _entity: Entity): string {
    return this.q(name);
  }
  protected createShared(name: string, ctx: CompileContext, entity: Entity, select: string): Statement[] {
    void ctx;
    void entity;
    return this.createTemp(name, select);
  }
  /** `CREATE TABLE IF NOT EXISTS` suffix (Delta's `USING DELTA`, nothing for DuckDB). */
  protected tableSuffix(): string {
    return "";
  }
  /** Empties a table. */
  protected truncate(table: string): string {
    return `DELETE FROM ${table}`;
  }

  // ---- names --------------------------------------------------------------------------------
  table(ctx: CompileContext, schema: string, name: string): string {
    const prefix = ctx.catalog
      ? ctx.catalog
          .replace(/\.$/, "")
          .split(".")
          .map((p) => this.q(p))
          .join(".") + "."
      : "";
    return `${prefix}${this.q(schema)}.${this.q(name)}`;
  }

  // ---- the plan -----------------------------------------------------------------------------
  compile(plan: Plan, ctx: CompileContext): CompiledStep[] {
    return plan.steps.map((step) => ({
      id: step.id,
      kind: step.kind,
      statements: this.compileStep(step, ctx),
    }));
  }

  compileStep(step: PlanStep, ctx: CompileContext): Statement[] {
    switch (step.kind) {
      case "bronze":
        return this.bronze(step.entity, ctx);
      case "silver":
        return this.silver(step.entity, ctx);
      case "dimension":
        return this.dimension(step.entity, step.dimension, ctx);
      case "fact":
        return this.fact(step.star, ctx);
      case "aggregate":
        return this.aggregate(step.star, ctx);
      default:
        return assertNever(step);
    }
  }

  // ---- DDL ----------------------------------------------------------------------------------
  private colDefs(cols: readonly ColumnSpec[]): string {
    return cols
      .map((c) => `  ${this.q(c.name)} ${c.type}${this.storage(c.type)}${c.notNull ? " NOT NULL" : ""}`)
      .join(",\n");
  }
  /** How the engine stores a column of a type, after the type in its definition. Default: its choice. */
  protected storage(_type: string): string {
    return "";
  }

  protected typeOf(c: Column): string {
    return physicalType(this.dialect, c.type);
  }

  bronzeColumns(entity: Entity): { name: string; type: string; notNull?: boolean }[] {
    return [
      ...entity.columns.map((c) => ({ name: c.name, type: this.typeOf(c) })),
      { name: "_batch_id", type: this.stringType(), notNull: true },
      { name: "_source_file", type: this.stringType(), notNull: true },
      { name: "_row_number", type: this.bigintType(), notNull: true },
      { name: "_ingested_at", type: this.timestampType(), notNull: true },
      { name: "_run_id", type: this.stringType(), notNull: true },
      { name: "_rescued_data", type: this.stringType() },
    ];
  }

  silverColumns(entity: Entity): { name: string; type: string; notNull?: boolean }[] {
    const cols = entity.columns.map((c) => ({ name: c.name, type: this.typeOf(c), notNull: !c.nullable }));
    if (entity.scd === 2) {
      cols.push(
        { name: "valid_from", type: this.timestampType(), notNull: true },
        { name: "valid_to", type: this.timestampType(), notNull: false },
        { name: "is_current", type: this.boolType(), notNull: true },
      );
    }
    cols.push(
      { name: "_batch_id", type: this.stringType(), notNull: true },
      { name: "_source_file", type: this.stringType(), notNull: true },
      { name: "_row_number", type: this.bigintType(), notNull: true },
      { name: "_ingested_at", type: this.timestampType(), notNull: true },
      { name: "_run_id", type: this.stringType(), notNull: true },
    );
    return cols;
  }

  /** Tables every run needs, idempotent. Gold tables only when the plan has a star. */
  ddl(plan: Plan, ctx: CompileContext): Statement[] {
    const out: Statement[] = [];
    for (const t of this.tables(plan)) {
      out.push({
        sql: `CREATE TABLE IF NOT EXISTS ${this.table(ctx, t.schema, t.name)} (\n${this.colDefs(t.columns)}\n)${this.tableSuffix()}`,
      });
      if (t.unknownMember) {
        const sk = this.q(t.unknownMember);
        const dim = this.table(ctx, t.schema, t.name);
        out.push({
          sql: `INSERT INTO ${dim} (${sk}) SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM ${dim} WHERE ${sk} = -1)`,
        });
      }
    }
    return out;
  }

  /**
   * The tables of a plan and their columns, as the entity and star declare them now; a
   * dimension names its surrogate key, whose unknown member (-1) it holds.
   */
  tables(plan: Plan): TableSpec[] {
    const e = plan.entity;
    const out: TableSpec[] = [];
    const create = (schema: string, name: string, columns: ColumnSpec[], unknownMember?: string) =>
      out.push({ schema, name, columns, ...(unknownMember && { unknownMember }) });
    create("bronze", e.name, this.bronzeColumns(e));
    create("quarantine", e.name, [
      { name: "_batch_id", type: this.stringType(), notNull: true },
      { name: "_source_file", type: this.stringType(), notNull: true },
      { name: "_row_number", type: this.bigintType(), notNull: true },
      { name: "_run_id", type: this.stringType(), notNull: true },
      { name: "_quarantined_at", type: this.timestampType(), notNull: true },
      { name: "rule_ids", type: this.stringListType(), notNull: true },
      { name: "messages", type: this.stringListType(), notNull: true },
      { name: "raw", type: this.stringType(), notNull: true },
      { name: "replayed_run_id", type: this.stringType() },
      { name: "repeat_of", type: this.stringType() },
    ]);
    create("silver", e.name, this.silverColumns(e));
    if (plan.star) {
      const s = plan.star;
      for (const d of s.dimensions) create("gold", d.name, this.dimensionColumns(e, d), surrogateKey(d));
      create("gold", s.fact.name, this.factColumns(s));
      if (s.dailyAggregate) create("gold", s.dailyAggregate.name, this.aggregateColumns(s));
    }
    return out;
  }

  dimensionColumns(e: Entity, d: Dimension): { name: string; type: string; notNull?: boolean }[] {
    const sk = { name: surrogateKey(d), type: this.bigintType(), notNull: true };
    if (d.kind === "calendar") {
      return [
        sk,
        { name: "date", type: "DATE" },
        { name: "year", type: "INT" },
        { name: "quarter", type: "INT" },
        { name: "month", type: "INT" },
        { name: "month_name", type: this.stringType() },
        { name: "day", type: "INT" },
        { name: "day_of_week", type: "INT" },
        { name: "day_name", type: this.stringType() },
        { name: "week_of_year", type: "INT" },
        { name: "is_weekend", type: this.boolType() },
      ];
    }
    const col = (n: string) => e.columns.find((c) => c.name === n)!;
    return [
      sk,
      ...[...d.key, ...d.attributes].map((n) => ({ name: n, type: this.typeOf(col(n)) })),
      { name: "_updated_at", type: this.timestampType() },
      { name: "_run_id", type: this.stringType() },
    ];
  }

  factColumns(s: Star): { name: string; type: string; notNull?: boolean }[] {
    const e = s.entity;
    const col = (n: string) => e.columns.find((c) => c.name === n)!;
    return [
      ...factValueColumns(s).map((n) => ({ name: n, type: this.typeOf(col(n)), notNull: e.key.includes(n) })),
      ...s.dimensions.map((d) => ({ name: surrogateKey(d), type: this.bigintType(), notNull: true })),
      { name: "_updated_at", type: this.timestampType(), notNull: true },
      { name: "_run_id", type: this.stringType(), notNull: true },
    ];
  }

  aggregateColumns(s: Star): { name: string; type: string; notNull?: boolean }[] {
    const a = s.dailyAggregate!;
    const e = s.entity;
    return [
      { name: "day", type: "DATE", notNull: true },
      ...aggregateBy(s).map((b) => ({
        name: b,
        type: this.bigintType(),
        notNull: true,
      })),
      ...a.measures.map((m) => {
        const c = e.columns.find((x) => x.name === m.column)!;
        const type =
          m.agg === "count" ? this.bigintType() : m.agg === "sum" ? sumType(this.dialect, c) : this.typeOf(c);
        return { name: m.name, type };
      }),
      { name: "_updated_at", type: this.timestampType(), notNull: true },
    ];
  }

  // ---- bronze -------------------------------------------------------------------------------
  /**
   * Reads the relation `landing_raw` (`_batch_id`, `_source_file`, `_row_number`,
   * `_rescued_data`, `_fields` and one text column per source name), parses, checks every rule, and
   * splits rows into bronze and quarantine. The caller creates `landing_raw`.
   */
  protected bronze(e: Entity, ctx: CompileContext): Statement[] {
    const stage = this.shared("bronze_stage", ctx, e);
    return [
      ...this.createShared("bronze_stage", ctx, e, this.stageSelect(e, "landing_raw")),
      this.quarantineInsert(e, ctx, stage),
      this.bronzeInsert(e, ctx),
      this.bronzeCounts(e, ctx),
    ];
  }

  /**
   * The stage of the rows read from `relation`: what bronze and silver read (typed columns,
   * lineage, `_ok`, one `_warn_<n>` per warn rule) and the quarantine payload (`_rule_ids`,
   * `_messages`, `_raw`), built for the rows that are not `_ok` alone, so the source text of
   * rows that load is not stored a second and third time (as read, and normalised). On local
   * Spark the stage of a 1M-row file, written as a Delta table, took 18–21 s, against 26–31 s
   * with every column of `bronzeParts`' `checked`. With `constantLineage`, `_batch_id` and
   * `_source_file` are left out (the caller adds them back as constants).
   */
  protected stageSelect(e: Entity, relation: string, constantLineage = false): string {
    const b = this.bronzeParts(e, relation);
    const warns = Array.from({ length: b.warnCount }, (_, i) => `, ${this.q(`_warn_${i}`)}`).join("");
    const payload = (expr: string, name: string) => `CASE WHEN NOT _ok THEN ${expr} END AS ${name}`;
    return `SELECT ${e.columns.map((c) => this.q(c.name)).join(", ")},${constantLineage ? "" : " _batch_id, _source_file,"} _row_number, _rescued_data, _ok${warns},
  ${payload(b.ruleIds, "_rule_ids")},
  ${payload(b.messages, "_messages")},
  ${payload(b.rawJson, "_raw")}
FROM (${b.checked}) c`;
  }

  /**
   * The rows of `stage` that are not `_ok` into quarantine, with the rules they broke and their
   * raw values. A row whose raw values are those of an entry of an earlier batch (a source row
   * read again, as a lookback window re-reads what it read before, or a file landed twice) is
   * recorded as a repeat of it: `repeat_of` is the first such entry's batch, and only the first
   * is open, waiting for a fix. Rows of replay batches are never repeats (`replayBatches`).
   */
  protected quarantineInsert(e: Entity, ctx: CompileContext, stage: string): Statement {
    const quarantine = this.table(ctx, "quarantine", e.name);
    const columns = [
      "_batch_id",
      "_source_file",
      "_row_number",
      "_run_id",
      "_quarantined_at",
      "rule_ids",
      "messages",
      "raw",
      "repeat_of",
    ];
    const replays = ctx.replayBatches ?? [];
    const repeatOf =
      replays.length === 0
        ? "p.first_batch"
        : `CASE WHEN s._batch_id IN (${replays.map((b) => quoteString(this.dialect, b)).join(", ")}) THEN NULL ELSE p.first_batch END`;
    return {
      sql: `INSERT INTO ${quarantine} (${columns.map((c) => this.q(c)).join(", ")})
SELECT s._batch_id, s._source_file, s._row_number, ${ctx.runId}, ${ctx.now}, s._rule_ids, s._messages, s._raw, ${repeatOf}
FROM ${stage} s LEFT JOIN (SELECT raw, min(_batch_id) AS first_batch FROM ${quarantine}
  WHERE raw IN (SELECT _raw FROM ${stage} WHERE NOT _ok) GROUP BY raw) p ON p.raw = s._raw
WHERE NOT s._ok`,
    };
  }

  /**
   * The pieces of the bronze step: `checked` reads `relation` (`landing_raw` unless told, shaped
   * as `bronze` describes) and yields every source column (`_src_<n>`), normalised raw text,
   * typed columns, `_ok` and one `_warn_<n>` per warn rule; `ruleIds`, `messages` and `rawJson`
   * read a row of it that is not `_ok`.
   */
  protected bronzeParts(e: Entity, relation = "landing_raw") {
    const rules = qualityRules(e);
    // A row with more fields than its file's header breaks this first: its values would be read
    // into the wrong columns.
    const errors = [...FIELD_COUNT_RULES, ...rules.filter((r) => r.severity === "error")];
    const warns = rules.filter((r) => r.severity === "warn");
    const raws = e.columns.map(
      (c) => `${normalizedRawSql(this.dialect, c, (s) => this.q(s))} AS ${this.q(rawName(c.name))}`,
    );
    const typed = e.columns.map((c) => `${typedFromRawColumnSql(this.dialect, c)} AS ${this.q(c.name)}`);
    const passes = (r: QualityRule) => `coalesce(${r.sql[this.dialect]}, false)`;
    const sources = [...new Set(e.columns.flatMap((c) => c.composedFrom?.sources ?? [c.source]))];
    // One boolean per row decides bronze or quarantine; the list of broken rules and the raw
    // values as JSON are built only for the rows that need them.
    const ok = errors.length ? errors.map(passes).join(" AND ") : "true";
    // Source columns travel as _src_<n>: a source may share its name with a typed column.
    const kept = sources.map((src, i) => `l.${this.q(src)} AS ${this.q(`_src_${i}`)}`);
    const normalized = `SELECT l._batch_id, l._source_file, l._row_number, l._rescued_data, l._fields, ${kept.join(", ")}, ${raws.join(",\n  ")} FROM ${relation} l`;
    const withTyped = `SELECT n.*, ${typed.join(",\n  ")} FROM (${normalized}) n`;
    const checked = `SELECT t.*, ${ok} AS _ok${warns.map((w, i) => `, NOT ${passes(w)} AS ${this.q(`_warn_${i}`)}`).join("")} FROM (${withTyped}) t`;
    // A quarantined row keeps the values of columns the entity does not know (`_rescued_data`,
    // a JSON object too) in its raw values, after the known ones: nothing read is lost. The
    // object is built once for a row that has none (a value may be tens of megabytes).
    const withRescued = (known: string) =>
      `CASE WHEN _rescued_data IS NULL THEN ${known} ELSE ${joinedJsonObjects(known, "_rescued_data")} END`;
    const failing = (pick: (r: QualityRule) => string) =>
      this.compactList(errors.map((r) => `CASE WHEN NOT ${passes(r)} THEN ${pick(r)} END`));
    return {
      checked,
      warnCount: warns.length,
      ruleIds: failing((r) => this.str(r.id)),
      messages: failing((r) => this.str(r.message)),
      rawJson: withRescued(this.jsonObject(sources.map((src, i) => [src, this.q(`_src_${i}`)]))),
    };
  }

  /** Accepted rows of `bronze_stage` into bronze, with their lineage. */
  protected bronzeInsert(e: Entity, ctx: CompileContext): Statement {
    const bronzeCols = e.columns.map((c) => this.q(c.name));
    const lineage = BRONZE_LINEAGE.map((c) => this.q(c));
    return {
      sql: `INSERT INTO ${this.table(ctx, "bronze", e.name)} (${[...bronzeCols, ...lineage].join(", ")})
SELECT ${bronzeCols.join(", ")}, _batch_id, _source_file, _row_number, ${ctx.now}, ${ctx.runId}, _rescued_data FROM ${this.shared("bronze_stage", ctx, e)} WHERE _ok`,
    };
  }

  protected bronzeCounts(e: Entity, ctx: CompileContext): Statement {
    const warnCounts = Array.from(
      { length: qualityRules(e).filter((r) => r.severity === "warn").length },
      (_, i) => `count(*) FILTER (WHERE ${this.q(`_warn_${i}`)}) AS ${this.q(`warn_${i}`)}`,
    );
    return {
      label: "bronze",
      sql: `SELECT count(*) AS rows_read, count(*) FILTER (WHERE _ok) AS rows_accepted, count(*) FILTER (WHERE NOT _ok) AS rows_quarantined${
        warnCounts.length ? `, ${warnCounts.join(", ")}` : ""
      } FROM ${this.shared("bronze_stage", ctx, e)}`,
    };
  }

  protected listSize(expr: string): string {
    return `size(${expr})`;
  }
  protected listContains(list: string, value: string): string {
    return `array_contains(${list}, ${value})`;
  }

  // ---- silver -------------------------------------------------------------------------------
  /**
   * Which version of a key wins, first: the greatest sequence, and on equal sequence the first
   * landed (as across runs, where an equal sequence is not newer); without a sequence column,
   * the last landed. So the result never depends on how batches were grouped into runs.
   */
  protected latestOrder(e: Entity, alias = ""): string {
    const p = alias ? `${alias}.` : "";
    if (e.sequence) {
      return `${p}${this.q(e.sequence)} DESC NULLS LAST, ${p}_batch_id ASC, ${p}_source_file ASC, ${p}_row_number ASC`;
    }
    return `${p}_batch_id DESC, ${p}_source_file DESC, ${p}_row_number DESC`;
  }

  /** True when row `s` is newer than stored row `t`. Equal is not newer: rerunning changes nothing. */
  protected newer(e: Entity): string {
    const tie = `(s._batch_id > t._batch_id OR (s._batch_id = t._batch_id AND (s._source_file > t._source_file OR (s._source_file = t._source_file AND s._row_number > t._row_number))))`;
    if (!e.sequence) return tie;
    const seq = this.q(e.sequence);
    return `(s.${seq} > t.${seq} OR (t.${seq} IS NULL AND s.${seq} IS NOT NULL))`;
  }

  protected keyJoin(e: Entity, a: string, b: string): string {
    return e.key.map((k) => `${a}.${this.q(k)} = ${b}.${this.q(k)}`).join(" AND ");
  }

  /**
   * Bronze rows this run applies: its batches, all of bronze (full refresh), or a backfill window.
   * With `withSourceRowId`, each row also carries `_src_rowid`, the address of its source row
   * (`sourceRowIdColumn`), for a dialect that can address one.
   */
  protected deltaSource(e: Entity, ctx: CompileContext, withSourceRowId = false): string {
    const bronze = this.table(ctx, "bronze", e.name);
    const extra = this.sourceRowIdColumn(withSourceRowId);
    switch (ctx.mode) {
      case "incremental":
        return `SELECT b.*${extra} FROM ${bronze} b WHERE b._run_id = ${ctx.runId}`;
      case "full_refresh":
        return `SELECT b.*${extra} FROM ${bronze} b`;
      case "backfill":
        return `SELECT b.*${extra} FROM ${bronze} b WHERE ${ctx.backfillFilter ?? "false"}`;
    }
  }

  protected silver(e: Entity, ctx: CompileContext): Statement[] {
    const silver = this.table(ctx, "silver", e.name);
    const cols = e.columns.map((c) => this.q(c.name));
    const lineage = ["_batch_id", "_source_file", "_row_number", "_ingested_at"].map((c) => this.q(c));
    const deduped = this.keepsVersions(e) ? this.versionsPerBatch(e, ctx) : this.latestPerKey(e, ctx);
    const delta = this.shared("silver_delta", ctx, e);
    const out: Statement[] = [...this.beforeClassify(e, ctx), ...this.classifiedDelta(e, ctx, deduped)];
    const setList = [...cols, ...lineage, this.q("_run_id")]
      .map((c) => `${c} = s.${c}`)
      .join(", ")
      .replace(`${this.q("_run_id")} = s.${this.q("_run_id")}`, `${this.q("_run_id")} = ${ctx.runId}`);
    if (e.scd === 1) {
      out.push(...this.applyScd1(e, ctx, delta, setList));
    } else {
      const validFrom = this.timedSequence(e)
        ? `CAST(s.${this.q(e.sequence!)} AS ${this.timestampType()})`
        : "s._ingested_at";
      const keys = e.key.map((k) => this.q(k));
      const order = `s.${this.versionOrder(e)}`;
      // The versions a run adds to a key follow each other: each is valid until the next one's
      // valid_from, the last is current. Landing order is the order of the versions (see classify).
      const next = `OVER (PARTITION BY ${keys.map((k) => `s.${k}`).join(", ")} ORDER BY ${order})`;
      out.push(
        {
          // A stored key's current version is closed where the first version this run adds begins.
          sql: `MERGE INTO ${silver} AS t
USING (SELECT ${keys.map((k) => `s.${k}`).join(", ")}, min_by(${validFrom}, ${order}) AS _valid_to FROM ${delta} s WHERE s._action = 'update' AND s._stored GROUP BY ${keys.map((k) => `s.${k}`).join(", ")}) AS s
ON ${this.keyJoin(e, "t", "s")} AND t.is_current
WHEN MATCHED THEN UPDATE SET valid_to = s._valid_to, is_current = false`,
        },
        {
          sql: `INSERT INTO ${silver} (${[...cols, "valid_from", "valid_to", "is_current", ...lineage, this.q("_run_id")].join(", ")})
SELECT ${cols.map((c) => `s.${c}`).join(", ")}, ${validFrom}, lead(${validFrom}) ${next}, lead(${order}) ${next} IS NULL, ${lineage.map((c) => `s.${c}`).join(", ")}, ${ctx.runId}
FROM ${delta} s WHERE s._action IN ('insert', 'update')`,
        },
      );
    }
    out.push(
      ...this.createShared(
        "changed_keys",
        ctx,
        e,
        `SELECT ${e.key.map((k) => this.q(k)).join(", ")} FROM ${delta} WHERE _action <> 'stale'`,
      ),
    );
    out.push({
      label: "silver",
      sql: `SELECT count(*) AS rows_in, count(*) FILTER (WHERE _action = 'insert') AS rows_inserted, count(*) FILTER (WHERE _action = 'update') AS rows_updated, count(*) FILTER (WHERE _action = 'stale') AS rows_stale, ${this.supersededRows(e, ctx)} AS rows_superseded${
        e.softDelete
          ? `, count(*) FILTER (WHERE _action IN ('insert', 'update') AND coalesce(${this.q(e.softDelete)}, false)) AS rows_deleted`
          : ""
      } FROM ${delta}`,
    });
    return out;
  }

  /**
   * The delta's rows that lost to a newer row of their key in the same delta, and so were not
   * classified: an expression of the counts query over `silver_delta`, whose rows were, each
   * with the `_versions` of its key (see `newestOf`). With it the silver step's counts add up
   * to the rows it read (`deltaSource`).
   */
  protected supersededRows(_e: Entity, _ctx: CompileContext): string {
    return "coalesce(sum(_versions - 1), 0)";
  }

  /**
   * Creates `silver_delta`, the delta's newest row per key (`deduped`) classified against silver
   * (`classify`), that the merge, the changed keys and the counts read.
   */
  protected classifiedDelta(e: Entity, ctx: CompileContext, deduped: string): Statement[] {
    return this.createShared("silver_delta", ctx, e, this.classify(e, ctx, deduped));
  }

  /**
   * Each row of `deduped` with its `_action` against the stored row of its key (for SCD2, the
   * key's current version): 'insert', 'update', 'stale', or 'applied' when the stored row was
   * written by this very run. Only a retried step sees one (a Databricks task retried after it
   * merged): it is not applied again, but its key still counts as changed, so that the
   * dimensions and facts downstream take it.
   */
  protected classify(e: Entity, ctx: CompileContext, deduped: string): string {
    if (this.keepsVersions(e)) return this.classifyVersions(e, ctx, deduped);
    return `SELECT s.*, ${this.action(e, ctx)}${this.storedRowRef(e)}
FROM (${deduped}) s LEFT JOIN ${this.table(ctx, "silver", e.name)} t ON ${this.keyJoin(e, "s", "t")}`;
  }

  /**
   * Whether the silver step keeps several versions of a key (`versionsPerBatch`) rather than the
   * delta's newest: every SCD2 entity. With a sequence column of dates or times, whose versions
   * have a time of their own, each batch's newest. Otherwise each version is valid from the
   * `_ingested_at` of the run that read it, so a run keeps one version per `_ingested_at`: one in
   * an incremental run, whose rows all have its time, and in a full refresh or a backfill one per
   * run that ingested the rows, each valid from when that run was, as those runs made them.
   */
  protected keepsVersions(e: Entity): boolean {
    return e.scd === 2;
  }

  /** What orders an SCD2 key's versions in a delta, and a version is kept per (see keepsVersions). */
  private versionOrder(e: Entity): "_batch_id" | "_ingested_at" {
    return this.timedSequence(e) ? "_batch_id" : "_ingested_at";
  }

  /**
   * Whether the entity's sequence column holds dates or times, which an SCD2 version is valid
   * from. A number (a version counter, a log position) orders the versions but is no time: its
   * versions are valid from the run's `_ingested_at`, as without a sequence column, while the
   * number still decides which version is newer and which update is stale.
   */
  protected timedSequence(e: Entity): boolean {
    const kind = e.columns.find((c) => c.name === e.sequence)?.type.kind;
    return kind === "date" || kind === "timestamp";
  }

  /**
   * Each batch's newest version of each key (`latestOrder` within the batch), as `latestPerKey`
   * does for the whole delta; without a sequence of dates or times, each `_ingested_at`'s (see
   * keepsVersions). A run over several batches (catching up, a full refresh, a backfill) adds the
   * versions they hold to an SCD2 history as the batches (or runs) would one by one.
   */
  protected versionsPerBatch(e: Entity, ctx: CompileContext): string {
    return this.newestOf(e, ctx, [...e.key.map((k) => `d.${this.q(k)}`), `d.${this.versionOrder(e)}`]);
  }

  /**
   * `classify` for `versionsPerBatch`: each version against the key's current stored version and
   * the versions of earlier batches in the delta, in landing order, so the result is the one
   * batch-by-batch runs give. A version is applied when its sequence is newer than all of them
   * (the newest of earlier versions that were not applied is older than one that was); the
   * first version of a key not stored is an 'insert', later ones 'update'. `_stored` tells
   * whether the key had a current version to close. Without a sequence column a version landed
   * later is newer: each is applied over the delta's earlier ones, and over the stored one when
   * landed after it (`newer`).
   */
  private classifyVersions(e: Entity, ctx: CompileContext, versions: string): string {
    const k0 = this.q(e.key[0]!);
    const earlier = `OVER (PARTITION BY ${e.key.map((k) => `v.${this.q(k)}`).join(", ")} ORDER BY v.${this.versionOrder(e)} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)`;
    if (!e.sequence) {
      return `SELECT s.*, CASE WHEN t.${k0} IS NULL AND s._earlier = 0 THEN 'insert' WHEN t._run_id = ${ctx.runId} THEN 'applied' WHEN t.${k0} IS NULL OR ${this.newer(e)} THEN 'update' ELSE 'stale' END AS _action, t.${k0} IS NOT NULL AS _stored
FROM (SELECT v.*, count(*) ${earlier} AS _earlier FROM (${versions}) v) s LEFT JOIN ${this.currentVersions(e, ctx)} t ON ${this.keyJoin(e, "s", "t")}`;
    }
    const seq = this.q(e.sequence);
    const before = `greatest(t.${seq}, s._earlier_seq)`;
    return `SELECT s.*, CASE WHEN t.${k0} IS NULL AND s._earlier = 0 THEN 'insert' WHEN t._run_id = ${ctx.runId} THEN 'applied' WHEN s.${seq} > ${before} OR (${before} IS NULL AND s.${seq} IS NOT NULL) THEN 'update' ELSE 'stale' END AS _action, t.${k0} IS NOT NULL AS _stored
FROM (SELECT v.*, max(v.${seq}) ${earlier} AS _earlier_seq, count(*) ${earlier} AS _earlier FROM (${versions}) v) s LEFT JOIN ${this.currentVersions(e, ctx)} t ON ${this.keyJoin(e, "s", "t")}`;
  }

  /**
   * An SCD2 key's stored row: its current version. The merge closes the current version of each
   * key it updates and the insert adds the newer ones, so a key has one, its newest. A filter
   * finds it; ranking every version of every key sorted the whole history each run (1M keys of
   * three versions each, 10k rows classified: 0.64 s against 0.08 s, DuckDB).
   */
  private currentVersions(e: Entity, ctx: CompileContext): string {
    return `(SELECT * FROM ${this.table(ctx, "silver", e.name)} c WHERE c.is_current)`;
  }

  /** `_action` of delta row `s` against stored row `t` (see `classify`). */
  protected action(e: Entity, ctx: CompileContext): string {
    const k0 = this.q(e.key[0]!);
    return `CASE WHEN t.${k0} IS NULL THEN 'insert' WHEN t._run_id = ${ctx.runId} THEN 'applied' WHEN ${this.newer(e)} THEN 'update' ELSE 'stale' END AS _action`;
  }

  /** Statements the classification's `latestPerKey` reads from, run just before it. Default: none. */
  protected beforeClassify(_e: Entity, _ctx: CompileContext): Statement[] {
    return [];
  }

  /**
   * When asked for, `, <address> AS _src_rowid`: the address of source row `b` within its table,
   * for a dialect whose delta carries one (`deltaSource`). Default: none, and asking for one is a
   * compiler bug.
   */
  protected sourceRowIdColumn(withSourceRowId: boolean): string {
    if (withSourceRowId) throw new Error(`${this.constructor.name} cannot address a source row`);
    return "";
  }

  /**
   * Extra columns of the classified delta naming the stored row each delta row was matched with,
   * for a dialect that can address it (`t` is the stored row). Default: none.
   */
  protected storedRowRef(_e: Entity): string {
    return "";
  }

  /**
   * `, <alias>'s row id AS _stored_rowid`, for a dialect that can address a stored row by an id
   * that holds through the run's transaction; its deletes then take the rows by it
   * (deleteStored). Default: none.
   */
  protected storedRowId(_alias: string): string {
    return "";
  }

  /** Deletes from `table` (as `t`) the stored rows `source` (as `s`) matched on `on`. */
  protected deleteStored(table: string, source: string, on: string): Statement {
    return { sql: `DELETE FROM ${table} AS t USING ${source} AS s WHERE ${on}` };
  }

  /** The delta's newest version of each key (`latestOrder`), with `_rn` (always 1) and `_versions` (see `newestOf`). */
  protected latestPerKey(e: Entity, ctx: CompileContext): string {
    return this.newestOf(
      e,
      ctx,
      e.key.map((k) => `d.${this.q(k)}`),
    );
  }

  /**
   * The newest row (`latestOrder`) of each `partition` of the delta, with its rank `_rn` (1) and
   * `_versions`, how many rows its partition held: in the same window as the rank, so counting
   * the rows it superseded (`supersededRows`) reads nothing more.
   */
  private newestOf(e: Entity, ctx: CompileContext, partition: string[]): string {
    const over = `OVER (PARTITION BY ${partition.join(", ")} ORDER BY ${this.latestOrder(e, "d")}`;
    return `SELECT * FROM (SELECT d.*, row_number() ${over}) AS _rn, count(*) ${over} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS _versions FROM (${this.deltaSource(e, ctx)}) d) x WHERE _rn = 1`;
  }

  /** SCD1: the classified delta's inserts and updates into silver (stale rows change nothing). */
  protected applyScd1(e: Entity, ctx: CompileContext, delta: string, setList: string): Statement[] {
    const cols = e.columns.map((c) => this.q(c.name));
    const lineage = ["_batch_id", "_source_file", "_row_number", "_ingested_at"].map((c) => this.q(c));
    return [
      {
        sql: `MERGE INTO ${this.table(ctx, "silver", e.name)} AS t
USING (SELECT * FROM ${delta} WHERE _action IN ('insert', 'update')) AS s
ON ${this.keyJoin(e, "t", "s")}
WHEN MATCHED THEN UPDATE SET ${setList}
WHEN NOT MATCHED THEN INSERT (${[...cols, ...lineage, this.q("_run_id")].join(", ")}) VALUES (${[...cols, ...lineage].map((c) => `s.${c}`).join(", ")}, ${ctx.runId})`,
      },
    ];
  }

  /**
   * Current silver rows of the keys this run changed. Where silver was empty when the run
   * classified its delta (`silverEmpty`), every row it holds now is one the run wrote: the
   * table is read whole, without a join to every key (loading 10M order lines to gold, each
   * dimension's members 1.6–2.3 s through the join).
   */
  protected changedSilver(e: Entity, ctx: CompileContext): string {
    const current = e.scd === 2 ? " WHERE s.is_current" : "";
    const silver = this.table(ctx, "silver", e.name);
    if (ctx.silverEmpty) return `SELECT s.* FROM ${silver} s${current}`;
    return `SELECT s.* FROM ${silver} s ${this.semiJoin()} ${this.shared("changed_keys", ctx, e)} c ON ${this.keyJoin(e, "c", "s")}${current}`;
  }

  // ---- gold ---------------------------------------------------------------------------------
  /** The silver rows a dimension's members take their attributes from: its current rows. */
  protected memberRows(e: Entity, ctx: CompileContext): string {
    return e.scd === 2 ? this.currentVersions(e, ctx) : this.table(ctx, "silver", e.name);
  }

  /** The new members of a dimension (`select`), as the dialect keeps them; see memberNumber. */
  protected numberedMembers(select: string, _keys: string[]): string {
    return select;
  }

  /** A new member's number (alias `s`), from 1, in the order of its natural key (`keys`, quoted). */
  protected memberNumber(keys: string[]): string {
    return `row_number() OVER (ORDER BY ${keys.map((k) => `s.${k}`).join(", ")})`;
  }

  protected dimension(e: Entity, d: Dimension, ctx: CompileContext): Statement[] {
    const dim = this.table(ctx, "gold", d.name);
    const sk = this.q(surrogateKey(d));
    const tmp = this.shared(`src_${d.name}`, ctx, e);
    const fresh = this.shared(`new_${d.name}`, ctx, e);
    if (d.kind === "calendar") {
      const c = this.calendar("x.d");
      const dateKey = `(${c.year} * 10000 + ${c.month} * 100 + ${c.day})`;
      return [
        ...this.createShared(
          `src_${d.name}`,
          ctx,
          e,
          `SELECT DISTINCT CAST(s.${this.q(d.column)} AS DATE) AS d FROM (${this.changedSilver(e, ctx)}) s WHERE s.${this.q(d.column)} IS NOT NULL`,
        ),
        {
          sql: `INSERT INTO ${dim} (${[sk, "date", "year", "quarter", "month", "month_name", "day", "day_of_week", "day_name", "week_of_year", "is_weekend"].map((n) => (n === sk ? n : this.q(n))).join(", ")})
SELECT ${dateKey}, x.d, ${c.year}, ${c.quarter}, ${c.month}, ${c.monthName}, ${c.day}, ${c.isoDayOfWeek}, ${c.dayName}, ${c.isoWeek}, ${c.isoDayOfWeek} >= 6
FROM ${tmp} x WHERE NOT EXISTS (SELECT 1 FROM ${dim} t WHERE t.${sk} = ${dateKey})`,
        },
        { label: d.name, sql: `SELECT count(*) AS members_seen FROM ${tmp}` },
      ];
    }
    const keys = d.key.map((k) => this.q(k));
    const attrs = d.attributes.map((a) => this.q(a));
    // The members the run's changed rows name. A member's attributes are those of its newest row
    // (`latestOrder`) among all of silver (an SCD2 entity's current versions), not only among the
    // rows this run changed: a row that changed now may be older than one stored before (a late
    // insert of another key), and its values must not replace newer ones. So a member's
    // attributes do not depend on how batches were grouped into runs, and a full refresh finds
    // them as incremental runs left them.
    const members = `SELECT DISTINCT ${keys.map((k) => `s.${k}`).join(", ")} FROM (${this.changedSilver(e, ctx)}) s WHERE ${keys.map((k) => `s.${k} IS NOT NULL`).join(" AND ")}`;
    const stored = this.memberRows(e, ctx);
    const src =
      attrs.length === 0
        ? members
        : `SELECT ${[...keys, ...attrs].join(", ")} FROM (SELECT r.*, row_number() OVER (PARTITION BY ${keys.map((k) => `r.${k}`).join(", ")} ORDER BY ${this.latestOrder(e, "r")}) AS _rn FROM ${stored} r JOIN (${members}) m ON ${keys.map((k) => `m.${k} = r.${k}`).join(" AND ")}) x WHERE _rn = 1`;
    const match = keys.map((k) => `t.${k} = s.${k}`).join(" AND ");
    const out: Statement[] = [
      ...this.createShared(`src_${d.name}`, ctx, e, src),
      ...this.createShared(
        `new_${d.name}`,
        ctx,
        e,
        this.numberedMembers(
          `SELECT s.* FROM ${tmp} s WHERE NOT EXISTS (SELECT 1 FROM ${dim} t WHERE ${match})`,
          keys,
        ),
      ),
      {
        // New members get keys after the current maximum, in natural-key order: never reused, same
        // in every engine. Keys start at 1; the unknown member (-1) is not counted.
        sql: `INSERT INTO ${dim} (${[sk, ...keys, ...attrs, "_updated_at", "_run_id"].join(", ")})
SELECT m.mx + ${this.memberNumber(keys)}, ${[...keys, ...attrs].map((c) => `s.${c}`).join(", ")}, ${ctx.now}, ${ctx.runId}
FROM ${fresh} s CROSS JOIN (SELECT coalesce(max(${sk}), 0) AS mx FROM ${dim} WHERE ${sk} > 0) m`,
      },
    ];
    if (attrs.length > 0) {
      out.push({
        sql: `MERGE INTO ${dim} AS t USING ${tmp} AS s ON ${match}
WHEN MATCHED AND (${attrs.map((a) => `t.${a} IS DISTINCT FROM s.${a}`).join(" OR ")}) THEN UPDATE SET ${attrs.map((a) => `${a} = s.${a}`).join(", ")}, _updated_at = ${ctx.now}, _run_id = ${ctx.runId}`,
      });
    }
    out.push({ label: d.name, sql: `SELECT count(*) AS members_added FROM ${fresh}` });
    return out;
  }

  /**
   * The fact's rows of the run's changed silver rows: `values` (quoted) and the surrogate keys of
   * `dims`, each joined to its dimension (a calendar's computed), `_deleted` for a key deleted at
   * the source. Unknown members are -1.
   */
  protected factSource(s: Star, ctx: CompileContext, values: string[], dims: Star["dimensions"]): string {
    const dimKeys: string[] = [];
    const joins: string[] = [];
    dims.forEach((d, i) => {
      const alias = `d${i}`;
      if (d.kind === "calendar") {
        const c = this.calendar(`CAST(s.${this.q(d.column)} AS DATE)`);
        dimKeys.push(
          `coalesce(${c.year} * 10000 + ${c.month} * 100 + ${c.day}, -1) AS ${this.q(surrogateKey(d))}`,
        );
      } else {
        joins.push(
          `LEFT JOIN ${this.table(ctx, "gold", d.name)} ${alias} ON ${d.key.map((k) => `${alias}.${this.q(k)} = s.${this.q(k)}`).join(" AND ")}`,
        );
        dimKeys.push(`coalesce(${alias}.${this.q(surrogateKey(d))}, -1) AS ${this.q(surrogateKey(d))}`);
      }
    });
    return `SELECT ${[...values.map((v) => `s.${v}`), ...dimKeys].join(", ")}, ${this.deletedFlag(s.entity)} AS _deleted
FROM (${this.changedSilver(s.entity, ctx)}) s${joins.map((j) => ` ${j}`).join("")}`;
  }

  protected fact(s: Star, ctx: CompileContext): Statement[] {
    const e = s.entity;
    const fact = this.table(ctx, "gold", s.fact.name);
    const values = factValueColumns(s).map((c) => this.q(c));
    const src = this.factSource(s, ctx, values, s.dimensions);
    const all = [...values, ...s.dimensions.map((d) => this.q(surrogateKey(d)))];
    const out: Statement[] = [];
    const agg = s.dailyAggregate;
    const maintained = this.maintainsAggregate(s);
    if (agg && !maintained) {
      // Days whose aggregate must be recomputed: where changed rows were, and where they are now.
      const day = this.q(agg.dateColumn);
      out.push(
        ...this.createShared(
          "agg_days",
          ctx,
          e,
          `SELECT DISTINCT CAST(f.${day} AS DATE) AS day FROM ${fact} f ${this.semiJoin()} ${this.shared("changed_keys", ctx, e)} c ON ${this.keyJoin(e, "c", "f")} WHERE f.${day} IS NOT NULL
UNION SELECT DISTINCT CAST(s.${day} AS DATE) FROM (${this.changedSilver(e, ctx)}) s WHERE s.${day} IS NOT NULL`,
        ),
      );
    }
    const factSrc = this.shared("fact_src", ctx, e);
    out.push(...this.createShared("fact_src", ctx, e, src));
    // What the run changes in each group of the aggregate, read before the fact changes: the
    // stored rows of the changed keys, read once for the aggregate and the fact's delete.
    const stored = maintained ? this.shared("fact_stored", ctx, e) : undefined;
    if (stored) {
      out.push(...this.createShared("fact_stored", ctx, e, this.storedFact(s, ctx, fact)));
      out.push(
        ...this.createShared(
          "agg_delta",
          ctx,
          e,
          this.aggregateDelta(s, stored, this.aggregateSource(s, ctx, factSrc)),
        ),
      );
    }
    out.push(...this.applyFact(e, ctx, fact, factSrc, all, stored));
    out.push({
      label: s.fact.name,
      sql: `SELECT count(*) FILTER (WHERE NOT _deleted) AS rows_upserted, count(*) FILTER (WHERE _deleted) AS rows_deleted FROM ${this.factCounted(e, ctx, factSrc)}`,
    });
    return out;
  }

  /** Whether a silver row (alias `s`) is deleted at the source: its soft-delete flag, else never. */
  protected deletedFlag(e: Entity): string {
    return e.softDelete ? `coalesce(s.${this.q(e.softDelete)}, false)` : "false";
  }

  /**
   * What the fact step's counts read: the fact's source, one row per changed key, `_deleted` set
   * for a soft-deleted one. A dialect may count the same rows from where the source reads them.
   */
  protected factCounted(_e: Entity, _ctx: CompileContext, factSrc: string): string {
    return factSrc;
  }

  /**
   * What the aggregate reads of the run's fact rows: the fact's source. A dialect where that source
   * is a view may read a narrower one (see factSource).
   */
  protected aggregateSource(_s: Star, _ctx: CompileContext, factSrc: string): string {
    return factSrc;
  }

  /**
   * The fact rows of `factSrc` (one per key, `_deleted` set for a soft-deleted one) into `fact`:
   * deleted keys leave it, the others replace the stored row or are added. `stored`, where the
   * run maintains the aggregate, holds the stored rows of the changed keys (see storedFact).
   */
  protected applyFact(
    e: Entity,
    ctx: CompileContext,
    fact: string,
    factSrc: string,
    all: string[],
    _stored?: string,
  ): Statement[] {
    return [
      {
        sql: `MERGE INTO ${fact} AS t USING ${factSrc} AS s ON ${this.keyJoin(e, "t", "s")}
WHEN MATCHED AND s._deleted THEN DELETE
WHEN MATCHED THEN UPDATE SET ${all.map((c) => `${c} = s.${c}`).join(", ")}, _updated_at = ${ctx.now}, _run_id = ${ctx.runId}
WHEN NOT MATCHED AND NOT s._deleted THEN INSERT (${[...all, "_updated_at", "_run_id"].join(", ")}) VALUES (${all.map((c) => `s.${c}`).join(", ")}, ${ctx.now}, ${ctx.runId})`,
      },
    ];
  }

  /** Whether this run adds its changed rows to the aggregate rather than recomputing days. */
  private maintainsAggregate(s: Star): boolean {
    return this.oneTransaction && maintainedRows(s) !== undefined;
  }

  /**
   * The stored fact rows of the keys the run changed, before the fact changes: the columns the
   * aggregate reads (its day, `by` keys and measures) and, where the dialect has one, each row's
   * id (`storedRowId`) for the fact's delete.
   */
  private storedFact(s: Star, ctx: CompileContext, fact: string): string {
    const a = s.dailyAggregate!;
    const e = s.entity;
    const cols = [...new Set([a.dateColumn, ...aggregateBy(s), ...a.measures.map((m) => m.column)])];
    return `SELECT ${cols.map((c) => `f.${this.q(c)}`).join(", ")}${this.storedRowId("f")} FROM ${fact} f ${this.semiJoin()} ${this.shared("changed_keys", ctx, e)} c ON ${this.keyJoin(e, "c", "f")}`;
  }

  /**
   * Per group of the aggregate (day and `by` keys), what the run changes in each measure: the
   * stored fact rows of the changed keys (`stored`, see storedFact) taken away, their current
   * rows added (a deleted key's none). Groups the run leaves as they were are left out.
   */
  private aggregateDelta(s: Star, stored: string, factSrc: string): string {
    const a = s.dailyAggregate!;
    const by = aggregateBy(s).map((b) => this.q(b));
    const day = this.q(a.dateColumn);
    const side = (p: string, sign: "-" | "") =>
      a.measures.map((m) => {
        const c = `${p}.${this.q(m.column)}`;
        return `${m.agg === "count" ? `CASE WHEN ${c} IS NULL THEN 0 ELSE ${sign}1 END` : `${sign}${c}`} AS ${this.q(m.name)}`;
      });
    const cols = (p: string, sign: "-" | "") =>
      [`CAST(${p}.${day} AS DATE) AS day`, ...by.map((b) => `${p}.${b}`), ...side(p, sign)].join(", ");
    const names = a.measures.map((m) => this.q(m.name));
    return `SELECT day, ${[...by, ...names.map((n) => `sum(${n}) AS ${n}`)].join(", ")} FROM (
SELECT ${cols("f", "-")} FROM ${stored} f WHERE f.${day} IS NOT NULL
UNION ALL SELECT ${cols("s", "")} FROM ${factSrc} s WHERE NOT s._deleted AND s.${day} IS NOT NULL) x
GROUP BY ${["day", ...by].join(", ")} HAVING ${names.map((n) => `sum(${n}) <> 0`).join(" OR ")}`;
  }

  /**
   * The groups the run changes (agg_delta) replaced by their stored values plus the change: a
   * group whose rows are all gone leaves the table. Only where the run is one transaction.
   */
  private maintainAggregate(s: Star, ctx: CompileContext): Statement[] {
    const a = s.dailyAggregate!;
    const table = this.table(ctx, "gold", a.name);
    const delta = this.shared("agg_delta", ctx, s.entity);
    const by = aggregateBy(s).map((b) => this.q(b));
    const names = a.measures.map((m) => this.q(m.name));
    const on = (l: string, r: string) => ["day", ...by].map((c) => `${l}.${c} = ${r}.${c}`).join(" AND ");
    const rows = this.q(maintainedRows(s)!);
    const types = new Map(this.aggregateColumns(s).map((c) => [this.q(c.name), c.type]));
    const next = (n: string) => `CAST(coalesce(t.${n}, 0) + d.${n} AS ${types.get(n)}) AS ${n}`;
    return [
      ...this.createTemp(
        "agg_next",
        `SELECT d.day, ${[...by.map((b) => `d.${b}`), ...names.map(next)].join(", ")}${this.storedRowId("t")}
FROM ${delta} d LEFT JOIN ${table} t ON ${on("t", "d")}`,
      ),
      this.deleteStored(table, this.q("agg_next"), on("t", "s")),
      {
        sql: `INSERT INTO ${table} (day, ${[...by, ...names].join(", ")}, _updated_at)
SELECT day, ${[...by, ...names].join(", ")}, ${ctx.now} FROM ${this.q("agg_next")} WHERE ${rows} > 0`,
      },
      {
        label: a.name,
        sql: `SELECT count(*) AS groups_updated, count(DISTINCT day) AS days_updated FROM ${this.q("agg_next")}`,
      },
    ];
  }

  protected aggregate(s: Star, ctx: CompileContext): Statement[] {
    if (this.maintainsAggregate(s)) return this.maintainAggregate(s, ctx);
    const a = s.dailyAggregate!;
    const table = this.table(ctx, "gold", a.name);
    const fact = this.table(ctx, "gold", s.fact.name);
    const by = aggregateBy(s).map((b) => this.q(b));
    const measures = a.measures.map((m) => `${m.agg}(f.${this.q(m.column)}) AS ${this.q(m.name)}`);
    const day = `CAST(f.${this.q(a.dateColumn)} AS DATE)`;
    return [
      // A MERGE rather than DELETE … IN (subquery), which Delta does not support.
      {
        sql: `MERGE INTO ${table} AS t USING ${this.shared("agg_days", ctx, s.entity)} AS d ON t.day = d.day WHEN MATCHED THEN DELETE`,
      },
      {
        sql: `INSERT INTO ${table} (day, ${[...by, ...a.measures.map((m) => this.q(m.name))].join(", ")}, _updated_at)
SELECT ${day} AS day, ${by.map((b) => `f.${b}`).join(", ")}${by.length ? ", " : ""}${measures.join(", ")}, ${ctx.now}
FROM ${fact} f WHERE ${day} IN (SELECT day FROM ${this.shared("agg_days", ctx, s.entity)})
GROUP BY ${[day, ...by.map((b) => `f.${b}`)].join(", ")}`,
      },
      {
        label: a.name,
        sql: `SELECT count(*) AS days_recomputed FROM ${this.shared("agg_days", ctx, s.entity)}`,
      },
    ];
  }

  /**
   * Empties silver and facts before a full refresh; dimensions stay, so surrogate keys stay
   * stable. With `step`, only what that kind of step writes: a notebook empties its own table.
   */
  fullRefreshReset(plan: Plan, ctx: CompileContext, step?: PlanStep["kind"]): Statement[] {
    const tables: [PlanStep["kind"], string][] = [["silver", this.table(ctx, "silver", plan.entity.name)]];
    if (plan.star) {
      tables.push(["fact", this.table(ctx, "gold", plan.star.fact.name)]);
      if (plan.star.dailyAggregate)
        tables.push(["aggregate", this.table(ctx, "gold", plan.star.dailyAggregate.name)]);
    }
    return tables
      .filter(([kind]) => step === undefined || kind === step)
      .map(([, t]) => ({ sql: this.truncate(t) }));
  }
}

/** A column of a table the engine creates. */
export interface ColumnSpec {
  readonly name: string;
  readonly type: string;
  readonly notNull?: boolean;
}

/** A table the engine creates: schema, name, columns; a dimension's surrogate key. */
export interface TableSpec {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
  readonly unknownMember?: string;
}

/** `dim_branch` → `dim_branch_key`. */
export function surrogateKey(d: Dimension): string {
  return `${d.name}_key`;
}

/** Entity key, measures, degenerate columns and the aggregate's date column, once each, in entity order. */
export function factValueColumns(s: Star): string[] {
  const wanted = new Set([
    ...s.entity.key,
    ...s.fact.measures,
    ...s.fact.degenerate,
    ...(s.dailyAggregate ? [s.dailyAggregate.dateColumn] : []),
  ]);
  return s.entity.columns.map((c) => c.name).filter((n) => wanted.has(n));
}

/** The surrogate keys of the dimensions the star's daily aggregate groups by, besides the day. */
function aggregateBy(s: Star): string[] {
  return (s.dailyAggregate?.by ?? []).map((b) => surrogateKey(s.dimensions.find((d) => d.name === b)!));
}

/**
 * The measure that counts a group's rows, when every measure of the star's aggregate can be kept
 * by adding the changed rows to it: counts, and sums of a column that is never null and not
 * floating point (whose sums would drift from a recomputed one). A min or a max cannot be taken
 * back; without the row count, a group left with no rows could not be told from one whose sums
 * are zero.
 */
function maintainedRows(s: Star): string | undefined {
  const a = s.dailyAggregate;
  if (!a) return undefined;
  const col = (n: string) => s.entity.columns.find((c) => c.name === n);
  const exact = a.measures.every(
    (m) =>
      m.agg === "count" ||
      (m.agg === "sum" && col(m.column)?.nullable === false && col(m.column)?.type.kind !== "double"),
  );
  return exact
    ? a.measures.find((m) => m.agg === "count" && col(m.column)?.nullable === false)?.name
    : undefined;
}

function sumType(_dialect: ParseDialect, c: Column): string {
  if (c.type.kind === "decimal") return `DECIMAL(38, ${c.type.scale})`;
  if (c.type.kind === "double") return "DOUBLE";
  return "DECIMAL(38, 0)";
}

function assertNever(x: never): never {
  throw new Error(`unhandled plan step ${JSON.stringify(x)}`);
}
