import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { LocalLakeStore, landFiles } from "@saleslake/ingest";
import { type EntityRunResult, runPipeline } from "@saleslake/pipeline";
import { carSales, carSalesSeedFiles, carSalesStar } from "@saleslake/schema";
import { color, count, type Progress, printJson, shellWord } from "../output.ts";
import { describeRun } from "./describe-run.ts";
import { pipelineProgress } from "./pipeline-progress.ts";

/**
 * The main job on the embedded default: lands the bundled car-sales files (initial, then the
 * increment) into `<dir>/lake` and runs the pipeline after each into `<dir>/state/warehouse.duckdb`.
 */
export async function demo(
  dirArg: string,
  opts: { json?: boolean; signal?: AbortSignal },
  progress: Progress,
): Promise<number> {
  const dir = resolve(dirArg);
  mkdirSync(dir, { recursive: true });
  const store = new LocalLakeStore(resolve(dir, "lake"));
  const say = (s: string) => {
    if (!opts.json) console.log(s);
  };
  say(color.bold(`saleslake demo in ${dir}`));
  say(
    "The bundled car-sales files: SalesData.csv (1,849 rows, the initial load) and IncrementalSales.csv (4 new rows).\n",
  );
  const report: { file: string; landed: string; batchId: string; run: EntityRunResult }[] = [];
  for (const [step, file] of [
    ["1. initial load", carSalesSeedFiles.initial],
    ["2. incremental load", carSalesSeedFiles.incremental],
  ] as const) {
    progress.start(`landing ${file.split("/").pop()}`);
    const landed = await landFiles({ store, entity: carSales, paths: [file] });
    progress.done(); // clear the line before writing to stdout: both go to the same terminal
    const name = file.split("/").pop()!;
    say(color.bold(step));
    say(
      landed.status === "landed"
        ? `  landed ${name}: ${count(landed.rows, "row")} as batch ${landed.batchId} in lake/landing/car_sales/`
        : `  ${name} was landed before (batch ${landed.batchId}): not landed again`,
    );
    const { runs } = await runPipeline({
      dir,
      entities: [carSales],
      stars: [carSalesStar],
      onProgress: pipelineProgress(progress, [carSales], [carSalesStar]),
      ...(opts.signal && { signal: opts.signal }),
    });
    progress.done();
    say(describeRun(runs[0]!).replace(/^/gm, "  "));
    say("");
    report.push({ file: name, landed: landed.status, batchId: landed.batchId, run: runs[0]! });
  }
  if (opts.json) {
    printJson({ dir, steps: report });
    return 0;
  }
  say(color.bold("What happened"));
  say("  Landing keeps the files as they came, with a manifest; bronze parses every row by the schema and");
  say("  quarantines rows that break a rule (with the rule id); silver holds one current row per key;");
  say(
    "  gold has dim_branch, dim_dealer, dim_model, dim_date with surrogate keys, fact_sales and agg_sales_daily.",
  );
  say(
    "  Running the demo again changes nothing: landed content is recognised and processed batches are skipped.\n",
  );
  say(color.bold("Next"));
  const d = dirArg === "." ? "" : ` --dir ${shellWord(dirArg)}`;
  // The command as it was typed: the repository's script (`pnpm saleslake`), or the installed binary.
  const cli = process.env.npm_lifecycle_event === "saleslake" ? "pnpm saleslake" : "saleslake";
  say(`  ${cli} status${d}`);
  say(
    `  ${cli} query${d} "select branch_name, sum(revenue) as revenue from silver.car_sales group by 1 order by 2 desc limit 5"`,
  );
  say(`  ${cli} quarantine${d}`);
  say(`  ${cli} report${d} --open`);
  return 0;
}
