import type * as Adf from "@azure/arm-datafactory";
import { buildPlan } from "@saleslake/pipeline";
import { adfColumnMapping, type Entity, type Star, schemaFingerprint } from "@saleslake/schema";
import { AdfError } from "../errors.ts";
import { escapeText } from "../expression/expression-printer.ts";
import { after, controlActivity, datasetRef, executionActivity, expression } from "./activities.ts";
import {
  CONTROL_DATASET,
  entityPipeline,
  LINKED_SERVICE,
  landingDataset,
  sourceDataset,
} from "./artifact-names.ts";
import type { ResolvedOptions } from "./factory-options.ts";
import { SEAL_NOTEBOOK } from "./seal-batch-notebook.ts";
import { jsonPath, type ResolvedSourceApi } from "./source-api.ts";
import { lookback, selectedSources, sourceQueries } from "./source-queries.ts";
import type { ActivityBody, PipelineBody } from "./wire-types.ts";

/** Timestamps handed between activities and to SQL: fixed width, UTC, so they also sort as text. */
const ISO = "yyyy-MM-ddTHH:mm:ss.fffffffZ";
const EPOCH = "1900-01-01T00:00:00.0000000Z";

export const ACTIVITY = {
  beginRun: "Begin run",
  highMark: "Lookup new high mark",
  readCredential: "Read API credential",
  copy: "Copy window to landing",
  seal: "Seal landing batch",
  completeRun: "Advance watermark and close run",
  failRun: "Record failed run",
  fail: "Fail",
} as const;

/** Batch id per the landing contract (`YYYYMMDDTHHMMSSmmmZ-<8 hex>`), stable across retries of one run. */
const BATCH_ID =
  "concat(formatDateTime(pipeline().TriggerTime, 'yyyyMMddTHHmmssfff'), 'Z-', substring(toLower(replace(pipeline().RunId, '-', '')), 0, 8))";
const INGEST_DATE = "formatDateTime(pipeline().TriggerTime, 'yyyy-MM-dd')";
const FILE_DROP_BATCH_ID = "last(split(pipeline().parameters.batch_folder, 'batch='))";
const FULL_REFRESH = "if(pipeline().parameters.full_refresh, 'true', 'false')";

/** Low end of the window: the stored watermark, or the beginning of time on a full refresh. */
const WINDOW_LOW = `if(pipeline().parameters.full_refresh, '${EPOCH}', formatDateTime(activity('${ACTIVITY.beginRun}').output.firstRow.old_watermark, '${ISO}'))`;
/** High end: the source's newest change at or before the window end; the old mark when nothing is new. */
const WINDOW_HIGH = `formatDateTime(coalesce(activity('${ACTIVITY.highMark}').output.firstRow.high_mark, activity('${ACTIVITY.beginRun}').output.firstRow.old_watermark), '${ISO}')`;
/** The trigger's window end, or now for a manual run. formatDateTime rejects anything but a time. */
const WINDOW_END = `formatDateTime(if(empty(pipeline().parameters.window_end), utcNow(), pipeline().parameters.window_end), '${ISO}')`;

const sp = (value: string, type: "String" | "Int64" = "String") => ({ value, type });

function watermarkColumn(entity: Entity): string {
  if (entity.watermark.kind !== "column") throw new Error("not a column watermark");
  const name = entity.watermark.column;
  const column = entity.columns.find((c) => c.name === name);
  if (!column || column.composedFrom)
    throw new AdfError(
      "INVALID_OPTIONS",
      `${entity.name}: watermark column ${name} is not read from one source column`,
      "The watermark column must be a plain source column so the source query can filter on it.",
    );
  // The control database keeps watermarks as ISO 8601 text, compared as text.
  if (column.type.kind !== "date" && column.type.kind !== "timestamp")
    throw new AdfError(
      "INVALID_OPTIONS",
      `${entity.name}: watermark column ${name} is ${column.type.kind}; Data Factory pipelines read windows of a date or timestamp column`,
      'Give the entity a timestamp watermark (a change time such as updated_at), or watermark: "batch" for file drops; the local sources read numeric watermarks.',
    );
  return column.source;
}

/** The copy's lower bound as a Data Factory value, for the manifest's window (as ingest writes it). */
function windowStartValue(entity: Entity): string {
  const back = lookback(entity);
  return back.unit === "day"
    ? `@addDays(${WINDOW_LOW}, -${back.amount}, '${ISO}')`
    : `@addSeconds(${WINDOW_LOW}, -${back.amount}, '${ISO}')`;
}

/**
 * The Databricks notebooks of the plan (bronze → silver → dimensions in parallel → fact →
 * aggregates), with the contract's widgets. Returns the activities and the names of the last ones.
 */
function notebookSteps(
  entity: Entity,
  star: Star | undefined,
  first: string[],
  params: { batchId: string; windowLow: string; windowHigh: string },
  o: ResolvedOptions,
): { activities: ActivityBody[]; leaves: string[] } {
  const plan = buildPlan(entity, star);
  const dependedOn = new Set(plan.steps.flatMap((s) => s.dependsOn));
  const activities = plan.steps.map((step) =>
    executionActivity<Adf.DatabricksNotebookActivity>(
      "DatabricksNotebook",
      step.id,
      {
        notebookPath: `${o.databricks.notebookRoot}/${entity.name}/${step.id}`,
        baseParameters: {
          run_id: "@pipeline().RunId",
          batch_id: `@${params.batchId}`,
          window_low: params.windowLow,
          window_high: params.windowHigh,
          catalog: o.databricks.catalog,
          lake_root: o.lakeRoot,
          full_refresh: `@${FULL_REFRESH}`,
        },
      },
      {
        description: `${entity.name}: plan step ${step.id} (${step.kind}).`,
        dependsOn: after(...(step.dependsOn.length > 0 ? step.dependsOn : first)),
        linkedService: LINKED_SERVICE.databricks,
        timeout: "0.02:00:00",
      },
      o,
    ),
  );
  return { activities, leaves: plan.steps.filter((s) => !dependedOn.has(s.id)).map((s) => s.id) };
}

/** Begin the ledger entry and read the stored watermark, in one idempotent procedure call. */
function beginRun(entity: Entity, windowStart: string, windowEnd: string, o: ResolvedOptions): ActivityBody {
  return executionActivity<Adf.LookupActivity>(
    "Lookup",
    ACTIVITY.beginRun,
    {
      source: {
        type: "AzureSqlSource",
        sqlReaderStoredProcedureName: "[saleslake].[begin_run]",
        storedProcedureParameters: {
          run_id: sp("@pipeline().RunId"),
          entity: sp(entity.name),
          pipeline_name: sp("@pipeline().Pipeline"),
          trigger_name: sp("@pipeline().TriggerName"),
          window_start: sp(windowStart),
          window_end: sp(windowEnd),
        },
      } as Adf.AzureSqlSource,
      dataset: datasetRef(CONTROL_DATASET),
      firstRowOnly: true,
    },
    {
      description: "Opens the run in the ledger (once per run id) and returns the stored watermark.",
      timeout: "0.00:10:00",
    },
    o,
  );
}

function closeAndFailPath(
  entity: Entity,
  leaves: string[],
  newWatermark: string,
  rowsLanded: string,
  stepIds: readonly string[],
  o: ResolvedOptions,
): ActivityBody[] {
  const stepCounts = `@concat('[', ${stepIds.map((id) => `activity('${id}').output.runOutput`).join(", ',', ")}, ']')`;
  return [
    executionActivity<Adf.SqlServerStoredProcedureActivity>(
      "SqlServerStoredProcedure",
      ACTIVITY.completeRun,
      {
        storedProcedureName: "[saleslake].[complete_run]",
        storedProcedureParameters: {
          run_id: sp("@pipeline().RunId"),
          entity: sp(entity.name),
          new_watermark: sp(newWatermark),
          rows_landed: sp(rowsLanded, "Int64"),
          step_counts: sp(stepCounts),
        },
      },
      {
        description:
          "Only after every notebook succeeded: advances the watermark and closes the run, in one transaction.",
        dependsOn: after(...leaves),
        linkedService: LINKED_SERVICE.controlSql,
        timeout: "0.00:10:00",
      },
      o,
    ),
    executionActivity<Adf.SqlServerStoredProcedureActivity>(
      "SqlServerStoredProcedure",
      ACTIVITY.failRun,
      {
        storedProcedureName: "[saleslake].[fail_run]",
        storedProcedureParameters: {
          run_id: sp("@pipeline().RunId"),
          entity: sp(entity.name),
          error: sp(
            `@concat('${entity.name} run ', pipeline().RunId, ' failed or was cut short before the watermark advanced; see its activity runs')`,
          ),
        },
      },
      {
        description:
          "Failure path: something upstream failed (so the close was skipped) or the close failed. The watermark stays.",
        dependsOn: after([ACTIVITY.completeRun, ["Failed", "Skipped"]]),
        linkedService: LINKED_SERVICE.controlSql,
        timeout: "0.00:10:00",
      },
      o,
    ),
    controlActivity<Adf.FailActivity>(
      "Fail",
      ACTIVITY.fail,
      "Ends the run as failed once it is recorded (or recording failed too).",
      after([ACTIVITY.failRun, ["Succeeded", "Failed"]]),
      {
        message: expression(
          `@concat('saleslake ${entity.name} run ', pipeline().RunId, ' failed; the watermark was not advanced')`,
        ),
        errorCode: "SALESLAKE_RUN_FAILED",
      },
    ),
  ];
}

/** What differs between a window copied from a table and one copied from an API. */
interface WindowCopy {
  /** The pipeline's description. */
  readonly description: string;
  /** Activities between `Begin run` and the copy: the high-mark Lookup, or reading the API's credential. */
  readonly before: readonly ActivityBody[];
  readonly source: Adf.CopySourceUnion;
  readonly translator: unknown;
  readonly copyDescription: string;
  readonly input: Adf.DatasetReference;
  /** Keep the copy's input (a credential header) out of the run's logs. */
  readonly secureInput: boolean;
  /** The new watermark, a Data Factory value. */
  readonly windowHigh: string;
  /** The source as the manifest names it. */
  readonly sourceName: string;
}

/**
 * A column-watermark entity: begin run + what the copy needs first → copy the window to a
 * landing batch → seal it with its manifest → notebooks → ONLY THEN advance the watermark and
 * close the run. Any failure is recorded, then fails the run.
 */
function windowPipeline(
  entity: Entity,
  star: Star | undefined,
  w: WindowCopy,
  o: ResolvedOptions,
): PipelineBody {
  if (entity.watermark.kind !== "column") throw new Error("not a column watermark");
  const landing = { entity: entity.name, ingest_date: `@${INGEST_DATE}`, batch_id: `@${BATCH_ID}` };
  const copy = executionActivity<Adf.CopyActivity>(
    "Copy",
    ACTIVITY.copy,
    {
      source: w.source,
      sink: {
        type: "JsonSink",
        storeSettings: { type: "AzureBlobFSWriteSettings" },
        formatSettings: { type: "JsonWriteSettings", filePattern: "setOfObjects" },
      } as Adf.JsonSink,
      translator: w.translator,
      enableStaging: false,
    },
    {
      description: w.copyDescription,
      dependsOn: after(ACTIVITY.beginRun, ...w.before.map((a) => a.name)),
      inputs: [w.input],
      outputs: [datasetRef(landingDataset(entity.name, "jsonl"), landing)],
      timeout: "0.02:00:00",
      ...(w.secureInput && { secureInput: true }),
    },
    o,
  );
  const seal = executionActivity<Adf.DatabricksNotebookActivity>(
    "DatabricksNotebook",
    ACTIVITY.seal,
    {
      notebookPath: `${o.databricks.notebookRoot}/${SEAL_NOTEBOOK}`,
      baseParameters: {
        lake_root: o.lakeRoot,
        entity: entity.name,
        ingest_date: `@${INGEST_DATE}`,
        batch_id: `@${BATCH_ID}`,
        window_column: entity.watermark.column,
        // What the copy read from: the old watermark less the lookback.
        window_low: windowStartValue(entity),
        window_high: w.windowHigh,
        rows_copied: `@string(activity('${ACTIVITY.copy}').output.rowsCopied)`,
        source_name: w.sourceName,
        schema_fingerprint: schemaFingerprint(entity),
        // The columns Copy selects: a key its JSON sink leaves out of every row is NULL, not missing.
        columns: JSON.stringify(selectedSources(entity)),
      },
    },
    {
      description:
        "Writes the batch's _manifest.json last (sizes, hashes, window), so readers see the batch whole or not at all.",
      dependsOn: after(ACTIVITY.copy),
      linkedService: LINKED_SERVICE.databricks,
      timeout: "0.00:30:00",
    },
    o,
  );
  const steps = notebookSteps(
    entity,
    star,
    [ACTIVITY.seal],
    { batchId: BATCH_ID, windowLow: `@${WINDOW_LOW}`, windowHigh: w.windowHigh },
    o,
  );
  return {
    name: entityPipeline(entity.name),
    properties: {
      description: w.description,
      parameters: {
        window_start: { type: "String", defaultValue: "" },
        window_end: { type: "String", defaultValue: "" },
        full_refresh: { type: "Bool", defaultValue: false },
      },
      annotations: ["saleslake"],
      folder: { name: "saleslake" },
      activities: [
        beginRun(entity, "@pipeline().parameters.window_start", "@pipeline().parameters.window_end", o),
        ...w.before,
        copy,
        seal,
        ...steps.activities,
        ...closeAndFailPath(
          entity,
          steps.leaves,
          w.windowHigh,
          `@activity('${ACTIVITY.copy}').output.rowsCopied`,
          steps.activities.map((a) => a.name),
          o,
        ),
      ],
    },
  };
}

/**
 * A column-watermark entity read from a table: the new high mark is the newest change at or
 * before the window end, and the copy reads (old − lookback, high].
 */
function watermarkPipeline(entity: Entity, star: Star | undefined, o: ResolvedOptions): PipelineBody {
  if (entity.watermark.kind !== "column") throw new Error("not a column watermark");
  watermarkColumn(entity);
  const t = o.sourceTable(entity);
  const queries = sourceQueries(entity, t);
  const mapping = adfColumnMapping(entity);
  const highMark = executionActivity<Adf.LookupActivity>(
    "Lookup",
    ACTIVITY.highMark,
    {
      source: {
        type: queries.sourceType,
        [queries.queryProperty]: expression(queries.highMark(`@{${WINDOW_END}}`)),
        queryTimeout: "00:10:00",
      } as Adf.AzureSqlSource | Adf.AzurePostgreSqlSource,
      dataset: datasetRef(sourceDataset(entity.name)),
      firstRowOnly: true,
    },
    {
      description: "The newest change at or before the window end: the watermark this run advances to.",
      timeout: "0.00:10:00",
    },
    o,
  );
  return windowPipeline(
    entity,
    star,
    {
      description: `saleslake: incremental load of ${entity.name} by its ${entity.watermark.column} watermark. Generated; regenerate instead of editing.`,
      before: [highMark],
      source: {
        type: queries.sourceType,
        [queries.queryProperty]: expression(queries.window(`@{${WINDOW_LOW}}`, `@{${WINDOW_HIGH}}`)),
        queryTimeout: "02:00:00",
      } as Adf.AzureSqlSource | Adf.AzurePostgreSqlSource,
      // Landing keeps source names (the landing contract); bronze maps them to the schema's names.
      translator: {
        ...mapping,
        mappings: mapping.mappings.map((m) => ({ source: m.source, sink: { name: m.source.name } })),
      },
      copyDescription: `Copies (${queries.startDescription}, new high mark] of ${t.schema}.${t.table} to a landing batch as JSON Lines.`,
      input: datasetRef(sourceDataset(entity.name)),
      secureInput: false,
      windowHigh: `@${WINDOW_HIGH}`,
      sourceName: `${t.server}/${t.database}.${t.schema}.${t.table}`,
    },
    o,
  );
}

/**
 * A file-drop entity (watermark `batch`): started by the storage event of a batch's manifest,
 * no source copy; the notebooks process that batch, then the batch id becomes the watermark.
 */
function fileDropPipeline(entity: Entity, star: Star | undefined, o: ResolvedOptions): PipelineBody {
  const steps = notebookSteps(
    entity,
    star,
    [ACTIVITY.beginRun],
    { batchId: FILE_DROP_BATCH_ID, windowLow: "", windowHigh: "" },
    o,
  );
  return {
    name: entityPipeline(entity.name),
    properties: {
      description: `saleslake: load of ${entity.name} file drops, one landed batch per run. Generated; regenerate instead of editing.`,
      parameters: {
        batch_folder: { type: "String", defaultValue: "" },
        full_refresh: { type: "Bool", defaultValue: false },
      },
      annotations: ["saleslake"],
      folder: { name: "saleslake" },
      activities: [
        beginRun(entity, "", "", o),
        ...steps.activities,
        ...closeAndFailPath(
          entity,
          steps.leaves,
          `@${FILE_DROP_BATCH_ID}`,
          "0",
          steps.activities.map((a) => a.name),
          o,
        ),
      ],
    },
  };
}

/** Times as APIs take them in a query: UTC to the millisecond, as `saleslake ingest` sends them. */
const API_TIME = "yyyy-MM-ddTHH:mm:ss.fffZ";
/** The window end of an API's run: the trigger's, or the run's start for a manual run (one value for every activity). */
const API_WINDOW_END =
  "if(empty(pipeline().parameters.window_end), pipeline().TriggerTime, pipeline().parameters.window_end)";

/** `$.a.b`: a response field as pagination rules name it (field names are checked plain). */
const dotted = (parts: readonly string[]) => ["$", ...parts].join(".");

/**
 * A column-watermark entity read from a paginated JSON API: begin run (and read the API's
 * credential from Key Vault, output kept out of the run's logs) → copy the window from the old
 * watermark less the lookback to the window end, page by page, to a landing batch → seal → the
 * notebooks → only then advance the watermark to the window end and close the run. The API
 * filters by the low mark (and the window end when it takes one); records it returns at or
 * below the low mark, or changed during the copy, land too, and the merge keeps each key's newest.
 */
function apiPipeline(
  entity: Entity,
  star: Star | undefined,
  api: ResolvedSourceApi,
  o: ResolvedOptions,
): PipelineBody {
  watermarkColumn(entity);
  const back = lookback(entity);
  const low = `${back.unit === "day" ? "addDays" : "addSeconds"}(${WINDOW_LOW}, -${back.amount}, '${API_TIME}')`;
  const high = `formatDateTime(${API_WINDOW_END}, '${API_TIME}')`;
  const query = [
    ...(api.query === "" ? [] : [escapeText(api.query, false)]),
    `${api.lowParam}=@{uriComponent(${low})}`,
    ...(api.highParam === undefined ? [] : [`${api.highParam}=@{uriComponent(${high})}`]),
    ...(api.pageSizeParam === null ? [] : [`${api.pageSizeParam}=${api.pageSize}`]),
    // The first page's number, when later ones come from the response.
    ...(api.pagination.kind === "page" && api.pagination.nextPath !== undefined
      ? [`${api.pagination.param}=${api.pagination.first}`]
      : []),
  ].join("&");
  const relativeUrl = `${escapeText(api.path, false)}?${query}`;
  // The next page or cursor from the response until it is empty; else numbered pages until one is empty.
  const p = api.pagination;
  const next = p.nextPath;
  const paginationRules =
    next !== undefined
      ? { [`QueryParameters.${p.param}`]: dotted(next), [`EndCondition:${dotted(next)}`]: "Empty" }
      : {
          [`QueryParameters.${p.param}`]: `RANGE:${p.kind === "page" ? p.first : 0}::1`,
          [`EndCondition:${dotted(api.recordsPath)}`]: "Empty",
        };
  const records = api.recordsPath.length === 0 ? undefined : jsonPath(api.recordsPath);
  const readSecret =
    api.auth &&
    executionActivity<Adf.WebActivity>(
      "WebActivity",
      ACTIVITY.readCredential,
      {
        method: "GET",
        url: `https://${api.auth.keyVault}.vault.azure.net/secrets/${api.auth.secret}?api-version=7.4`,
        authentication: { type: "MSI", resource: "https://vault.azure.net" },
      },
      {
        description: `Reads the API's credential, secret ${api.auth.secret} of Key Vault ${api.auth.keyVault}, as the factory's managed identity; its output stays out of the run's logs.`,
        timeout: "0.00:05:00",
        secureOutput: true,
      },
      o,
    );
  return windowPipeline(
    entity,
    star,
    {
      description: `saleslake: incremental load of ${entity.name} from ${api.sourceName} by its ${entity.watermark.kind === "column" ? entity.watermark.column : ""} watermark. Generated; regenerate instead of editing.`,
      before: readSecret ? [readSecret] : [],
      source: {
        type: "RestSource",
        httpRequestTimeout: "00:01:40",
        paginationRules,
        ...(api.auth && {
          additionalHeaders: {
            [api.auth.header]: `${api.auth.prefix}@{activity('${ACTIVITY.readCredential}').output.value}`,
          },
        }),
      } as Adf.RestSource,
      // Each record's fields as the API names them (the landing contract); bronze maps them.
      translator: {
        type: "TabularTranslator",
        ...(records !== undefined && { collectionReference: records }),
        mappings: selectedSources(entity).map((s) => ({
          source: { path: records === undefined ? jsonPath([s]) : jsonPath([s]).slice(1) },
          sink: { name: s },
        })),
      },
      copyDescription: `Copies the window (${back.description}, window end] of ${api.sourceName} to a landing batch as JSON Lines, page by page.`,
      input: datasetRef(sourceDataset(entity.name), { relative_url: expression(relativeUrl) }),
      secureInput: readSecret !== undefined,
      windowHigh: `@formatDateTime(${API_WINDOW_END}, '${ISO}')`,
      sourceName: api.sourceName,
    },
    o,
  );
}

/**
 * The pipeline of one entity: watermark window copy for column watermarks, from a table or an
 * API; event-driven for file drops.
 */
export function entityPipelineBody(entity: Entity, star: Star | undefined, o: ResolvedOptions): PipelineBody {
  if (entity.watermark.kind !== "column") return fileDropPipeline(entity, star, o);
  const api = o.sourceApi(entity);
  return api ? apiPipeline(entity, star, api, o) : watermarkPipeline(entity, star, o);
}
