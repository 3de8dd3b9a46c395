import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { AdlsLakeStore, IngestError, type LakeStore, LocalLakeStore, landFiles } from "@saleslake/ingest";
import {
  listLandedBatches,
  PipelineError,
  planRun,
  projectPaths,
  runPipeline,
  Warehouse,
} from "@saleslake/pipeline";
import { type Entity, SchemaError } from "@saleslake/schema";
import { Command, CommanderError, Option } from "commander";
import { demo } from "./commands/demo.ts";
import { describeQuarantine } from "./commands/describe-quarantine.ts";
import { type BackfillWindow, describeRun } from "./commands/describe-run.ts";
import { describeStatus } from "./commands/describe-status.ts";
import { describeSourceLanding, ingestSources } from "./commands/ingest-sources.ts";
import { initProject } from "./commands/init.ts";
import { pipelineProgress } from "./commands/pipeline-progress.ts";
import {
  exportQuarantine,
  heldRows,
  quarantineOverview,
  ReplayInputError,
  replayQuarantine,
} from "./commands/quarantine.ts";
import { REPORT_RUNS, writeReport } from "./commands/report.ts";
import { describeRunHistory } from "./commands/run-history.ts";
import { schemaDiffCommand } from "./commands/schema-diff.ts";
import { describeSourceStates, sourceStates } from "./commands/source-status.ts";
import { validateFile } from "./commands/validate.ts";
import { CONFIG_FILE, engineOptions, loadConfig, type ResolvedConfig } from "./config.ts";
import {
  color,
  count,
  errColor,
  fmt,
  Progress,
  printJson,
  shellWord,
  visible,
  writeJsonArrayStream,
  writeJsonStream,
  writeTableStream,
} from "./output.ts";

/** Exit codes: 0 success, 1 failure, 2 usage error, 3 rows newly quarantined with --strict. */
export const EXIT = { ok: 0, failure: 1, usage: 2, quarantined: 3, interrupted: 130 } as const;

class UsageError extends Error {}

const dirOption = () =>
  new Option("--dir <dir>", "project folder (config, lake, warehouse, state)").default(".");
const jsonOption = () => new Option("--json", "print JSON instead of text");
const toOption = () =>
  new Option(
    "--to <lake>",
    "where to land: local (the project's lake folder) or adls (the estate's lake, lake.adls in saleslake.config.ts)",
  )
    .choices(["local", "adls"])
    .default("local");

/** The lake `ingest --to` names: the project's folder, or the estate's ADLS Gen2 account. */
function landingStore(cfg: ResolvedConfig, to: string): LakeStore {
  if (to !== "adls") return new LocalLakeStore(cfg.lakeRoot);
  if (!cfg.adls)
    throw new UsageError(
      `--to adls: ${cfg.configFile ?? CONFIG_FILE} names no ADLS lake; add lake: { adls: { accountUrl: "https://<account>.blob.core.windows.net" } }`,
    );
  return new AdlsLakeStore({
    accountUrl: cfg.adls.accountUrl,
    ...(cfg.adls.fileSystem !== undefined && { fileSystem: cfg.adls.fileSystem }),
  });
}

/**
 * What the estate does with a batch landed in its lake: a file-drop entity's manifest starts the
 * entity's Data Factory pipeline; an entity with a watermark column is copied from its source by
 * the factory's windows, and nothing there starts on a landed batch.
 */
function estateNote(entity: Entity): string | undefined {
  if (entity.watermark.kind !== "column") return undefined;
  return color.dim(
    `note: ${entity.name} has a watermark column: the Data Factory pipelines copy its windows from its source themselves, and no pipeline starts on a batch landed in the lake (a manifest starts one for entities with watermark "batch"); run its Databricks job with the batch's id (job parameter batch_id) to load it there`,
  );
}

/** A file the command is to write: its folder must exist, and it must not be a folder itself. */
function writableFile(path: string, option: string): string {
  const folder = dirname(resolve(path));
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new UsageError(`${option} ${path}: the folder ${folder} does not exist`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`${option} ${path} is a folder`);
  return path;
}

const DELIMITER_HELP =
  "CSV delimiter, one character; \\t or tab for a tab (default: a tab for .tsv files, else a comma)";

/** `--delimiter`: one character, `\t` or `tab` for a tab (a shell passes `'\t'` as two characters). */
function delimiterOf(value: string | undefined): { delimiter?: string } {
  if (value === undefined) return {};
  const d = value === "\\t" || value.toLowerCase() === "tab" ? "\t" : value;
  if ([...d].length !== 1)
    throw new UsageError(`--delimiter takes one character, or \\t for a tab: not ${JSON.stringify(value)}`);
  return { delimiter: d };
}

/**
 * Runs `work` with a signal that the first Ctrl-C (or SIGTERM) aborts: the run stops, rolls back
 * what it has not committed and releases its lock. A second one ends the process at once; the
 * next run then finds the lock and the ledger's entry abandoned, and takes both over.
 */
async function stoppable<T>(progress: Progress, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const onSignal = () => {
    progress.done();
    if (abort.signal.aborted) {
      process.stderr.write("stopped at once: the next run takes over the lock\n");
      process.exit(EXIT.interrupted);
    }
    process.stderr.write(
      "stopping: rolling back what is not committed (press Ctrl-C again to stop at once)\n",
    );
    abort.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await work(abort.signal);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

/** This package's version, from its package.json (beside `src/` and `dist/` alike). */
function cliVersion(): string {
  return (
    JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
  ).version;
}

/** Builds the program; `run` executes it and maps errors to one line plus a hint. */
export function program(progress = new Progress()): Command {
  let exitCode: number = EXIT.ok;
  const p = new Command("saleslake")
    .description("Incremental sales-data loading into an Azure lakehouse, from one schema.")
    .version(cliVersion(), "-V, --version", "print the version of saleslake")
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
      exitCode = await stoppable(progress, (signal) => demo(o.dir, { ...o, signal }, progress));
    });

  p.command("init")
    .description("Create a project folder with a config and an example entity")
    .argument("[dir]", "folder to create (default: the current folder)")
    // As every other project command takes it: `init --dir my-sales` is `init my-sales`.
    .option("--dir <dir>", "folder to create, as the argument")
    .addHelpText("after", examples("saleslake init my-sales", "saleslake init --dir my-sales"))
    .action((arg: string | undefined, o: { dir?: string }) => {
      if (arg !== undefined && o.dir !== undefined && resolve(arg) !== resolve(o.dir))
        throw new UsageError(`give the folder once: ${arg} and --dir ${o.dir} differ`);
      const dir = arg ?? o.dir ?? ".";
      const made = initProject(dir);
      console.log(
        made.length > 0
          ? `created ${made.join(", ")} in ${resolve(dir)}`
          : `${resolve(dir)} already has a project: nothing created, nothing changed`,
      );
      console.log(
        `next: edit saleslake.config.ts, then saleslake ingest --dir ${shellWord(dir)} <files> and saleslake run --dir ${shellWord(dir)}`,
      );
    });

  p.command("ingest")
    .description(
      "Land files, or the next window of configured database and API sources, into the lake; nothing is processed yet",
    )
    .argument("[paths...]", "files or folders (csv, json, jsonl, parquet; .gz allowed)")
    .addOption(dirOption())
    .option("--entity <name>", "entity the files belong to (default: the only one configured)")
    .option(
      "--source <name>",
      "land the next window of this source of saleslake.config.ts (repeatable)",
      (v: string, acc: string[] = []) => [...acc, v],
    )
    .option("--delimiter <char>", DELIMITER_HELP)
    .option("--force", "land even if the same content was landed before")
    .addOption(toOption())
    .addOption(jsonOption())
    .addHelpText(
      "after",
      examples(
        "saleslake ingest --entity car_sales data/SalesData.csv",
        "saleslake ingest --dir proj --force drops/",
        "saleslake ingest --source orders_db --source orders_api",
        "saleslake ingest --to adls drops/2026-03/",
      ),
    )
    .action(async (paths: string[], o, cmd: Command) => {
      const cfg = await loadConfig(o.dir);
      const store = landingStore(cfg, o.to);
      const sources: string[] = o.source ?? [];
      if (sources.length > 0) {
        if (paths.length > 0) throw new UsageError("give files or --source, not both");
        if (o.entity) throw new UsageError("--entity is for files: a source names its entity in the config");
        if (cmd.getOptionValueSource("delimiter") === "cli")
          throw new UsageError("--delimiter is for CSV files: a source lands JSON Lines");
        const configured = Object.keys(cfg.sources);
        for (const name of sources) {
          if (!cfg.sources[name])
            throw new UsageError(
              configured.length === 0
                ? `no source named ${name}: the config declares none (see sources in saleslake.config.ts)`
                : `no source named ${name}; configured: ${configured.join(", ")}`,
            );
        }
        progress.start(`landing ${sources.length === 1 ? "1 source" : `${sources.length} sources`}`);
        const landings = await ingestSources(cfg, sources, {
          store,
          force: Boolean(o.force),
          onLanding: (l) => progress.update(`landed ${l.name}`, 0, l.rows),
        });
        progress.done();
        if (o.json) printJson(landings);
        else {
          for (const l of landings) console.log(describeSourceLanding(l));
          if (store instanceof AdlsLakeStore) {
            const landed = new Set(landings.filter((l) => l.status === "landed").map((l) => l.entity));
            for (const e of cfg.entities.filter((x) => landed.has(x.name))) {
              const note = estateNote(e);
              if (note) console.log(note);
            }
          }
        }
        return;
      }
      if (paths.length === 0) {
        const configured = Object.keys(cfg.sources);
        throw new UsageError(
          `give files or folders to land${configured.length > 0 ? `, or --source (configured: ${configured.join(", ")})` : ""}`,
        );
      }
      const entity = pickEntity(cfg.entities, o.entity);
      for (const path of paths)
        if (!existsSync(resolve(path))) throw new UsageError(`no such file or folder: ${resolve(path)}`);
      // Folders go to landFiles as they are, so that a file found in one is named by its path
      // below it (jan/returns.csv), not its base name alone. A file named twice (a.csv a.csv,
      // or a file and its folder) lands once.
      progress.start(`landing files as one ${entity.name} batch`);
      const r = await landFiles({
        store,
        entity,
        paths: paths.map((path) => resolve(path)),
        force: Boolean(o.force),
        ...delimiterOf(o.delimiter),
      });
      const files = r.files;
      progress.update(`landed ${count(files.length, "file")}`, 0, r.rows);
      progress.done();
      if (o.json)
        printJson({
          entity: entity.name,
          ...r,
          ...(store instanceof AdlsLakeStore && { url: store.url(r.dir) }),
          files: r.files.map((f) => ({
            path: f.path,
            source: f.source,
            rows: f.rows,
            bytes: f.bytes,
            sha256: f.sha256,
          })),
        });
      else {
        console.log(
          r.status === "landed"
            ? `landed ${count(r.rows, "row")} (${count(r.bytes, "byte")}) from ${count(files.length, "file")} as batch ${r.batchId}${store instanceof AdlsLakeStore ? ` into ${store.url(r.dir)}` : ""}`
            : `already landed as batch ${r.batchId}: nothing written (use --force to land again)`,
        );
        if (r.status === "landed") {
          for (const line of describeDrift(r.drift, files, entity)) console.log(line);
          const note = store instanceof AdlsLakeStore ? estateNote(entity) : undefined;
          if (note) console.log(note);
        }
      }
    });

  p.command("run")
    .description("Process landed batches: bronze → silver → gold, in one transaction per entity")
    .addOption(dirOption())
    .option("--entity <name>", "only this entity")
    .option("--full-refresh", "rebuild silver and gold from bronze (watermarks stay)")
    .option("--from <t>", "backfill window start (inclusive)")
    .option("--to <t>", "backfill window end (exclusive)")
    .option("--memory-limit <size>", "DuckDB memory limit, e.g. 2GB")
    .option(
      "--strict",
      `exit ${EXIT.quarantined} when rows were quarantined (not those held back before, read again)`,
    )
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
      existingProject(cfg.dir);
      if (o.entity) pickEntity(cfg.entities, o.entity);
      const mode = o.fullRefresh ? "full_refresh" : o.from ? "backfill" : "incremental";
      const { runs } = await stoppable(progress, (signal) =>
        runPipeline({
          dir: cfg.dir,
          lakeRoot: cfg.lakeRoot,
          entities: cfg.entities,
          stars: cfg.stars,
          mode,
          ...(o.entity && { entity: o.entity }),
          ...(o.from && { from: o.from, to: o.to }),
          ...engineOptions(cfg, o.memoryLimit),
          onProgress: pipelineProgress(progress, cfg.entities, cfg.stars),
          signal,
        }),
      );
      progress.done();
      if (o.json) printJson({ runs });
      else {
        const landing = (entity: string) => ({
          dir: join(cfg.lakeRoot, "landing", entity),
          batches: listLandedBatches(cfg.lakeRoot, entity).length,
        });
        const window = (entity: string): BackfillWindow | undefined => {
          const e = cfg.entities.find((x) => x.name === entity);
          if (!o.from || !o.to || !e) return undefined;
          return e.watermark.kind === "column"
            ? { from: o.from, to: o.to, column: e.watermark.column }
            : {
                from: o.from,
                to: o.to,
                batches: listLandedBatches(cfg.lakeRoot, entity).map((b) => b.batchId),
              };
        };
        console.log(
          runs
            .map((r) =>
              describeRun(r, r.status === "nothing_to_do" ? landing(r.entity) : undefined, window(r.entity)),
            )
            .join("\n\n"),
        );
        // Where to see them, unless every row held back was held back before (a repeat).
        const held = runs.filter((r) => r.rowsQuarantined > r.quarantineRepeats).map((r) => r.entity);
        if (held.length > 0) {
          const dir = o.dir === "." ? "" : ` --dir ${shellWord(o.dir)}`;
          const entity = held.length === 1 ? ` --entity ${held[0]}` : "";
          console.log(
            color.dim(`\nthe rows held back, with their values: saleslake quarantine${dir}${entity}`),
          );
        }
      }
      // A row held back before, read again (a lookback re-reads its window), is not new bad data.
      if (o.strict && runs.some((r) => r.rowsQuarantined > r.quarantineRepeats)) exitCode = EXIT.quarantined;
    });

  p.command("plan")
    .description("Show what a run would do — batches, rows, steps, watermarks — without doing it")
    .addOption(dirOption())
    .option("--entity <name>", "only this entity")
    .addOption(jsonOption())
    .addHelpText(
      "after",
      examples("saleslake plan", "saleslake plan --dir my-sales --entity sales_returns --json"),
    )
    .action(async (o) => {
      const cfg = await loadConfig(o.dir);
      if (o.entity) pickEntity(cfg.entities, o.entity);
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
          `${color.bold(pl.entity)}: ${count(pl.batches.length, "batch", "batches")} pending, ${count(pl.expectedRows, "row")} expected`,
        );
        for (const b of pl.batches) console.log(`  ${b.batchId}  ${count(b.rows, "row")}  from ${b.source}`);
        console.log(`  steps: ${pl.steps.map((s) => s.id).join(" → ")}`);
        for (const w of pl.watermarks) console.log(`  watermark ${w.source}: ${w.value}`);
      }
    });

  p.command("status")
    .description(
      "Watermarks, last run per entity, lag, quarantine size, and what each configured source last landed",
    )
    .addOption(dirOption())
    .addOption(jsonOption())
    .addHelpText("after", examples("saleslake status --dir ./demo", "saleslake status --json"))
    .action(async (o) => {
      const cfg = await loadConfig(o.dir);
      // A project before any run has no warehouse to look in yet: nothing is processed (its
      // sources may have landed). A folder that is no project still says it has no warehouse.
      const ran = !noRunYet(cfg.dir);
      const { entities, sources } = ran
        ? await withWarehouse(cfg.dir, async (w) => ({
            entities: await w.status(),
            sources: await sourceStates(cfg, (entity, ids) => w.processedBatches(entity, ids)),
          }))
        : { entities: [], sources: await sourceStates(cfg, async () => new Set<string>()) };
      if (o.json) return printJson({ entities, sources });
      const lines = ran
        ? [describeStatus(entities)]
        : [
            `no runs yet in ${cfg.dir}: saleslake run processes what is landed`,
            ...cfg.entities.map((e) => {
              const n = listLandedBatches(cfg.lakeRoot, e.name).length;
              return `  ${e.name}: ${n === 0 ? "nothing landed" : `${count(n, "batch", "batches")} landed`}`;
            }),
          ];
      if (sources.length > 0) lines.push("", describeSourceStates(sources));
      console.log(lines.join("\n"));
    });

  p.command("runs")
    .description("Run history from the ledger")
    .addOption(dirOption())
    .option("--limit <n>", "how many", "20")
    .addOption(jsonOption())
    .addHelpText("after", examples("saleslake runs --dir ./demo --limit 5", "saleslake runs --json"))
    .action(async (o) => {
      const limit = Number(o.limit);
      if (!Number.isSafeInteger(limit) || limit < 1)
        throw new UsageError(
          `--limit takes a whole number of runs, 1 or more, not ${JSON.stringify(o.limit)}`,
        );
      const rows = noRunYet(o.dir) ? [] : await withWarehouse(o.dir, (w) => w.runs(limit));
      if (o.json) return printJson({ runs: rows });
      console.log(describeRunHistory(rows));
    });

  const quarantine = p
    .command("quarantine")
    .description("Rows held back by a quality rule, with the rule and the raw values")
    .addOption(dirOption())
    .option("--entity <name>", "only this entity (default: every configured entity)")
    .option("--export <file>", "write the rows as JSON Lines, to fix and replay")
    .option(
      "--limit <n>",
      "rows to show in text (the counts cover every row; --json and --export hold all)",
      "50",
    )
    .addOption(jsonOption())
    .addHelpText(
      "after",
      examples(
        "saleslake quarantine",
        "saleslake quarantine --limit 500",
        "saleslake quarantine --entity car_sales --json",
        "saleslake quarantine --export fix.jsonl",
      ),
    )
    .action(async (o) => {
      const limit = Number(o.limit);
      if (!Number.isSafeInteger(limit) || limit < 1)
        throw new UsageError(
          `--limit takes a whole number of rows, 1 or more, not ${JSON.stringify(o.limit)}`,
        );
      const cfg = await loadConfig(o.dir);
      const entities = o.entity ? [pickEntity(cfg.entities, o.entity).name] : cfg.entities.map((e) => e.name);
      const none = noRunYet(cfg.dir);
      if (!o.json && !o.export) {
        // Text shows the first rows alone: the counts per rule come from the warehouse, so a
        // quarantine of millions of rows is not read whole to print fifty.
        const view = none
          ? { summaries: [], rows: [] }
          : await quarantineOverview(cfg.dir, entities, cfg.lakeRoot, limit);
        console.log(describeQuarantine(view.summaries, view.rows, cfg.entities));
        return;
      }
      // --json and --export stream the rows a chunk at a time: a quarantine of millions of rows
      // is never held in memory whole.
      const held = async function* (w: Warehouse | undefined, of: readonly string[]) {
        if (w) yield* heldRows(w, of, cfg.lakeRoot);
      };
      const write = async (w: Warehouse | undefined) => {
        if (!o.export) return writeJsonStream(process.stdout, { entities }, "rows", held(w, entities));
        const withRows: string[] = [];
        for (const e of entities) if (w && (await w.quarantineSummary(e)).rows > 0) withRows.push(e);
        if (withRows.length > 1)
          throw new UsageError(
            `rows of several entities are quarantined (${withRows.join(", ")}): export one with --entity`,
          );
        const n = await exportQuarantine(writableFile(o.export, "--export"), held(w, withRows));
        const entity = withRows[0] ?? entities[0] ?? "<entity>";
        if (o.json) return printJson({ entity, file: resolve(o.export), rows: n });
        const dir = o.dir === "." ? "" : ` --dir ${shellWord(o.dir)}`;
        console.log(
          `wrote ${count(n, "row")} of ${entity} to ${o.export}; fix them, then: saleslake quarantine replay${dir} --entity ${entity} ${shellWord(o.export)}`,
        );
      };
      await (none ? write(undefined) : withWarehouse(cfg.dir, write));
    });

  quarantine
    .command("replay")
    .description(
      "Land fixed quarantined rows (an edited --export file) where they were first landed, run the pipeline, and mark the rows replayed",
    )
    .argument("<file>", "JSON Lines file, one row of source values a line (as written by --export)")
    // No defaults here: `quarantine` parses these options wherever they stand, so both levels are read.
    .option("--dir <dir>", "project folder (default: the current folder)")
    .option("--entity <name>", "entity the rows belong to (default: the only one configured)")
    .addOption(jsonOption())
    .addHelpText(
      "after",
      examples(
        "saleslake quarantine --export fix.jsonl   # then edit fix.jsonl",
        "saleslake quarantine replay --entity car_sales fix.jsonl",
      ),
    )
    .action(async (file: string, _o, cmd: Command) => {
      const o = cmd.optsWithGlobals();
      const cfg = await loadConfig(o.dir ?? ".");
      const entity = pickEntity(cfg.entities, o.entity);
      const path = resolve(file);
      if (!existsSync(path)) throw new UsageError(`no such file: ${path}`);
      progress.start(`replaying ${file}`);
      const r = await stoppable(progress, (signal) =>
        replayQuarantine(cfg, entity, path, pipelineProgress(progress, cfg.entities, cfg.stars), signal),
      );
      progress.done();
      if (o.json) return printJson(r);
      console.log(
        `landed ${count(r.rows, "fixed row")} as batch${r.batchIds.length === 1 ? "" : "es"} ${r.batchIds.join(", ")}: ${fmt(r.accepted)} accepted, ${fmt(r.quarantinedAgain)} quarantined again; ${fmt(r.resolved)} quarantine entr${r.resolved === 1 ? "y" : "ies"} marked replayed${r.superseded > 0 ? `, ${fmt(r.superseded)} superseded by the row quarantined again` : ""}`,
      );
      console.log(describeRun(r.run));
      if (r.quarantinedAgain > 0) exitCode = EXIT.failure;
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
      // Written as DuckDB streams it: an answer of millions of rows is never held whole.
      await withWarehouse(o.dir, async (w) => {
        const { columns, chunks } = await w.queryStream(sql);
        if (o.json) await writeJsonArrayStream(process.stdout, chunks);
        else await writeTableStream(process.stdout, columns, chunks);
      });
    });

  p.command("validate")
    .description(
      "Check a file (CSV, JSON, JSON Lines, Parquet) against an entity's schema without loading it",
    )
    // `validate <entity> <file>`, or `validate <file>` with --entity as `ingest` takes it (the
    // only configured entity when left out).
    .usage("[options] [entity] <file>")
    .argument(
      "<entity-or-file>",
      "entity name, or the file when the entity is given by --entity or is the only one",
    )
    .argument("[file]", "file to check")
    .addOption(dirOption())
    .option("--entity <name>", "entity the file is for (default: the only one configured)")
    .option("--delimiter <char>", DELIMITER_HELP)
    .addOption(jsonOption())
    .addHelpText(
      "after",
      examples(
        "saleslake validate car_sales data/SalesData.csv",
        "saleslake validate --entity car_sales data/SalesData.csv",
        "saleslake validate car_sales --delimiter ';' exports/sales.csv.gz",
        "saleslake validate car_sales exports/part-00000.parquet",
      ),
    )
    .action(async (first: string, second: string | undefined, o) => {
      if (second !== undefined && o.entity !== undefined)
        throw new UsageError(
          `the entity is named twice (${first} and --entity ${o.entity}): give it once, then the file`,
        );
      const [entityName, file] = second === undefined ? [o.entity, first] : [first, second];
      const cfg = await loadConfig(o.dir);
      const path = resolve(file);
      if (second === undefined && !existsSync(path) && cfg.entities.some((e) => e.name === first))
        throw new UsageError(`${first} is an entity: give the file to check after it`);
      if (!existsSync(path) || statSync(path).isDirectory())
        throw new UsageError(`no such file: ${file}${existsSync(path) ? " (it is a folder)" : ""}`);
      // Text shows the first rows' issues and counts the rest per rule; --json gives every issue,
      // written a chunk at a time.
      const shown = 50;
      const result = await validateFile(pickEntity(cfg.entities, entityName), path, {
        ...delimiterOf(o.delimiter),
        ...(!o.json && { keep: shown }),
      });
      if (o.json) {
        const { issues, ...head } = result;
        const chunks = function* () {
          for (let i = 0; i < issues.length; i += 10_000) yield issues.slice(i, i + 10_000);
        };
        await writeJsonStream(process.stdout, head, "issues", chunks());
      } else {
        console.log(
          `${file}: ${count(result.rows, "row")}, ${fmt(result.valid)} valid, ${fmt(result.invalid)} would be quarantined, ${count(result.warnings, "warning")}`,
        );
        for (const [rule, n] of result.byRule) console.log(visible(`  ${fmt(n)} × ${rule}`));
        for (const i of result.issues) {
          const value =
            i.value === undefined
              ? ""
              : ` (${typeof i.value === "string" ? JSON.stringify(i.value) : i.value})`;
          console.log(visible(`  row ${i.row}: ${i.rule}: ${i.message}${value}`));
        }
        const all = result.byRule.reduce((a, [, n]) => a + n, 0);
        if (all > result.issues.length)
          console.log(`  … ${fmt(all - result.issues.length)} more (use --json for all)`);
      }
      if (result.invalid > 0) exitCode = EXIT.failure;
    });

  p.command("generate")
    .description(
      "Write every generated artifact (schema, DDL, rules, Data Factory, Databricks jobs and notebooks, the Bicep's lake file, Synapse views) for the configured entities",
    )
    .addOption(dirOption())
    .option("--out <dir>", "output folder (default: generated/ in the project folder)")
    .addHelpText("after", examples("saleslake generate", "saleslake generate --out build/generated"))
    .action(async (o) => {
      const cfg = await loadConfig(o.dir);
      const { generate } = await import("./commands/generate.ts");
      // Like every path given on the command line, --out is read from the current folder.
      if (o.out === undefined) existingProject(cfg.dir);
      else if (existsSync(o.out) && !statSync(o.out).isDirectory())
        throw new UsageError(`--out ${o.out} is a file: give a folder to write into`);
      const out = o.out === undefined ? join(cfg.dir, "generated") : resolve(o.out);
      const written = generate(cfg, out);
      console.log(`wrote ${written} files to ${out}`);
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
      // Like every file given on the command line, a missing one is a usage error, named: the
      // module loader would report it as an import of the CLI's own code.
      for (const file of [a, b]) {
        if (!existsSync(resolve(file))) throw new UsageError(`no such file: ${file}`);
        if (statSync(resolve(file)).isDirectory())
          throw new UsageError(`${file} is a folder: give the module (or JSON export) of one entity`);
      }
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

  const adf = p.command("adf").description("Azure Data Factory tools");
  adf
    .command("lint")
    .description(
      "Lint a Data Factory folder (git layout: linkedService/, dataset/, pipeline/, trigger/); default: the project's generated factory",
    )
    .argument("[folder]", "factory folder, e.g. generated/adf or a factory's git repository")
    .addOption(dirOption())
    .addOption(jsonOption())
    .addHelpText(
      "after",
      examples(
        "saleslake adf lint",
        "saleslake adf lint generated/adf",
        "saleslake adf lint --json my-factory/",
      ),
    )
    .action(async (folder: string | undefined, o) => {
      if (folder !== undefined && !(existsSync(resolve(folder)) && statSync(resolve(folder)).isDirectory()))
        throw new UsageError(
          existsSync(resolve(folder))
            ? `${resolve(folder)} is a file: give the factory's folder`
            : `no such folder: ${resolve(folder)}`,
        );
      const cfg = await loadConfig(o.dir);
      // Loaded on demand, like deploy: most commands need neither Data Factory nor Azure code.
      const { adfLint } = await import("./commands/adf.ts");
      const { formatFinding } = await import("@saleslake/adf-templates");
      const r = adfLint(cfg, folder === undefined ? undefined : resolve(folder));
      if (o.json) printJson(r);
      else {
        for (const f of r.findings) {
          const line = formatFinding(f);
          console.log(f.severity === "error" ? color.red(line) : color.yellow(line));
        }
        const c = r.counts;
        console.log(
          `${r.source ?? "the project's generated factory"}: ${count(c.linkedService, "linked service")}, ${count(c.dataset, "dataset")}, ${count(c.pipeline, "pipeline")}, ${count(c.trigger, "trigger")}; ${count(r.errors, "error")}, ${count(r.warnings, "warning")}`,
        );
      }
      if (r.errors > 0) exitCode = EXIT.failure;
    });

  p.command("deploy")
    .description(
      "Deploy to Azure with the infra orchestrator: Bicep, control database, Synapse views, Databricks, Data Factory, triggers",
    )
    .addOption(dirOption())
    .option("--dry-run", "print the plan and the Data Factory artifacts; change nothing")
    .addOption(
      new Option(
        "--env <env>",
        "environment (default: the config's azure.environment, SALESLAKE_ENV, else dev)",
      ).choices(["dev", "test", "prod"]),
    )
    .option("--subscription <id>", "Azure subscription (default: the config's, or AZURE_SUBSCRIPTION_ID)")
    .option(
      "--resource-group <name>",
      "target resource group (default: the config's azure.resourceGroup, SALESLAKE_RESOURCE_GROUP, else saleslake-<env>)",
    )
    .option("--template <file>", "ARM template compiled from infra/main.bicep elsewhere")
    .option(
      "--factory [name]",
      "with --dry-run: compare the artifacts with this existing factory (no name: the one the environment's deployment created)",
    )
    .addOption(jsonOption())
    .addHelpText(
      "after",
      examples(
        "saleslake deploy --dry-run --env dev",
        "saleslake deploy --dry-run --env test --factory",
        "saleslake deploy --dry-run --env test --factory saleslake-test-adf-abc123",
        "saleslake deploy --env prod --subscription 00000000-0000-0000-0000-000000000000",
      ),
    )
    .action(async (o) => {
      if (o.factory && !o.dryRun)
        throw new UsageError(
          "--factory compares with an existing factory and changes nothing: pass --dry-run too",
        );
      const cfg = await loadConfig(o.dir);
      const { deployCommand } = await import("./commands/deploy.ts");
      const r = await deployCommand(
        cfg,
        {
          dryRun: Boolean(o.dryRun),
          ...(o.env && { env: o.env }),
          ...(o.subscription && { subscription: o.subscription }),
          ...(o.resourceGroup && { resourceGroup: o.resourceGroup }),
          ...(o.template && { template: resolve(o.template) }),
          ...(o.factory !== undefined && { factory: o.factory as string | true }),
        },
        o.json ? () => {} : (l) => console.log(l),
      );
      if (o.json) printJson(r);
    });

  p.command("report")
    .description(
      "Write an HTML report: each star's sales by day and by each dimension (the demo's: branch, dealer, model); runs; rows per step; quarantine",
    )
    .addOption(dirOption())
    .option("--out <file>", "output file (default: saleslake-report.html in the project folder)")
    .option("--open", "open it in the default browser")
    .option(
      "--runs <n>",
      "runs to list one by one, the newest (every run is counted per entity)",
      String(REPORT_RUNS),
    )
    .addHelpText(
      "after",
      examples(
        "saleslake report --dir ./demo --open",
        "saleslake report --dir ./demo --out demo-report.html",
        "saleslake report --runs 500",
      ),
    )
    .action(async (o) => {
      const runs = Number(o.runs);
      if (!Number.isSafeInteger(runs) || runs < 1)
        throw new UsageError(`--runs takes a whole number of runs, 1 or more, not ${JSON.stringify(o.runs)}`);
      const out =
        o.out === undefined ? resolve(o.dir, "saleslake-report.html") : writableFile(resolve(o.out), "--out");
      const { stars } = await loadConfig(o.dir);
      await withWarehouse(o.dir, (w) => writeReport(w, out, stars, runs));
      console.log(`wrote ${out}`);
      if (o.open) {
        const { spawn } = await import("node:child_process");
        const [opener, ...args] =
          process.platform === "darwin"
            ? ["open", out]
            : process.platform === "win32"
              ? ["explorer.exe", out]
              : ["xdg-open", out];
        spawn(opener!, args, { detached: true, stdio: "ignore" })
          .on("error", (e) =>
            console.error(`could not open it with ${opener} (${e.message}): open ${out} yourself`),
          )
          .unref();
      }
    });

  p.hook("preAction", (_p, action) => {
    if (action.optsWithGlobals().json) progress.silence();
  });
  p.hook("postAction", () => {
    process.exitCode = exitCode;
  });
  return p;
}

/**
 * The columns of each landed file that differ from the entity, and what the entity's contract
 * makes of them: unknown columns kept in `_rescued_data` or left out (their values are then in
 * no table), nullable columns the file lacks read as NULL. Said in the text output as in
 * `--json`'s `drift`, since an ignored column loses its values without failing anything.
 */
function describeDrift(
  drift: readonly { file: string; unknown: readonly string[]; absent: readonly string[] }[],
  files: readonly { path: string; source?: string }[],
  entity: Entity,
): string[] {
  const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);
  const lines: string[] = [];
  for (const d of drift) {
    const name = files.find((f) => f.path === d.file)?.source ?? d.file;
    const n = d.unknown.length;
    if (n > 0) {
      const what =
        entity.contract.unknownColumns === "ignore"
          ? `not loaded: ${plural(n, "its", "their")} values are in no table (contract unknownColumns: ignore)`
          : "kept as JSON in _rescued_data of bronze (contract unknownColumns: rescue)";
      lines.push(
        `  ${name}: ${plural(n, "column", "columns")} ${d.unknown.join(", ")} ${plural(n, "is", "are")} not in ${entity.name}, ${what}`,
      );
    }
    if (d.absent.length > 0)
      lines.push(
        `  ${name}: no ${plural(d.absent.length, "column", "columns")} ${d.absent.join(", ")}: read as NULL (contract missingColumns: null)`,
      );
  }
  return lines;
}

/** A project folder that a command reads or writes in must exist: a mistyped --dir creates nothing. */
function existingProject(dir: string): void {
  if (!existsSync(dir)) {
    throw new UsageError(
      `no such project folder: ${dir} (create one with saleslake init, or land files into it with saleslake ingest)`,
    );
  }
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

/** A project (it has a config file) whose warehouse no run has made yet: nothing to report, no error. */
function noRunYet(dir: string): boolean {
  const d = resolve(dir);
  return !existsSync(projectPaths(d).warehouse) && existsSync(join(d, CONFIG_FILE));
}

async function withWarehouse<T>(dir: string, fn: (w: Warehouse) => Promise<T>): Promise<T> {
  const w = await Warehouse.open(resolve(dir));
  try {
    return await fn(w);
  } finally {
    w.close();
  }
}

/**
 * The typed errors of the packages loaded on demand (@saleslake/adf-templates' AdfError,
 * @saleslake/infra's InfraError, the deploy's) and of project files that do not load: a code for
 * tools and a hint for people.
 */
function isCodedError(e: unknown): e is Error & { code: string; hint: string } {
  return (
    e instanceof Error &&
    /^(AdfError|InfraError|DeployError|ProjectFileError)$/.test(e.name) &&
    typeof (e as { code?: unknown }).code === "string" &&
    typeof (e as { hint?: unknown }).hint === "string"
  );
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
      process.stderr.write(`${errColor.red("usage error")}: ${e.message}\n(run with --help for usage)\n`);
      return EXIT.usage;
    }
    if (e instanceof ReplayInputError) {
      process.stderr.write(
        `${errColor.red("error INVALID_REPLAY_FILE")}: ${e.message}\n${errColor.dim("hint:")} write the file with: saleslake quarantine --export FILE, then fix the values in place\n`,
      );
      return EXIT.failure;
    }
    if (
      e instanceof PipelineError ||
      e instanceof IngestError ||
      e instanceof SchemaError ||
      isCodedError(e)
    ) {
      process.stderr.write(
        `${errColor.red(`error ${e.code}`)}: ${e.message.split("\n")[0]}\n${errColor.dim("hint:")} ${e.hint}\n`,
      );
      if (verbose) process.stderr.write(`${e.stack}\n`);
      if (e.code === "INTERRUPTED") return EXIT.interrupted;
      // An option's value the engine refuses (--memory-limit lots, --from after --to): usage.
      return e.code === "INVALID_OPTION" ? EXIT.usage : EXIT.failure;
    }
    const err = e as Error;
    process.stderr.write(
      `${errColor.red("error")}: ${err.message?.split("\n")[0] ?? String(e)}\n${errColor.dim("hint:")} run again with --verbose for details\n`,
    );
    if (verbose) process.stderr.write(`${err.stack}\n`);
    return EXIT.failure;
  }
}
