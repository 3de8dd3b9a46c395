import { type CompileContext, PlanCompiler, type Statement } from "../../query-compiler/plan-compiler.ts";

/** DuckDB: the embedded engine. Temp tables are real tables for the session. */
export class DuckdbCompiler extends PlanCompiler {
  readonly dialect = "duckdb" as const;

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
  protected override listSize(expr: string): string {
    return `len(${expr})`;
  }
  protected override listContains(list: string, value: string): string {
    return `list_contains(${list}, ${value})`;
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
