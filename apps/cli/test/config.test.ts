import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { factorySourceNotes, projectEntities, projectFactory } from "../src/commands/adf.ts";
import { deployCommand } from "../src/commands/deploy.ts";
import { engineOptions, loadConfig } from "../src/config.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const project = (config?: string) => {
  const d = mkdtempSync(join(tmpdir(), "saleslake-config-"));
  dirs.push(d);
  if (config) writeFileSync(join(d, "saleslake.config.ts"), config);
  return d;
};

describe("engine settings", () => {
  it("come from saleslake.config.ts, the memory limit overridable by the command", async () => {
    const cfg = await loadConfig(
      project('export default { engine: { memoryLimit: "1GB", threads: 2, compressText: true } };\n'),
    );
    expect(engineOptions(cfg)).toEqual({ memoryLimit: "1GB", threads: 2, compressText: true });
    expect(engineOptions(cfg, "512MB")).toEqual({ memoryLimit: "512MB", threads: 2, compressText: true });
  });

  it("are DuckDB's own and the engine's defaults without a config", async () => {
    expect(engineOptions(await loadConfig(project()))).toEqual({});
  });
});

describe("config files", () => {
  it("refuse, naming the file, what would otherwise run the bundled demo entity in the project's place", async () => {
    const cases: [string, RegExp][] = [
      ["export const config = { entities: [] };\n", /saleslake\.config\.ts: no default export$/],
      ["export default { entites: [] };\n", /saleslake\.config\.ts: unknown key entites$/],
      ["export default { entities: [] };\n", /saleslake\.config\.ts: entities is empty$/],
      [
        'import { salesOrderLines } from "@saleslake/schema";\nexport default { entities: [salesOrderLines, salesOrderLines] };\n',
        /saleslake\.config\.ts: entity sales_order_lines is listed more than once$/,
      ],
    ];
    for (const [text, message] of cases) {
      await expect(loadConfig(project(text))).rejects.toMatchObject({
        code: "INVALID_PROJECT_FILE",
        message,
      });
    }
  });
});

describe("entity definitions", () => {
  it("a schema error keeps its code and hint, led by the project file and line that made the definition", async () => {
    const d = project(
      'import { defineEntity, t } from "@saleslake/schema";\n\nexport const returns = defineEntity({\n  name: "returns",\n  columns: { id: t.int() },\n  key: ["return_id"],\n});\nexport default { entities: [returns] };\n',
    );
    await expect(loadConfig(d)).rejects.toMatchObject({
      code: "UNKNOWN_COLUMN",
      message: `${join(d, "saleslake.config.ts")}:3: entity "returns": key column "return_id" does not exist`,
      hint: expect.stringMatching(/use one of: id/),
    });
  });
});

describe("config sources", () => {
  it("refuse a source without what its kind cannot do without, naming it", async () => {
    const config = (source: string) =>
      `import { salesOrderLines } from "@saleslake/schema";\nexport default { entities: [salesOrderLines], sources: { s: ${source} } };\n`;
    const cases: [string, RegExp][] = [
      [
        '{ kind: "http", entity: "sales_order_lines", url: "http://127.0.0.1:9/r" }',
        /sources\.s: pagination is missing$/,
      ],
      [
        '{ kind: "http", entity: "sales_order_lines", url: "http://127.0.0.1:9/r", pagination: { kind: "offset" } }',
        /sources\.s: pagination is not one of page, cursor$/,
      ],
      [
        '{ kind: "sqlserver", entity: "sales_order_lines", database: "erp", table: "t" }',
        /sources\.s: server is missing$/,
      ],
      [
        '{ kind: "postgres", entity: "sales_order_lines", table: "" }',
        /sources\.s: table is not a non-empty string$/,
      ],
    ];
    for (const [source, message] of cases) {
      await expect(loadConfig(project(config(source)))).rejects.toMatchObject({
        code: "INVALID_PROJECT_FILE",
        message,
      });
    }
  });
});

describe("sources", () => {
  it("a SQL Server source's table, server and database are the ones the generated Data Factory pipelines copy from", async () => {
    const cfg = await loadConfig(
      project(`import { salesOrderLines } from "@saleslake/schema";
export default {
  entities: [salesOrderLines],
  sources: {
    orders: { kind: "sqlserver", entity: "sales_order_lines", server: "sql.example.net", database: "erp", table: "sales.order_lines" },
  },
};
`),
    );
    const { artifacts } = projectFactory(cfg);
    const source = artifacts.datasets.find((d) => d.properties.description?.includes("source table"));
    expect(source?.properties).toMatchObject({
      typeProperties: { schema: "sales", table: "order_lines" },
      linkedServiceName: { parameters: { server: "sql.example.net", database: "erp" } },
    });
    const copy = JSON.stringify(artifacts.pipelines);
    expect(copy).toContain('"source_name":"sql.example.net/erp.sales.order_lines"');
    expect(copy).toContain("FROM [sales].[order_lines]");
    expect(copy).not.toContain("[dbo].[sales_order_lines]");
  });

  it("a SQL Server source's login reaches the factory as a Key Vault reference, never as a value", async () => {
    const cfg = await loadConfig(
      project(`import { salesOrderLines, customers } from "@saleslake/schema";
export default {
  entities: [salesOrderLines, customers],
  sources: {
    orders_db: {
      kind: "sqlserver", entity: "sales_order_lines", server: "sql.example.net", port: 14330,
      database: "erp", table: "sales.order_lines",
      authentication: { kind: "sql", user: "reader", password: { env: "ORDERS_DB_PASSWORD" } },
    },
    crm: {
      kind: "sqlserver", entity: "customers", server: "crm.database.windows.net", database: "crm",
      table: "customers",
      authentication: {
        kind: "sql", user: "crm_reader",
        password: { keyVault: { vaultUrl: "https://kv-crm.vault.azure.net", secretName: "crm-sql" } },
      },
    },
  },
};
`),
    );
    expect(projectEntities(cfg).map((e) => e.sourceTable)).toEqual([
      {
        schema: "sales",
        table: "order_lines",
        server: "sql.example.net",
        port: 14330,
        database: "erp",
        // The factory cannot read the CLI's environment: the secret deploy says to store.
        login: { user: "reader", passwordSecret: "orders-db-password" },
      },
      {
        schema: "dbo",
        table: "customers",
        server: "crm.database.windows.net",
        database: "crm",
        login: { user: "crm_reader", passwordSecret: "crm-sql", keyVault: "kv-crm" },
      },
    ]);
    const { artifacts } = projectFactory(cfg);
    const dataset = (entity: string) =>
      artifacts.datasets.find((d) => d.name === `ds_${entity}_source`)!.properties.linkedServiceName;
    expect(dataset("sales_order_lines")).toEqual({
      referenceName: "ls_source_sql_login",
      type: "LinkedServiceReference",
      parameters: {
        server: "sql.example.net,14330",
        database: "erp",
        userName: "reader",
        passwordSecret: "orders-db-password",
      },
    });
    expect(dataset("customers")).toMatchObject({ referenceName: "ls_source_sql_login_kv-crm" });
  });

  it("an entity whose sources the pipelines cannot read is named in the deploy's plan, with where they copy from", async () => {
    const cfg = await loadConfig(
      project(`import { salesOrderLines, customers, products } from "@saleslake/schema";
export default {
  entities: [salesOrderLines, customers, products],
  sources: {
    orders_db: { kind: "postgres", entity: "sales_order_lines", table: "erp.order_lines" },
    orders_api: { kind: "http", entity: "sales_order_lines", url: "https://orders.example.com/lines", recordsPath: "results", pagination: { kind: "page" } },
    crm: { kind: "sqlserver", entity: "customers", server: "crm.example.net", database: "crm", table: "customers" },
  },
};
`),
    );
    // Customers come from SQL Server, which the pipelines read; products have no source at all.
    expect(factorySourceNotes(cfg)).toEqual([
      "note: the Data Factory pipelines copy sales_order_lines from dbo.sales_order_lines in the estate's source database (SALESLAKE_SOURCE_DATABASE, else the control database): they copy from SQL Server and Azure SQL only, not from orders_db (postgres), orders_api (http), which saleslake ingest --source reads into the local lake",
    ]);
    const lines: string[] = [];
    await expect(
      deployCommand(cfg, { dryRun: true, env: "dev" }, (l) => lines.push(l)),
    ).resolves.toMatchObject({
      dryRun: true,
    });
    expect(lines[0]).toMatch(
      /^note: the Data Factory pipelines copy sales_order_lines from dbo\.sales_order_lines/,
    );
    expect(lines[1]).toMatch(/^deploy plan for dev: /);
  });

  it("without one, the pipelines copy from dbo.<entity>", async () => {
    const cfg = await loadConfig(
      project(`import { salesOrderLines } from "@saleslake/schema";
export default { entities: [salesOrderLines] };
`),
    );
    const source = projectFactory(cfg).artifacts.datasets.find((d) =>
      d.properties.description?.includes("source table"),
    );
    expect(source?.properties).toMatchObject({
      typeProperties: { schema: "dbo", table: "sales_order_lines" },
    });
  });
});
