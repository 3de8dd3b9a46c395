import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineEntity, salesOrderLines, t } from "@saleslake/schema";
import { describe, expect, it } from "vitest";
import { AdfError } from "../src/errors.ts";
import { parseAdfValue } from "../src/expression/expression-parser.ts";
import { printExpression } from "../src/expression/expression-printer.ts";
import { armTemplate } from "../src/generate/arm-template.ts";
import { EXAMPLE_FACTORY_NAME, EXAMPLE_FACTORY_OPTIONS } from "../src/generate/example-options.ts";
import { generateFactory } from "../src/generate/generate-factory.ts";
import { generatedFiles, writeGeneratedFactory } from "../src/generate/write-generated.ts";
import { lintFactory } from "../src/lint/lint-factory.ts";
import { lintAdfFolder } from "../src/lint/lint-folder.ts";
import { LOGIN_SOURCES } from "./fixtures/login-sources.ts";

// Whole-text goldens. Regenerate deliberately with `pnpm --filter @saleslake/adf-templates test -u` and review the diff.
const factory = generateFactory(EXAMPLE_FACTORY_OPTIONS);
const files = generatedFiles(factory, EXAMPLE_FACTORY_NAME);

describe("generated factory", () => {
  it.each([...files.keys()])("matches the golden %s", async (path) => {
    await expect(files.get(path)).toMatchFileSnapshot(`__golden__/adf/${path}`);
  });

  it("writes the expected set of files", () => {
    expect([...files.keys()].sort()).toMatchInlineSnapshot(`
      [
        "arm-template.json",
        "control-db/control-db.sql",
        "control-db/grant-factory.sql",
        "dataset/ds_car_sales_landing_csv.json",
        "dataset/ds_car_sales_landing_parquet.json",
        "dataset/ds_control.json",
        "dataset/ds_customers_landing_csv.json",
        "dataset/ds_customers_landing_jsonl.json",
        "dataset/ds_customers_landing_parquet.json",
        "dataset/ds_customers_source.json",
        "dataset/ds_products_landing_csv.json",
        "dataset/ds_products_landing_jsonl.json",
        "dataset/ds_products_landing_parquet.json",
        "dataset/ds_products_source.json",
        "dataset/ds_sales_order_lines_landing_csv.json",
        "dataset/ds_sales_order_lines_landing_jsonl.json",
        "dataset/ds_sales_order_lines_landing_parquet.json",
        "dataset/ds_sales_order_lines_source.json",
        "linkedService/ls_control_sql.json",
        "linkedService/ls_databricks.json",
        "linkedService/ls_key_vault.json",
        "linkedService/ls_lake.json",
        "linkedService/ls_source_sql.json",
        "notebooks/_landing/seal_batch.py",
        "pipeline/pl_car_sales.json",
        "pipeline/pl_customers.json",
        "pipeline/pl_products.json",
        "pipeline/pl_sales_order_lines.json",
        "pipeline/pl_saleslake_incremental.json",
        "trigger/tr_car_sales_file_drop.json",
        "trigger/tr_saleslake_window.json",
      ]
    `);
  });

  it("passes the linter, in memory and as written to a folder", () => {
    expect(lintFactory(factory.artifacts)).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), "adf-generated-"));
    try {
      writeGeneratedFactory(dir, files);
      expect(lintAdfFolder(dir)).toMatchObject({
        findings: [],
        errors: 0,
        counts: { linkedService: 5, dataset: 15, pipeline: 5, trigger: 2 },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("holds no secret: managed identity everywhere, no keys, tokens, passwords or connection strings", () => {
    const text = [...files.values()].join("\n");
    expect(text).not.toMatch(
      /accountKey|accessToken|password|connectionString|sasToken|servicePrincipalKey|AccountKey=/i,
    );
    for (const ls of factory.artifacts.linkedServices) {
      const tp = ls.properties.typeProperties;
      if (ls.properties.type === "AzureSqlDatabase")
        expect(tp.authenticationType).toBe("SystemAssignedManagedIdentity");
      if (ls.properties.type === "AzureDatabricks")
        expect(tp).toMatchObject({
          authentication: "MSI",
          workspaceResourceId: expect.stringContaining("/workspaces/"),
        });
    }
  });

  it("runs the notebooks on a job cluster that reaches Unity Catalog, or on the cluster named", () => {
    const databricks = (f: typeof factory) =>
      f.artifacts.linkedServices.find((ls) => ls.properties.type === "AzureDatabricks")!.properties
        .typeProperties as Record<string, unknown>;
    expect(databricks(factory)).toMatchObject({
      newClusterVersion: "17.3.x-scala2.13",
      dataSecurityMode: "SINGLE_USER",
    });
    const named = databricks(
      generateFactory({
        ...EXAMPLE_FACTORY_OPTIONS,
        databricks: { ...EXAMPLE_FACTORY_OPTIONS.databricks, existingClusterId: "0101-abc" },
      }),
    );
    expect(named.existingClusterId).toBe("0101-abc");
    expect(Object.keys(named).filter((k) => k.startsWith("newCluster") || k === "dataSecurityMode")).toEqual(
      [],
    );
  });

  it("orders the watermark pipeline: lookups → copy → seal → notebooks → close; failure recorded, then Fail", () => {
    const pl = factory.artifacts.pipelines.find((p) => p.name === "pl_sales_order_lines")!;
    const deps = Object.fromEntries(
      pl.properties.activities.map((a) => [
        a.name,
        (a.dependsOn ?? []).map((d) => `${d.activity}:${d.dependencyConditions.join("|")}`),
      ]),
    );
    expect(deps).toEqual({
      "Begin run": [],
      "Lookup new high mark": [],
      "Copy window to landing": ["Begin run:Succeeded", "Lookup new high mark:Succeeded"],
      "Seal landing batch": ["Copy window to landing:Succeeded"],
      bronze: ["Seal landing batch:Succeeded"],
      silver: ["bronze:Succeeded"],
      dim_customer: ["silver:Succeeded"],
      dim_product: ["silver:Succeeded"],
      dim_channel: ["silver:Succeeded"],
      dim_order_date: ["silver:Succeeded"],
      fact_order_lines: [
        "dim_customer:Succeeded",
        "dim_product:Succeeded",
        "dim_channel:Succeeded",
        "dim_order_date:Succeeded",
      ],
      agg_orders_daily: ["fact_order_lines:Succeeded"],
      "Advance watermark and close run": ["agg_orders_daily:Succeeded"],
      "Record failed run": ["Advance watermark and close run:Failed|Skipped"],
      Fail: ["Record failed run:Succeeded|Failed"],
    });
    for (const a of pl.properties.activities) {
      if (a.type === "Fail") continue;
      expect(a.policy, a.name).toMatchObject({
        retry: 2,
        retryIntervalInSeconds: 60,
        timeout: expect.stringMatching(/^0\.\d\d:\d\d:00$/),
      });
    }
    // The seal declares the columns Copy selects and maps, in the mapping's order.
    const copy = pl.properties.activities.find((a) => a.type === "Copy")!;
    const selected = (
      copy.typeProperties as { translator: { mappings: { source: { name: string } }[] } }
    ).translator.mappings.map((m) => m.source.name);
    const seal = pl.properties.activities.find((a) => a.name === "Seal landing batch")!;
    const declared = JSON.parse((seal.typeProperties.baseParameters as Record<string, string>).columns!);
    expect(declared).toEqual(selected);
    expect(declared).toEqual(expect.arrayContaining(["OrderID", "LineNo", "discount_pct"]));
    const query = JSON.stringify(copy.typeProperties);
    for (const c of declared) expect(query).toContain(`[${c}]`);
    const notebook = pl.properties.activities.find((a) => a.name === "dim_customer")!;
    expect(notebook.typeProperties).toMatchObject({
      notebookPath: "/Workspace/saleslake/sales_order_lines/dim_customer",
      baseParameters: { catalog: "main", lake_root: "abfss://{zone}@saleslakedevlake.dfs.core.windows.net" },
    });
    expect(Object.keys(notebook.typeProperties.baseParameters as object).sort()).toEqual(
      ["batch_id", "catalog", "full_refresh", "lake_root", "run_id", "window_high", "window_low"].sort(),
    );
  });

  it("runs file drops from the storage event of the batch manifest, without a source copy", () => {
    const pl = factory.artifacts.pipelines.find((p) => p.name === "pl_car_sales")!;
    expect(pl.properties.activities.map((a) => a.type)).not.toContain("Copy");
    const tr = factory.artifacts.triggers.find((t) => t.name === "tr_car_sales_file_drop")!;
    expect(tr.properties).toMatchObject({
      type: "BlobEventsTrigger",
      typeProperties: {
        blobPathBeginsWith: "/landing/blobs/car_sales/",
        blobPathEndsWith: "/_manifest.json",
      },
    });
  });

  it("puts each zone in its own container by default, or every zone under one file system", () => {
    const landing = (f: typeof factory) =>
      f.artifacts.datasets.find((d) => d.name === "ds_car_sales_landing_csv")!.properties.typeProperties as {
        location: { fileSystem: string; folderPath: { value: string } };
      };
    expect(landing(factory).location.fileSystem).toBe("landing");
    expect(landing(factory).location.folderPath.value).toMatch(/^@concat\('', dataset\(\)\.entity, /);
    const single = generateFactory({ ...EXAMPLE_FACTORY_OPTIONS, fileSystem: "lake" });
    expect(landing(single).location.fileSystem).toBe("lake");
    expect(landing(single).location.folderPath.value).toMatch(/^@concat\('landing\/', dataset\(\)\.entity, /);
    const trigger = single.artifacts.triggers.find((t) => t.name === "tr_car_sales_file_drop")!;
    expect(trigger.properties.typeProperties).toMatchObject({
      blobPathBeginsWith: "/lake/blobs/landing/car_sales/",
    });
    const notebook = single.artifacts.pipelines
      .flatMap((p) => p.properties.activities)
      .find((a) => a.type === "DatabricksNotebook")!;
    expect(
      (notebook.typeProperties as { baseParameters: { lake_root: string } }).baseParameters.lake_root,
    ).toBe("abfss://lake@saleslakedevlake.dfs.core.windows.net/{zone}");
  });

  it("reads a source table on a server and in a database of its own, through the one source linked service", () => {
    const erp = {
      schema: "sales",
      table: "order_lines",
      server: "erp-sql.database.windows.net",
      database: "erp",
    };
    const own = generateFactory({
      ...EXAMPLE_FACTORY_OPTIONS,
      sourceTables: { [salesOrderLines.name]: erp },
    });
    expect(lintFactory(own.artifacts).filter((f) => f.severity === "error")).toEqual([]);
    const source = own.artifacts.linkedServices.find((l) => l.name === "ls_source_sql")!;
    expect(source.properties.typeProperties).toMatchObject({
      server: "@{linkedService().server}",
      database: "@{linkedService().database}",
    });
    const datasetOf = (entity: string) =>
      own.artifacts.datasets.find((d) => d.name === `ds_${entity}_source`)!.properties.linkedServiceName;
    expect(datasetOf(salesOrderLines.name)).toEqual({
      referenceName: "ls_source_sql",
      type: "LinkedServiceReference",
      parameters: { server: erp.server, database: erp.database },
    });
    // Other entities keep the factory's server and source database.
    expect(datasetOf("customers").parameters).toEqual({
      server: EXAMPLE_FACTORY_OPTIONS.sqlServer,
      database: EXAMPLE_FACTORY_OPTIONS.sourceDatabase,
    });
    // The manifest's source names the table where it is; the control database stays the factory's.
    const seal = own.artifacts.pipelines
      .flatMap((p) => p.properties.activities)
      .find(
        (a) =>
          a.name === "Seal landing batch" && JSON.stringify(a).includes(`"entity":"${salesOrderLines.name}"`),
      )!;
    expect(JSON.stringify(seal)).toContain(
      '"source_name":"erp-sql.database.windows.net/erp.sales.order_lines"',
    );
    expect(
      own.artifacts.linkedServices.find((l) => l.name === "ls_control_sql")!.properties.typeProperties,
    ).toMatchObject({
      server: EXAMPLE_FACTORY_OPTIONS.sqlServer,
    });
    for (const [key, value] of [
      ["server", "erp-sql.database.windows.net/x"],
      ["database", "erp; DROP"],
    ] as const) {
      expect(() =>
        generateFactory({
          ...EXAMPLE_FACTORY_OPTIONS,
          sourceTables: { [salesOrderLines.name]: { ...erp, [key]: value } },
        }),
      ).toThrow(
        expect.objectContaining({
          code: "INVALID_OPTIONS",
          rule: `sourceTables.${salesOrderLines.name}.${key}`,
        }),
      );
    }
  });

  it("reads a source table with a SQL login, its password referenced in Key Vault and never written", () => {
    const erp = LOGIN_SOURCES.sales_order_lines;
    const own = generateFactory({
      ...EXAMPLE_FACTORY_OPTIONS,
      sourceTables: LOGIN_SOURCES,
    });
    expect(lintFactory(own.artifacts).filter((f) => f.severity === "error")).toEqual([]);
    const linked = (name: string) => own.artifacts.linkedServices.find((l) => l.name === name);
    const vault = EXAMPLE_FACTORY_OPTIONS.keyVaultName;
    expect(linked("ls_source_sql_login")!.properties).toMatchObject({
      type: "AzureSqlDatabase",
      parameters: {
        server: { type: "String" },
        database: { type: "String" },
        userName: { type: "String" },
        passwordSecret: { type: "String" },
      },
      typeProperties: {
        server: "@{linkedService().server}",
        database: "@{linkedService().database}",
        authenticationType: "SQL",
        userName: "@{linkedService().userName}",
        encrypt: "mandatory",
        password: {
          type: "AzureKeyVaultSecret",
          store: { referenceName: "ls_key_vault", type: "LinkedServiceReference" },
          secretName: "@{linkedService().passwordSecret}",
        },
      },
    });
    // A password in another vault: that vault's own linked service, and a login service using it.
    expect(linked("ls_key_vault_kv-crm-prod")!.properties.typeProperties).toEqual({
      baseUrl: "https://kv-crm-prod.vault.azure.net/",
    });
    expect(linked("ls_source_sql_login_kv-crm-prod")!.properties.typeProperties).toMatchObject({
      password: { store: { referenceName: "ls_key_vault_kv-crm-prod" } },
    });
    expect(linked("ls_key_vault")!.properties.typeProperties).toEqual({
      baseUrl: `https://${vault}.vault.azure.net/`,
    });
    const datasetOf = (entity: string) =>
      own.artifacts.datasets.find((d) => d.name === `ds_${entity}_source`)!.properties.linkedServiceName;
    // The port goes with the host, as SQL clients take it; 1433 is left out.
    expect(datasetOf(salesOrderLines.name)).toEqual({
      referenceName: "ls_source_sql_login",
      type: "LinkedServiceReference",
      parameters: {
        server: "erp-sql.example.net,14330",
        database: "erp",
        userName: "saleslake_reader",
        passwordSecret: "erp-sql-password",
      },
    });
    expect(datasetOf("customers")).toMatchObject({
      referenceName: "ls_source_sql_login_kv-crm-prod",
      parameters: { server: "crm-sql.database.windows.net", userName: "reader" },
    });
    // The managed identity's linked service stays for the other sources.
    expect(datasetOf("products")).toEqual({
      referenceName: "ls_source_sql",
      type: "LinkedServiceReference",
      parameters: {
        server: EXAMPLE_FACTORY_OPTIONS.sqlServer,
        database: EXAMPLE_FACTORY_OPTIONS.sourceDatabase,
      },
    });
    // No login, no login linked service: the default factory has none.
    expect(factory.artifacts.linkedServices.map((l) => l.name)).not.toContain("ls_source_sql_login");
    for (const [key, value, rule] of [
      ["login", { ...erp.login, passwordSecret: "hunter2 is the password" }, "login.passwordSecret"],
      ["login", { ...erp.login, user: "x'; DROP USER y" }, "login.user"],
      ["login", { ...erp.login, keyVault: "-bad" }, "login.keyVault"],
      ["port", 70000, "port"],
    ] as const) {
      let thrown: unknown;
      try {
        generateFactory({
          ...EXAMPLE_FACTORY_OPTIONS,
          sourceTables: { [salesOrderLines.name]: { ...erp, [key]: value } },
        });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toMatchObject({
        code: "INVALID_OPTIONS",
        rule: `sourceTables.${salesOrderLines.name}.${rule}`,
      });
      // A value that may be a password is not repeated in the error.
      if (rule === "login.passwordSecret") expect(String((thrown as Error).message)).not.toContain("hunter2");
    }
  });

  it("escapes bracketed strings in the ARM template so ARM does not evaluate them", () => {
    const text = JSON.stringify(armTemplate(factory.artifacts));
    expect(text).toContain('"[[saleslake].[begin_run]"');
    expect(text).not.toContain('"[saleslake].[begin_run]"');
  });

  it("keeps a source name holding '@{' as text in the copy's query, not as an expression", () => {
    const odd = defineEntity({
      name: "odd_sources",
      columns: {
        id: t.string().source("id@{pipeline().RunId}"),
        changed_at: t.timestamp().source("@changed at"),
      },
      key: ["id"],
      sequence: "changed_at",
      watermark: { column: "changed_at" },
    });
    const f = generateFactory({ ...EXAMPLE_FACTORY_OPTIONS, entities: [{ entity: odd }] });
    expect(lintFactory(f.artifacts).filter((i) => i.severity === "error")).toEqual([]);
    const copy = f.artifacts.pipelines
      .find((p) => p.name === "pl_odd_sources")!
      .properties.activities.find((a) => a.name === "Copy window to landing")!;
    const query = (copy.typeProperties as { source: { sqlReaderQuery: { value: string } } }).source
      .sqlReaderQuery;
    const parsed = parseAdfValue(query.value);
    if (parsed.kind !== "interpolation") throw new Error(`not an interpolation: ${parsed.kind}`);
    // Data Factory's reading: the window's two marks are the only expressions; the names are text.
    const embedded = parsed.parts.flatMap((p) =>
      p.kind === "embedded" ? [printExpression(p.expression)] : [],
    );
    expect(embedded).toHaveLength(2);
    for (const e of embedded)
      expect(e).toMatch(/^(if\(pipeline\(\)\.parameters\.full_refresh|formatDateTime\()/);
    const text = parsed.parts.map((p) => (p.kind === "text" ? p.text : "<expr>")).join("");
    expect(text).toContain(
      "SELECT [id@{pipeline().RunId}], CONVERT(nvarchar(33), CAST(CAST(SWITCHOFFSET(CAST([@changed at] AS datetimeoffset(7)), '+00:00') AS datetime2(7)) AS datetime2(6)), 126) + N'Z' AS [@changed at] FROM [dbo].[odd_sources] WHERE [@changed at] >",
    );
  });

  it("copies a composed column's parts as stored, maps them to themselves and declares them to the seal", () => {
    const visits = defineEntity({
      name: "visits",
      columns: {
        visit_id: t.string(),
        day: t.date().format("d/M/yyyy").composedFrom(["d", "m", "y"], "/"),
        y: t.int(),
        amount: t.decimal(12, 2),
        changed_at: t.timestamp(),
      },
      key: ["visit_id"],
      watermark: { column: "changed_at" },
    });
    const f = generateFactory({ ...EXAMPLE_FACTORY_OPTIONS, entities: [{ entity: visits }] });
    expect(lintFactory(f.artifacts).filter((i) => i.severity === "error")).toEqual([]);
    const activities = f.artifacts.pipelines.find((p) => p.name === "pl_visits")!.properties.activities;
    const copy = activities.find((a) => a.name === "Copy window to landing")!.typeProperties as {
      source: { sqlReaderQuery: { value: string } };
      translator: { mappings: { source: { name: string }; sink: { name: string } }[] };
    };
    expect(copy.source.sqlReaderQuery.value).toMatch(
      /^SELECT \[visit_id\], \[y\], CONVERT\(nvarchar\(64\), \[amount\]\) AS \[amount\], CONVERT\(nvarchar\(33\), .*\[changed_at\].* AS \[changed_at\], \[d\], \[m\] FROM /,
    );
    expect(copy.translator.mappings.map((m) => `${m.source.name}>${m.sink.name}`)).toEqual([
      "visit_id>visit_id",
      "y>y",
      "amount>amount",
      "changed_at>changed_at",
      "d>d",
      "m>m",
    ]);
    const seal = activities.find((a) => a.name === "Seal landing batch")!.typeProperties as {
      baseParameters: { columns: string };
    };
    expect(JSON.parse(seal.baseParameters.columns)).toEqual([
      "visit_id",
      "y",
      "amount",
      "changed_at",
      "d",
      "m",
    ]);
  });

  it("reads a date watermark's window from a day before the old mark; refuses a numeric watermark", () => {
    const columns = { id: t.bigint(), seq: t.bigint(), day: t.date(), changed_at: t.timestamp() };
    const copyQuery = (watermark: { column: "day" | "changed_at"; lookback?: string }) => {
      const e = defineEntity({ name: "events", columns, key: ["id"], sequence: "seq", watermark });
      const f = generateFactory({ ...EXAMPLE_FACTORY_OPTIONS, entities: [{ entity: e }] });
      expect(lintFactory(f.artifacts).filter((i) => i.severity === "error")).toEqual([]);
      const copy = f.artifacts.pipelines
        .find((p) => p.name === "pl_events")!
        .properties.activities.find((a) => a.name === "Copy window to landing")!;
      return (copy.typeProperties as { source: { sqlReaderQuery: { value: string } } }).source.sqlReaderQuery
        .value;
    };
    // The manifest's window starts where the copy read from, as ingest's manifests do; the high
    // mark is read as the copy compares it.
    const activity = (watermark: { column: "day" | "changed_at"; lookback?: string }, name: string) => {
      const e = defineEntity({ name: "events", columns, key: ["id"], sequence: "seq", watermark });
      const f = generateFactory({ ...EXAMPLE_FACTORY_OPTIONS, entities: [{ entity: e }] });
      return f.artifacts.pipelines
        .find((p) => p.name === "pl_events")!
        .properties.activities.find((a) => a.name === name)!.typeProperties as unknown as Record<
        string,
        unknown
      >;
    };
    const sealLow = (w: { column: "day" | "changed_at"; lookback?: string }) =>
      (activity(w, "Seal landing batch").baseParameters as { window_low: string }).window_low;
    expect(sealLow({ column: "changed_at", lookback: "PT1H" })).toMatch(
      /^@addSeconds\(if\(.*old_watermark.*\), -3600, '[^']+'\)$/,
    );
    expect(sealLow({ column: "day", lookback: "P2DT1H" })).toMatch(
      /^@addDays\(if\(.*old_watermark.*\), -3, '[^']+'\)$/,
    );
    expect(
      (
        activity({ column: "changed_at" }, "Lookup new high mark").source as {
          sqlReaderQuery: { value: string };
        }
      ).sqlReaderQuery.value,
    ).toMatch(/^SELECT CAST\(MAX\(\[changed_at\]\) AS datetime2\(7\)\) AS high_mark /);
    // The old mark's day may have gained rows since: it is read again.
    expect(copyQuery({ column: "day" })).toContain("WHERE [day] > DATEADD(day, -1, CONVERT(datetime2, '@{");
    expect(copyQuery({ column: "day", lookback: "P2DT1H" })).toContain("WHERE [day] > DATEADD(day, -3, ");
    expect(copyQuery({ column: "changed_at", lookback: "PT1H" })).toContain(
      "WHERE [changed_at] > DATEADD(second, -3600, ",
    );
    const bySeq = defineEntity({
      name: "events",
      columns,
      key: ["id"],
      sequence: "seq",
      watermark: { column: "seq", lookback: 10 },
    });
    let error: unknown;
    try {
      generateFactory({ ...EXAMPLE_FACTORY_OPTIONS, entities: [{ entity: bySeq }] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AdfError);
    expect(error).toMatchObject({
      code: "INVALID_OPTIONS",
      message:
        "events: watermark column seq is bigint; Data Factory pipelines read windows of a date or timestamp column",
    });
  });

  it("validates options that end up in names, URLs and SQL", () => {
    const bad = {
      ...EXAMPLE_FACTORY_OPTIONS,
      sourceTables: { [salesOrderLines.name]: { schema: "dbo]; DROP TABLE x; --", table: "t" } },
    };
    expect(() => generateFactory(bad)).toThrow(AdfError);
    try {
      generateFactory({ ...EXAMPLE_FACTORY_OPTIONS, storageAccount: "Not-Valid" });
    } catch (e) {
      expect(e).toMatchObject({
        code: "INVALID_OPTIONS",
        rule: "storageAccount",
        hint: expect.stringContaining("3-24 lowercase"),
      });
    }
  });
});
