import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AdfError } from "../src/errors.ts";
import type { FactoryArtifacts } from "../src/lint/factory-artifacts.ts";
import { lintFactory } from "../src/lint/lint-factory.ts";
import { formatFinding } from "../src/lint/lint-finding.ts";
import { lintAdfFolder } from "../src/lint/lint-folder.ts";

const FIXTURE = join(import.meta.dirname, "fixtures/hand-edited-factory");
const read = (rel: string) => JSON.parse(readFileSync(join(FIXTURE, rel), "utf8"));

// biome-ignore lint/suspicious/noExplicitAny: tests edit the JSON freely, like a person in an editor.
type Doc = any;
function fixture(): { ls: Doc[]; ds: Doc[]; pl: Doc; tr: Doc; factory: () => FactoryArtifacts } {
  const ls = [read("linkedService/ls_sql.json"), read("linkedService/ls_lake.json")];
  const ds = [read("dataset/ds_source.json"), read("dataset/ds_landing.json")];
  const pl = read("pipeline/pl_sales.json");
  const tr = read("trigger/tr_hourly.json");
  return {
    ls,
    ds,
    pl,
    tr,
    factory: () => ({ linkedServices: ls, datasets: ds, pipelines: [pl], triggers: [tr] }),
  };
}
const activity = (pl: Doc, name: string): Doc => pl.properties.activities.find((a: Doc) => a.name === name);
const brief = (f: FactoryArtifacts) =>
  lintFactory(f).map((x) => ({
    rule: x.rule,
    artifact: x.artifact,
    activity: x.activity,
    expression: x.expression,
    message: x.message,
  }));

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("lintFactory", () => {
  it("finds nothing wrong in the hand-written reference factory", () => {
    expect(lintFactory(fixture().factory())).toEqual([]);
  });

  it("names the pipeline, activity and expression of a syntax error", () => {
    const f = fixture();
    activity(f.pl, "Copy window").typeProperties.source.sqlReaderQuery =
      "select * from t where updated_at > '@{activity('Lookup old watermark').output.firstRow.watermark_value'";
    const [finding, ...rest] = lintFactory(f.factory());
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: "expression-syntax",
      artifactType: "pipeline",
      artifact: "pl_sales",
      activity: "Copy window",
      path: "properties.activities[3].typeProperties.source.sqlReaderQuery",
    });
    expect(finding!.message).toBe(`expected '}' to close '@{' but found "'" at column 103`);
    expect(formatFinding(finding!)).toBe(
      `error expression-syntax: pipeline pl_sales, activity "Copy window": expected '}' to close '@{' but found "'" at column 103 in ${JSON.stringify(finding!.expression)}`,
    );
  });

  it("reports an activity that does not exist, and one that is not upstream", () => {
    const f = fixture();
    const copy = activity(f.pl, "Copy window");
    copy.typeProperties.source.sqlReaderQuery =
      "@concat(activity('Lookup old wm').output.firstRow.v, activity('For each file').output)";
    expect(brief(f.factory())).toEqual([
      {
        rule: "unknown-activity",
        artifact: "pl_sales",
        activity: "Copy window",
        expression: copy.typeProperties.source.sqlReaderQuery,
        message: 'activity "Lookup old wm" does not exist in this pipeline',
      },
      {
        rule: "activity-not-upstream",
        artifact: "pl_sales",
        activity: "Copy window",
        expression: copy.typeProperties.source.sqlReaderQuery,
        message:
          'activity "For each file" is not upstream of "Copy window": add it to dependsOn (directly or through another activity), or its output may not exist yet',
      },
    ]);
  });

  it("reports the removed dependency that made a lookup no longer upstream (the original project's race)", () => {
    const f = fixture();
    activity(f.pl, "Copy window").dependsOn = [
      { activity: "Set batch", dependencyConditions: ["Succeeded"] },
    ];
    expect(brief(f.factory()).map((x) => [x.rule, x.activity, x.message])).toEqual([
      [
        "activity-not-upstream",
        "Copy window",
        'activity "Lookup old watermark" is not upstream of "Copy window": add it to dependsOn (directly or through another activity), or its output may not exist yet',
      ],
    ]);
  });

  it("checks the output shape of a Lookup: firstRow vs value", () => {
    const f = fixture();
    const copy = activity(f.pl, "Copy window");
    copy.typeProperties.source.sqlReaderQuery =
      "@string(activity('Lookup old watermark').output.value[0].watermark_value)";
    expect(brief(f.factory()).map((x) => [x.rule, x.message])).toEqual([
      [
        "activity-output-shape",
        'Lookup "Lookup old watermark" reads the first row only (firstRowOnly is true): use output.firstRow, not output.value',
      ],
    ]);
    activity(f.pl, "Lookup old watermark").typeProperties.firstRowOnly = false;
    expect(brief(f.factory())).toEqual([]);
    copy.typeProperties.source.sqlReaderQuery =
      "@activity('Lookup old watermark').output.firstRow.watermark_value";
    expect(brief(f.factory()).map((x) => [x.rule, x.message])).toEqual([
      [
        "activity-output-shape",
        'Lookup "Lookup old watermark" returns every row (firstRowOnly is false): use output.value or output.count, not output.firstRow',
      ],
    ]);
  });

  it("reports undeclared parameters and variables, and wrong-context functions", () => {
    const f = fixture();
    activity(f.pl, "Set batch").typeProperties.value =
      "@concat(pipeline().parameters.tabel, variables('batchId'), item(), dataset().x)";
    activity(f.pl, "Set batch").typeProperties.variableName = "batchId";
    expect(brief(f.factory()).map((x) => [x.rule, x.message])).toEqual([
      ["unknown-parameter", 'parameter "tabel" is not declared by the pipeline (declared: table)'],
      ["unknown-variable", 'variable "batchId" is not declared by the pipeline (declared: batch, files)'],
      ["context-function", "item() is only available inside a ForEach"],
      ["context-function", "dataset() is only available inside a dataset"],
      ["unknown-variable", 'sets variable "batchId", which the pipeline does not declare'],
    ]);
  });

  it("reports unknown functions, wrong arity and unknown system variables", () => {
    const f = fixture();
    activity(f.pl, "Set batch").typeProperties.value =
      "@concat(formatDateTme(utcNow()), addHours(utcNow()), pipeline().RunID, pipeline().runGroup)";
    expect(brief(f.factory()).map((x) => [x.rule, x.message])).toEqual([
      ["unknown-function", "formatDateTme() is not a Data Factory function"],
      ["function-arity", "addHours() takes 2 to 3 arguments, not 1"],
      ["unknown-system-variable", "pipeline().runGroup is not a system variable"],
    ]);
  });

  it("resolves dataset, linked service and pipeline references with their parameters", () => {
    const f = fixture();
    const copy = activity(f.pl, "Copy window");
    copy.outputs[0].referenceName = "ds_landng";
    copy.inputs[0].parameters = { tabel: "x" };
    f.ds[1].properties.linkedServiceName.referenceName = "ls_datalake";
    f.tr.properties.pipeline.parameters = { table: "x", extra: "y" };
    expect(brief(f.factory()).map((x) => [x.rule, x.artifact, x.activity, x.message])).toEqual([
      [
        "unknown-linked-service",
        "ds_landing",
        undefined,
        'references linkedService "ls_datalake", which the factory does not have',
      ],
      [
        "unknown-parameter",
        "pl_sales",
        "Copy window",
        'passes parameter "tabel" to dataset ds_source, which does not declare it (declared: table)',
      ],
      [
        "missing-parameter",
        "pl_sales",
        "Copy window",
        'does not pass required parameter "table" of dataset ds_source',
      ],
      [
        "unknown-dataset",
        "pl_sales",
        "Copy window",
        'references dataset "ds_landng", which the factory does not have',
      ],
      [
        "unknown-parameter",
        "tr_hourly",
        undefined,
        'passes parameter "extra" to pipeline pl_sales, which does not declare it (declared: table)',
      ],
    ]);
  });

  it("reports cycles, unknown dependencies and duplicate names, inside containers too", () => {
    const f = fixture();
    activity(f.pl, "Lookup old watermark").dependsOn = [
      { activity: "Copy window", dependencyConditions: ["Succeeded"] },
    ];
    const inner = activity(f.pl, "For each file").typeProperties.activities;
    inner.push({
      name: "Second",
      type: "Wait",
      dependsOn: [{ activity: "Third", dependencyConditions: ["Succeeded"] }],
      typeProperties: { waitTimeInSeconds: 1 },
    });
    inner.push({
      name: "Third",
      type: "Wait",
      dependsOn: [
        { activity: "Second", dependencyConditions: ["Succeeded"] },
        { activity: "Copy window", dependencyConditions: ["Succeeded"] },
      ],
      typeProperties: { waitTimeInSeconds: 1 },
    });
    inner.push({ name: "Set batch", type: "Wait", typeProperties: { waitTimeInSeconds: 1 } });
    f.ds.push(structuredClone(f.ds[0]));
    expect(brief(f.factory()).map((x) => [x.rule, x.artifact, x.activity, x.message])).toEqual([
      [
        "duplicate-name",
        "ds_source",
        undefined,
        'another dataset is named "ds_source" (names are case-insensitive)',
      ],
      ["duplicate-name", "pl_sales", "Set batch", 'two activities are named "Set batch" in this pipeline'],
      [
        "unknown-dependency",
        "pl_sales",
        "Third",
        'depends on "Copy window", which is not an activity of the same container (For each file)',
      ],
      [
        "cycle",
        "pl_sales",
        "Second",
        'activities depend on each other in a cycle: "Second" → "Third" → "Second"',
      ],
      [
        "cycle",
        "pl_sales",
        "Lookup old watermark",
        'activities depend on each other in a cycle: "Lookup old watermark" → "Copy window" → "Lookup old watermark"',
      ],
    ]);
  });

  it("checks trigger outputs against the trigger type", () => {
    const f = fixture();
    f.tr.properties.type = "BlobEventsTrigger";
    expect(brief(f.factory()).map((x) => [x.rule, x.artifact, x.message])).toEqual([
      [
        "unknown-system-variable",
        "tr_hourly",
        "trigger().outputs.windowStartTime is not available in a BlobEventsTrigger (available: body)",
      ],
    ]);
  });
});

describe("lintAdfFolder", () => {
  it("reads the git layout, names the file, and reports invalid JSON with its line", () => {
    const dir = mkdtempSync(join(tmpdir(), "adf-lint-"));
    dirs.push(dir);
    cpSync(FIXTURE, dir, { recursive: true });
    const clean = lintAdfFolder(dir);
    expect(clean).toMatchObject({
      errors: 0,
      warnings: 0,
      counts: { linkedService: 2, dataset: 2, pipeline: 1, trigger: 1 },
    });
    const file = join(dir, "pipeline/pl_sales.json");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace('"variableName": "batch"', '"variableName": "batch",'),
    );
    writeFileSync(
      join(dir, "dataset/ds_landing.json"),
      readFileSync(join(dir, "dataset/ds_landing.json"), "utf8").replace(
        "dataset().batch",
        "dataset().batchId",
      ),
    );
    const broken = lintAdfFolder(dir);
    // The pipeline that failed to parse is missing, so the trigger's reference no longer resolves.
    expect(broken.errors).toBe(3);
    expect(broken.findings.map((f) => [f.rule, f.artifact, f.file?.replace(dir, "")])).toEqual([
      ["invalid-json", "pl_sales", "/pipeline/pl_sales.json"],
      ["unknown-parameter", "ds_landing", "/dataset/ds_landing.json"],
      ["unknown-pipeline", "tr_hourly", "/trigger/tr_hourly.json"],
    ]);
    expect(broken.findings[0]).toMatchObject({
      row: 65,
      message: expect.stringMatching(/^not valid JSON: Expected double-quoted property name/),
    });
    expect(formatFinding(broken.findings[0]!)).toMatch(/pl_sales\.json:65\)$/);
  });

  it("refuses a folder that is not a factory", () => {
    const dir = mkdtempSync(join(tmpdir(), "adf-lint-"));
    dirs.push(dir);
    expect(() => lintAdfFolder(dir)).toThrow(AdfError);
    try {
      lintAdfFolder(dir);
    } catch (e) {
      expect((e as AdfError).code).toBe("INVALID_OPTIONS");
      expect((e as AdfError).hint).toMatch(/linkedService/);
    }
  });
});
