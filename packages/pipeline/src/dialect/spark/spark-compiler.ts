import type { Entity } from "@saleslake/schema";
import { type CompileContext, PlanCompiler, type Statement } from "../../query-compiler/plan-compiler.ts";

/**
 * The Databricks Runtime the Spark SQL is written for, and that the generated jobs and the
 * factory start their job clusters on: 17.3 LTS, Apache Spark 4.0 with Delta Lake 4.0, the
 * versions the notebooks are tested on locally. ANSI SQL mode is Spark 4.0's default; the
 * notebooks pin it too, for a cluster on an earlier runtime.
 */
export const DEFAULT_DATABRICKS_RUNTIME = "17.3.x-scala2.13";

/**
 * Spark SQL on Delta Lake (Databricks, or local Spark with delta-spark). Temp relations are
 * cached eagerly: a lazy view would be re-read after the MERGE that changes its inputs.
 */
export class SparkCompiler extends PlanCompiler {
  readonly dialect = "spark" as const;

  protected compactList(items: string[]): string {
    return items.length === 0
      ? "CAST(array() AS ARRAY<STRING>)"
      : `filter(array(${items.join(", ")}), x -> x IS NOT NULL)`;
  }
  protected jsonObject(pairs: [string, string][]): string {
    // Nulls are kept: the quarantine shows every field as it came.
    return `to_json(named_struct(${pairs.map(([k, v]) => `${this.str(k)}, ${v}`).join(", ")}), map('ignoreNullFields', 'false'))`;
  }
  protected createTemp(name: string, select: string): Statement[] {
    return [
      { sql: `UNCACHE TABLE IF EXISTS ${this.q(name)}` },
      { sql: `CACHE TABLE ${this.q(name)} AS ${select}` },
    ];
  }
  protected stringListType(): string {
    return "ARRAY<STRING>";
  }
  protected timestampType(): string {
    return "TIMESTAMP";
  }
  protected stringType(): string {
    return "STRING";
  }
  protected bigintType(): string {
    return "BIGINT";
  }
  protected boolType(): string {
    return "BOOLEAN";
  }
  protected semiJoin(): string {
    return "LEFT SEMI JOIN";
  }
  /**
   * Each notebook task has its own session, and Spark recomputes cached views after a write to
   * what they read: every intermediate relation is a Delta table of its own.
   */
  protected override shared(name: string, ctx: CompileContext, entity: Entity): string {
    return this.table(ctx, "saleslake", `${name}_${entity.name}`);
  }
  protected override createShared(
    name: string,
    ctx: CompileContext,
    entity: Entity,
    select: string,
  ): Statement[] {
    return [{ sql: `CREATE OR REPLACE TABLE ${this.shared(name, ctx, entity)} USING DELTA AS ${select}` }];
  }
  protected override tableSuffix(): string {
    return " USING DELTA";
  }
  protected calendar(d: string) {
    return {
      year: `year(${d})`,
      quarter: `quarter(${d})`,
      month: `month(${d})`,
      monthName: `date_format(${d}, 'MMMM')`,
      day: `day(${d})`,
      isoDayOfWeek: `(weekday(${d}) + 1)`,
      dayName: `date_format(${d}, 'EEEE')`,
      isoWeek: `weekofyear(${d})`,
    };
  }
}

/** Widget-driven values for a Databricks notebook: `${run_id}` etc. are filled before execution. */
export function sparkNotebookContext(mode: CompileContext["mode"] = "incremental"): CompileContext {
  return { catalog: "${catalog}", runId: "'${run_id}'", now: "current_timestamp()", mode };
}
