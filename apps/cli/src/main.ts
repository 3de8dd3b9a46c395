import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { IngestError, LocalLakeStore, landFiles } from "@saleslake/ingest";
import { PipelineError, planRun, runPipeline, Warehouse } from "@saleslake/pipeline";
import { SchemaError } from "@saleslake/schema";
import { Command, CommanderError, Option } from "commander";
import { demo } from "./commands/demo.ts";
import { describeRun } from "./commands/describe-run.ts";
import { generate } from "./commands/generate.ts";
import { initProject } from "./commands/init.ts";
import { writeReport } from "./commands/report.ts";
import { schemaDiffCommand } from "./commands/schema-diff.ts";
import { validateFile } from "./commands/validate.ts";
import { loadConfig } from "./config.ts";
import { color, fmt, Progress, printJson, table } from "./output.ts";

/** Exit codes: 0 success, 1 failure, 2 usage error, 3 rows quarantined with --strict. */
export const EXIT = { ok: 0, failure: 1, usage: 2, quarantined: 3 } as const;

class UsageError extends Error {}

const dirOption = () =>
  new Option("--dir <dir>", "project folder (config, lake, warehouse, state)").default(".");
const jsonOption = () => new Option("--json", "print JSON instead of text");

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

/** Builds the program; `run` executes it and maps errors to one line plus a hint. */
export function program(progress = new Progress()): Command {
  let exitCode: number = EXIT.ok;
  const p = new Command("saleslake")
    .description("Incremental sales-data loading into an Azure lakehouse, from one schema.")
    .option("--verbose", "show stack traces for errors")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  p.command("demo")
    .description(
      "Land the bundled car-sales files (initial, then incremental) and run the pipeline after each",
    )
    .addOption(dirOption().default("./saleslake-demo"))
    .addOption(jsonOption())
    .addHelpText("after", examples("saleslake demo --dir ./demo", "saleslake demo --dir ./demo --json"))
    .action(async (o) => {
      exitCode = await demo(o.dir, o, progress);
    });

  p.command("init")
    .description("Create a project folder with a config and an example entity")
    .argument("[dir]", "folder to create", ".")
    .addHelpText("after", examples("saleslake init my-sales"))
    .action((dir: string) => {
      const made = initProject(dir);
      console.log(`created ${made.join(", ")} in ${resolve(dir)}`);
      console.log(
        `next: edit saleslake.config.ts, then saleslake ingest --dir ${dir} <files> and saleslake run --dir ${dir}`,
      );
    });

  p.command("ingest")
    .description("Land files into the lake (one batch per entity and call); nothing is processed yet")
    .argument("<paths...>", "files or folders (csv, json, jsonl, parquet; .gz allowed)")
    .addOption(dirOption())
    .option("--entity <name>", "entity the files belong to (default: the only one configured)")
    .option("--delimiter <char>", "CSV delimiter", ",")
    .option("--force", "land even if the same content was landed before")
    .addOption(jsonOption())
    .addHelpText(
      "after",
      examples(
        "saleslake ingest --entity car_sales data/SalesData.csv",
        "saleslake ingest --dir proj --force drops/",
      ),
    )
    .action(async (paths: string[], o) => {
      const cfg = await loadConfig(o.dir);
      const entity = pickEntity(cfg.entities, o.entity);
      const files = paths.flatMap((path) => expand(resolve(path)));
      progress.update(`landing ${files.length} file(s)`);
      const r = await landFiles({
        store: new LocalLakeStore(cfg.lakeRoot),
        entity,
        paths: files,
        force: Boolean(o.force),
        delimiter: o.delimiter,
      });
      progress.done();
      if (o.json)
        printJson({
          entity: entity.name,
          ...r,
          files: r.files.map((f) => ({ path: f.path, rows: f.rows, bytes: f.bytes, sha256: f.sha256 })),
        });
      else
        console.log(
          r.status === "landed"
            ? `landed ${fmt(r.rows)} rows (${fmt(r.bytes)} bytes) from ${files.length} file(s) as batch ${r.batchId}`
            : `already landed as batch ${r.batchId}: nothing written (use --force to land again)`,
        );
    });

  p.command("run")
    .description("Process landed batches: bronze → silver → gold, in one transaction per entity")
    .addOption(dirOption())
    .option("--entity <name>", "only this entity")
    .option("--full-refresh", "rebuild silver and gold from bronze (watermarks stay)")
    .option("--from <t>", "backfill window start (inclusive)")
    .option("--to <t>", "backfill window end (exclusive)")
    .option("--memory-limit <size>", "DuckDB memory limit, e.g. 2GB")
    .option("--strict", `exit ${EXIT.quarantined} when rows were quarantined`)
    .addOption(jsonOption())
    .addHelpText(
      "after",
      examples(
        "saleslake run",
        "saleslake run --entity car_sales --full-refresh",
        "saleslake run --from 2026-01-01 --to 2026-02-01",
      ),
    )
    .action(async (o) => {
      if ((o.from && !o.to) || (!o.from && o.to)) throw new UsageError("--from and --to go together");
      if (o.fullRefresh && o.from) throw new UsageError("--full-refresh and --from/--to exclude each other");
      const cfg = await loadConfig(o.dir);
      const mode = o.fullRefresh ? "full_refresh" : o.from ? "backfill" : "incremental";
      const memoryLimit = o.memoryLimit ?? cfg.memoryLimit;
      const { runs } = await runPipeline({
        dir: cfg.dir,
        lakeRoot: cfg.lakeRoot,
        entities: cfg.entities,
        stars: cfg.stars,
        mode,
        ...(o.entity && { entity: o.entity }),
        ...(o.from && { from: o.from, to: o.to }),
        ...(memoryLimit && { memoryLimit }),
        ...(cfg.threads && { threads: cfg.threads }),
        onProgress: (e) => {
          if (e.type === "step-start") progress.update(`${e.entity}: ${e.step}…`);
        },
      });
      progress.done();
      if (o.json) printJson({ runs });
      else console.log(runs.map(describeRun).join("\n\n"));
      if (o.strict && runs.some((r) => r.rowsQuarantined > 0)) exitCode = EXIT.quarantined;
    });

  p.command("plan")
    .description("Show what a run would do — batches, rows, steps, watermarks — without doing it")
    .addOption(dirOption())
    .option("--entity <name>", "only this entity")
    .addOption(jsonOption())
    .action(async (o) => {
      const cfg = await loadConfig(o.dir);
      const plans = await planRun({
        dir: cfg.dir,
        lakeRoot: cfg.lakeRoot,
        entities: cfg.entities,
        stars: cfg.stars,
        ...(o.entity && { entity: o.entity }),
      });
      if (o.json) return printJson({ plans });
      for (const pl of plans) {
        console.log(
          `${color.bold(pl.entity)}: ${pl.batches.length} batch(es) pending, ${fmt(pl.expectedRows)} rows expected`,
        );
        for (const b of pl.batches) console.log(`  ${b.batchId}  ${fmt(b.rows)} rows  from ${b.source}`);
        console.log(`  steps: ${pl.steps.map((s) => s.id).join(" → ")}`);
        for (const w of pl.watermarks) console.log(`  watermark ${w.source}: ${w.value}`);
      }
    });

  p.command("status")
    .description("Watermarks, last run per entity, lag, quarantine size")
    .addOption(dirOption())
    .addOption(jsonOption())
    .action(async (o) => {
      const rows = await withWarehouse(o.dir, (w) => w.status());
      if (o.json) return printJson({ entities: rows });
      console.log(
        table(rows, [
          "entity",
          "last_status",
          "last_finished_at",
          "lag_seconds",
          "batches_processed",
          "rows_quarantined",
          "watermarks",
        ]),
      );
    });

  p.command("runs")
    .description("Run history from the ledger")
    .addOption(dirOption())
    .option("--limit <n>", "how many", "20")
    .addOption(jsonOption())
    .action(async (o) => {
      const rows = await withWarehouse(o.dir, (w) => w.runs(Number(o.limit)));
      if (o.json) return printJson({ runs: rows });
      console.log(
        table(rows, [
          "run_id",
          "entity",
          "mode",
          "status",
          "started_at",
          "rows_read",
          "rows_accepted",
          "rows_quarantined",
          "rows_inserted",
          "rows_updated",
          "error",
        ]),
      );
    });

  p.command("quarantine")
    .description("Rows held back by a quality rule, with the rule and the raw values")
    .addOption(dirOption())
    .option("--entity <name>", "entity", "car_sales")
    .option("--export <file>", "write the rows as JSON Lines, for fixing and re-landing")
    .addOption(jsonOption())
    .addHelpText("after", examples("saleslake quarantine", "saleslake quarantine --export fix.jsonl"))
    .action(async (o) => {
      const rows = await withWarehouse(o.dir, (w) => w.quarantine(o.entity));
      if (o.export) {
        writeFileSync(o.export, rows.map((r) => `${String(r.raw)}\n`).join(""));
        console.log(
          `wrote ${rows.length} row(s) to ${o.export}; fix them and land with: saleslake ingest --entity ${o.entity} ${o.export}`,
        );
        return;
      }
      if (o.json) return printJson({ entity: o.entity, rows });
      console.log(table(rows, ["_source_file", "_row_number", "rule_ids", "messages", "raw"]));
    });

  p.command("query")
    .description("Read-only SQL on the local warehouse")
    .argument("<sql>", "a SELECT statement")
    .addOption(dirOption())
    .addOption(jsonOption())
    .addHelpText(
      "after",
      examples(
        'saleslake query "select * from gold.fact_sales limit 5"',
        'saleslake query --json "select count(*) as n from silver.car_sales"',
      ),
    )
    .action(async (sql: string, o) => {
      const rows = await withWarehouse(o.dir, (w) => w.query(sql));
      if (o.json) printJson(rows);
      else console.log(table(rows));
    });

  p.command("validate")
    .description("Check a file against an entity's schema without loading it")
    .argument("<entity>", "entity name")
    .argument("<file>", "file to check")
    .addOption(dirOption())
    .addOption(jsonOption())
    .addHelpText("after", examples("saleslake validate car_sales data/SalesData.csv"))
    .action(async (entityName: string, file: string, o) => {
      const cfg = await loadConfig(o.dir);
      const result = await validateFile(pickEntity(cfg.entities, entityName), resolve(file));
      if (o.json) printJson(result);
      else {
        console.log(
          `${file}: ${fmt(result.rows)} rows, ${fmt(result.valid)} valid, ${fmt(result.invalid)} would be quarantined, ${fmt(result.warnings)} warnings`,
        );
        for (const i of result.issues.slice(0, 50)) console.log(`  row ${i.row}: ${i.rule}: ${i.message}`);
        if (result.issues.length > 50)
          console.log(`  … ${result.issues.length - 50} more (use --json for all)`);
      }
      if (result.invalid > 0) exitCode = EXIT.failure;
    });

  p.command("generate")
    .description(
      "Write every generated artifact (schema, DDL, rules, ADF structure) for the configured entities",
    )
    .addOption(dirOption())
    .option("--out <dir>", "output folder", "generated")
    .action(async (o) => {
      const cfg = await loadConfig(o.dir);
      const written = generate(cfg.entities, resolve(cfg.dir, o.out));
      console.log(`wrote ${written} files to ${resolve(cfg.dir, o.out)}`);
    });

  const schema = p.command("schema").description("Schema tools");
  schema
    .command("diff")
    .description("Classify the changes between two versions of an entity as compatible or breaking")
    .argument("<old>", "module exporting the old entity (or a JSON export)")
    .argument("<new>", "module exporting the new entity")
    .addOption(jsonOption())
    .addHelpText("after", examples("saleslake schema diff old/orders.ts src/orders.ts"))
    .action(async (a: string, b: string, o) => {
      const d = await schemaDiffCommand(resolve(a), resolve(b));
      if (o.json) printJson(d);
      else {
        for (const c of d.changes)
          console.log(
            `${c.compatible ? color.green("compatible") : color.red("breaking  ")}  ${c.kind.padEnd(8)} ${c.detail}`,
          );
        console.log(
          d.changes.length === 0
            ? "no changes"
            : d.compatible
              ? "all changes are compatible"
              : "breaking changes: readers and stored data need a migration",
        );
      }
      if (!d.compatible) exitCode = EXIT.failure;
    });

  p.command("report")
    .description("Write an HTML report: sales by day, region and product; runs; rows per step; quarantine")
    .addOption(dirOption())
    .option("--out <file>", "output file", "saleslake-report.html")
    .option("--open", "open it in the default browser")
    .action(async (o) => {
      const out = resolve(o.dir, o.out);
      await withWarehouse(o.dir, (w) => writeReport(w, out));
      console.log(`wrote ${out}`);
      if (o.open) {
        const { spawn } = await import("node:child_process");
        spawn(process.platform === "darwin" ? "open" : "xdg-open", [out], { detached: true, stdio: "ignore" })
          .on("error", () => {})
          .unref();
      }
    });

  p.hook("postAction", () => {
    process.exitCode = exitCode;
  });
  return p;
}

function pickEntity<E extends { name: string }>(entities: readonly E[], name?: string): E {
  if (!name) {
    if (entities.length === 1) return entities[0]!;
    throw new UsageError(
      `several entities are configured (${entities.map((e) => e.name).join(", ")}): pass --entity`,
    );
  }
  const e = entities.find((x) => x.name === name);
  if (!e)
    throw new UsageError(`no entity named ${name}; configured: ${entities.map((x) => x.name).join(", ")}`);
  return e;
}

function expand(path: string): string[] {
  if (!existsSync(path)) throw new UsageError(`no such file or folder: ${path}`);
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => !f.startsWith("."))
    .sort()
    .flatMap((f) => expand(join(path, f)));
}

async function withWarehouse<T>(dir: string, fn: (w: Warehouse) => Promise<T>): Promise<T> {
  const w = await Warehouse.open(resolve(dir));
  try {
    return await fn(w);
  } finally {
    w.close();
  }
}

/** Runs the CLI and returns its exit code; errors print as one line plus a hint. */
export async function run(argv: string[]): Promise<number> {
  const progress = new Progress();
  const verbose = argv.includes("--verbose");
  try {
    await program(progress).parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (e) {
    progress.done();
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.exitCode === 0)
        return EXIT.ok;
      return EXIT.usage;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`${color.red("usage error")}: ${e.message}\n(run with --help for usage)\n`);
      return EXIT.usage;
    }
    if (e instanceof PipelineError || e instanceof IngestError || e instanceof SchemaError) {
      process.stderr.write(
        `${color.red(`error ${e.code}`)}: ${e.message}\n${color.dim("hint:")} ${e.hint}\n`,
      );
      if (verbose) process.stderr.write(`${e.stack}\n`);
      return EXIT.failure;
    }
    const err = e as Error;
    process.stderr.write(
      `${color.red("error")}: ${err.message?.split("\n")[0] ?? String(e)}\n${color.dim("hint:")} run again with --verbose for details\n`,
    );
    if (verbose) process.stderr.write(`${err.stack}\n`);
    return EXIT.failure;
  }
}
