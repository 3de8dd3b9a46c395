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

describe("the estate's lake", () => {
  it("is an https Blob endpoint, with one container for every zone or a container per zone", async () => {
    const cfg = await loadConfig(
      project(
        'export default { lake: { adls: { accountUrl: "https://salesprod.blob.core.windows.net", fileSystem: "lake-01" } } };\n',
      ),
    );
    expect(cfg.adls).toEqual({
      accountUrl: "https://salesprod.blob.core.windows.net",
      fileSystem: "lake-01",
    });
    expect((await loadConfig(project())).adls).toBeUndefined();
    const refused: [string, RegExp][] = [
      [
        '{ accountUrl: "http://salesprod.blob.core.windows.net" }',
        /lake\.adls\.accountUrl "http:\/\/salesprod\.blob\.core\.windows\.net" is not an https URL$/,
      ],
      ["{ accountUrl: 42 }", /lake\.adls\.accountUrl 42 is not an https URL$/],
      [
        '{ accountUrl: "https://me:pw@salesprod.blob.core.windows.net" }',
        /carries a query, a user or a fragment/,
      ],
      [
        '{ accountUrl: "https://salesprod.blob.core.windows.net", fileSystem: "Lake_01" }',
        /lake\.adls\.fileSystem "Lake_01" is not a container name$/,
      ],
      [
        '{ accountUrl: "https://salesprod.blob.core.windows.net", fileSystem: "a--b" }',
        /lake\.adls\.fileSystem "a--b" is not a container name$/,
      ],
    ];
    for (const [adls, message] of refused)
      await expect(
        loadConfig(project(`export default { lake: { adls: ${adls} } };\n`)),
      ).rejects.toMatchObject({
        code: "INVALID_PROJECT_FILE",
        message,
      });
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
    orders_api: { kind: "http", entity: "sales_order_lines", url: "https://orders.example.com/lines", recordsPath: "results", pagination: { kind: "page" }, headers: { "X-Tenant": "eu" } },
    crm: { kind: "sqlserver", entity: "customers", server: "crm.example.net", database: "crm", table: "customers" },
  },
};
`),
    );
    // Customers come from SQL Server, which the pipelines read; products have no source at all.
    expect(factorySourceNotes(cfg)).toEqual([
      "note: the Data Factory pipelines copy sales_order_lines from dbo.sales_order_lines in the estate's source database (SALESLAKE_SOURCE_DATABASE, else the control database): they read SQL Server and Azure SQL tables, PostgreSQL tables whose source says where the factory reads them, and https APIs that need no header but their credential, not orders_db (postgres: no factory access), orders_api (http: headers besides its credential), which saleslake ingest --source reads into the local lake; give a postgres source factory: { server, database, user } to have them copy from it",
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

  it("a PostgreSQL source with factory access is where the pipelines copy from, as that user, its password in Key Vault", async () => {
    const cfg = await loadConfig(
      project(`import { salesOrderLines, customers } from "@saleslake/schema";
export default {
  entities: [salesOrderLines, customers],
  sources: {
    orders_pg: {
      kind: "postgres", entity: "sales_order_lines", table: "erp.order_lines",
      connection: { env: "ORDERS_PG_URL" },
      factory: { server: "pg-erp.postgres.database.azure.com", database: "erp", user: "saleslake_reader" },
    },
    crm_pg: {
      kind: "postgres", entity: "customers", table: "customers",
      factory: { server: "pg-crm.example.net", port: 6432, database: "crm", user: "reader", passwordSecret: "crm-pg", keyVault: "kv-crm" },
    },
  },
};
`),
    );
    expect(projectEntities(cfg).map((e) => e.sourceTable)).toEqual([
      {
        engine: "postgres",
        schema: "erp",
        table: "order_lines",
        server: "pg-erp.postgres.database.azure.com",
        database: "erp",
        login: { user: "saleslake_reader", passwordSecret: "orders-pg-password" },
      },
      {
        engine: "postgres",
        schema: "public",
        table: "customers",
        server: "pg-crm.example.net",
        port: 6432,
        database: "crm",
        login: { user: "reader", passwordSecret: "crm-pg", keyVault: "kv-crm" },
      },
    ]);
    expect(factorySourceNotes(cfg)).toEqual([]);
    const { artifacts } = projectFactory(cfg);
    expect(
      artifacts.datasets.find((d) => d.name === "ds_sales_order_lines_source")!.properties,
    ).toMatchObject({
      type: "AzurePostgreSqlTable",
      typeProperties: { schema: "erp", table: "order_lines" },
      linkedServiceName: {
        referenceName: "ls_source_postgres",
        parameters: {
          server: "pg-erp.postgres.database.azure.com",
          port: 5432,
          userName: "saleslake_reader",
        },
      },
    });
    expect(artifacts.linkedServices.map((l) => l.name)).toEqual(
      expect.arrayContaining(["ls_source_postgres", "ls_key_vault_kv-crm", "ls_source_postgres_kv-crm"]),
    );
    const pipelines = JSON.stringify(artifacts.pipelines);
    expect(pipelines).toContain(JSON.stringify('FROM "erp"."order_lines"').slice(1, -1));
    expect(pipelines).toContain('"source_name":"pg-erp.postgres.database.azure.com/erp.erp.order_lines"');
    expect(pipelines).not.toContain("[dbo].[sales_order_lines]");
    // What the CLI signs in with stays the CLI's: no connection string or variable reaches the factory.
    expect(JSON.stringify(artifacts)).not.toContain("ORDERS_PG_URL");
  });

  it("an https API source is what the pipelines copy from, its credential read from Key Vault", async () => {
    const cfg = await loadConfig(
      project(`import { salesOrderLines, customers, products } from "@saleslake/schema";
export default {
  entities: [salesOrderLines, customers, products],
  sources: {
    orders_api: {
      kind: "http", entity: "sales_order_lines", url: "https://orders.example.com/v1/lines?region=eu",
      recordsPath: "results", pagination: { kind: "cursor", nextCursorPath: "paging.next" },
      highParam: "updated_until", auth: { secret: { env: "ORDERS_API_TOKEN" } },
    },
    crm_api: {
      kind: "http", entity: "customers", url: "https://crm.example.com/customers", pagination: { kind: "page" },
      auth: { header: "X-Api-Key", secret: { keyVault: { vaultUrl: "https://kv-crm.vault.azure.net", secretName: "crm-key" } } },
    },
    local_api: { kind: "http", entity: "products", url: "http://127.0.0.1:8080/products", pagination: { kind: "page" } },
  },
};
`),
    );
    expect(projectEntities(cfg).map((e) => e.sourceApi)).toEqual([
      {
        url: "https://orders.example.com/v1/lines?region=eu",
        recordsPath: "results",
        pagination: { kind: "cursor", nextCursorPath: "paging.next" },
        highParam: "updated_until",
        // The factory cannot read the CLI's environment: the secret deploy says to store.
        auth: { secret: "orders-api-credential" },
      },
      {
        url: "https://crm.example.com/customers",
        pagination: { kind: "page" },
        auth: { header: "X-Api-Key", secret: "crm-key", keyVault: "kv-crm" },
      },
      undefined,
    ]);
    expect(factorySourceNotes(cfg)).toEqual([expect.stringContaining("not local_api (http: not https)")]);
    const { artifacts } = projectFactory(cfg);
    expect(
      artifacts.datasets.find((d) => d.name === "ds_sales_order_lines_source")!.properties,
    ).toMatchObject({
      type: "RestResource",
      linkedServiceName: {
        referenceName: "ls_source_rest",
        parameters: { baseUrl: "https://orders.example.com/" },
      },
    });
    const text = JSON.stringify(artifacts);
    expect(text).toContain("https://kv-crm.vault.azure.net/secrets/crm-key?api-version=7.4");
    expect(text).not.toContain("ORDERS_API_TOKEN");
  });

  it.each([
    [
      `{ kind: "sqlserver", entity: "sales_order_lines", server: "s.example.net", database: "d", table: "t", factory: { server: "x.example.net", database: "d", user: "u" } }`,
      "sources.orders: factory is for postgres sources",
    ],
    [
      `{ kind: "postgres", entity: "sales_order_lines", table: "t", factory: { server: "x.example.net", database: "d" } }`,
      "sources.orders: factory.user is missing",
    ],
  ])("a source's factory access is checked: %s", async (source, message) => {
    await expect(
      loadConfig(
        project(`import { salesOrderLines } from "@saleslake/schema";
export default { entities: [salesOrderLines], sources: { orders: ${source} } };
`),
      ),
    ).rejects.toMatchObject({ message: expect.stringContaining(message) });
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
