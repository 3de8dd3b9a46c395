import { orderLinesTableSql, type PostgresServer, startPostgres } from "@saleslake/ingest/testing";
import { recordFromSource, salesOrderLines, zodValidator } from "@saleslake/schema";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTIVITY } from "../src/generate/entity-pipeline.ts";
import { EXAMPLE_FACTORY_OPTIONS } from "../src/generate/example-options.ts";
import type { SourceTable } from "../src/generate/factory-options.ts";
import { generateFactory } from "../src/generate/generate-factory.ts";
import { lintFactory } from "../src/lint/lint-factory.ts";
import { LOGIN_SOURCES, POSTGRES_SOURCES } from "./fixtures/login-sources.ts";
import { expectValidArtifacts } from "./support/valid-artifacts.ts";

const factory = generateFactory({ ...EXAMPLE_FACTORY_OPTIONS, sourceTables: POSTGRES_SOURCES });
const linked = (name: string) => factory.artifacts.linkedServices.find((l) => l.name === name);
const datasetOf = (entity: string) =>
  factory.artifacts.datasets.find((d) => d.name === `ds_${entity}_source`)!;

interface QueryActivity {
  name: string;
  typeProperties: {
    source: { type: string; query?: { value: string; type: string }; sqlReaderQuery?: unknown };
  };
}
function sourceOf(f: ReturnType<typeof generateFactory>, entity: string, activity: string) {
  const pipeline = f.artifacts.pipelines.find((p) => p.name === `pl_${entity}`)!;
  const activities = pipeline.properties.activities as unknown as QueryActivity[];
  return activities.find((a) => a.name === activity)!.typeProperties.source;
}

/** The query with its Data Factory interpolations replaced, in order, by `values`. */
function bound(query: string, values: readonly string[]): string {
  const found = query.match(/@\{[^}]*\}/g) ?? [];
  expect(found).toHaveLength(values.length);
  let i = 0;
  return query.replace(/@\{[^}]*\}/g, () => values[i++]!);
}

describe("PostgreSQL source tables in the generated factory", () => {
  it("signs in as the table's user over TLS in a UTC session, its password a Key Vault reference", () => {
    expect(lintFactory(factory.artifacts).filter((f) => f.severity === "error")).toEqual([]);
    expect(linked("ls_source_postgres")!.properties).toEqual({
      type: "AzurePostgreSql",
      version: "2.0",
      description: expect.stringContaining("PostgreSQL source tables"),
      annotations: ["saleslake"],
      parameters: {
        server: { type: "String" },
        port: { type: "Int" },
        database: { type: "String" },
        userName: { type: "String" },
        passwordSecret: { type: "String" },
      },
      typeProperties: {
        server: "@{linkedService().server}",
        port: "@linkedService().port",
        database: "@{linkedService().database}",
        username: "@{linkedService().userName}",
        sslMode: 3,
        timezone: "UTC",
        password: {
          type: "AzureKeyVaultSecret",
          store: { referenceName: "ls_key_vault", type: "LinkedServiceReference" },
          secretName: "@{linkedService().passwordSecret}",
        },
      },
    });
    // A password in another vault: that vault's linked service, and a PostgreSQL service using it.
    expect(linked("ls_key_vault_kv-crm-prod")!.properties.typeProperties).toEqual({
      baseUrl: "https://kv-crm-prod.vault.azure.net/",
    });
    expect(linked("ls_source_postgres_kv-crm-prod")!.properties.typeProperties).toMatchObject({
      password: { store: { referenceName: "ls_key_vault_kv-crm-prod" } },
    });
    // No SQL login service where no SQL Server table is read with a login.
    expect(factory.artifacts.linkedServices.map((l) => l.name)).not.toContain("ls_source_sql_login");
    expect(datasetOf(salesOrderLines.name).properties).toMatchObject({
      type: "AzurePostgreSqlTable",
      linkedServiceName: {
        referenceName: "ls_source_postgres",
        parameters: {
          server: "pg-erp.postgres.database.azure.com",
          port: 5432,
          database: "erp",
          userName: "saleslake_reader",
          passwordSecret: "erp-pg-password",
        },
      },
      typeProperties: { schema: "sales", table: "order_lines" },
    });
    expect(datasetOf("customers").properties.linkedServiceName).toMatchObject({
      referenceName: "ls_source_postgres_kv-crm-prod",
      parameters: { server: "pg-crm.example.net", port: 6432 },
    });
    // The copy and the high mark are PostgreSQL sources; the seal names the table read.
    for (const activity of [ACTIVITY.highMark, ACTIVITY.copy]) {
      const source = sourceOf(factory, salesOrderLines.name, activity);
      expect(source.type).toBe("AzurePostgreSqlSource");
      expect(source.query?.type).toBe("Expression");
      expect(source.sqlReaderQuery).toBeUndefined();
    }
    const text = JSON.stringify(factory.artifacts);
    for (const secret of ["erp-pg-password", "crm-pg-password"])
      expect(text.split(secret).length - 1).toBe(1); // the dataset's secret name, nothing else
  });

  it("keeps SQL Server and PostgreSQL login sources apart when they share a vault", () => {
    const mixed = generateFactory({
      ...EXAMPLE_FACTORY_OPTIONS,
      sourceTables: {
        sales_order_lines: POSTGRES_SOURCES.sales_order_lines,
        customers: LOGIN_SOURCES.sales_order_lines,
      },
    });
    expect(
      mixed.artifacts.linkedServices.map((l) => l.name).filter((n) => /source|key_vault/.test(n)),
    ).toEqual(["ls_source_sql", "ls_key_vault", "ls_source_sql_login", "ls_source_postgres"]);
    expect(sourceOf(mixed, "customers", ACTIVITY.copy).type).toBe("AzureSqlSource");
  });

  it("its linked services, datasets and pipelines are valid against the official type definitions", () => {
    expect(expectValidArtifacts(factory.artifacts, /postgres|key_vault_|_source$/)).toBeGreaterThan(6);
  });

  it("refuses a PostgreSQL table without a login or a server, and an unknown engine", () => {
    const erp = POSTGRES_SOURCES.sales_order_lines;
    const { login: _, ...noLogin } = erp;
    const { server: __, ...noServer } = erp;
    for (const [table, rule] of [
      [noLogin, "login"],
      [noServer, "server"],
      [{ ...erp, engine: "mysql" }, "engine"],
      [{ ...erp, table: "Order Lines" }, undefined],
      [{ ...erp, login: { ...erp.login, passwordSecret: "s3cr3t!" } }, "login.passwordSecret"],
    ] as const) {
      let thrown: unknown;
      try {
        generateFactory({
          ...EXAMPLE_FACTORY_OPTIONS,
          sourceTables: { [salesOrderLines.name]: table as unknown as SourceTable },
        });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toMatchObject({
        code: "INVALID_OPTIONS",
        rule: `sourceTables.${salesOrderLines.name}${rule === undefined ? "" : `.${rule}`}`,
      });
      expect(String((thrown as Error).message)).not.toContain("s3cr3t!");
    }
  });
});

const skip = process.env.SALESLAKE_SKIP_POSTGRES === "1";
if (skip) console.warn("SALESLAKE_SKIP_POSTGRES=1: the generated PostgreSQL queries are not run");

describe.skipIf(skip)("the generated PostgreSQL queries on a real server", () => {
  let server: PostgresServer;
  let client: pg.Client;
  beforeAll(async () => {
    server = await startPostgres();
    client = new pg.Client({ host: server.host, port: server.port, user: server.user, database: "postgres" });
    await client.connect();
    // A server whose default zone is not UTC: the linked service's session zone is what counts.
    await client.query(`ALTER DATABASE postgres SET timezone TO 'America/New_York'`);
    await client.query(`CREATE SCHEMA sales`);
    await client.query(orderLinesTableSql("sales.order_lines"));
    // The same table with a zoneless `timestamp`, holding UTC wall-clock times.
    await client.query(
      orderLinesTableSql("sales.order_lines_naive").replace("updated_at timestamptz", "updated_at timestamp"),
    );
    for (const table of ["sales.order_lines", "sales.order_lines_naive"])
      await client.query(
        `INSERT INTO ${table} VALUES
         ('SO00000001', 1, '2026-01-05', 'C000001', 'P-00001', 2, 1234567.89, 12.5, 'EUR', 'open', 'web', '2026-01-05 08:59:59.999999+00', false),
         ('SO00000001', 2, '2026-01-05', 'C000001', 'P-00002', 1, 10.00, NULL, 'EUR', 'open', 'web', '2026-01-05 09:00:00+00', false),
         ('SO00000002', 1, '2026-01-06', 'C000002', 'P-00001', 3, 0.10, 0, 'USD', 'shipped', 'store', '2026-01-05 10:30:00.123456+00', true),
         ('SO00000003', 1, '2026-01-07', 'C000003', 'P-00003', 1, 5.00, NULL, 'EUR', 'open', 'web', '2026-01-05 12:00:00+00', false)`.replaceAll(
          "+00'",
          table.endsWith("naive") ? "'" : "+00'",
        ),
      );
    // The reads run in a session as the source linked service opens it.
    const ls = generateFactory({
      ...EXAMPLE_FACTORY_OPTIONS,
      sourceTables: POSTGRES_SOURCES,
    }).artifacts.linkedServices.find((l) => l.name === "ls_source_postgres")!;
    await client.end();
    client = new pg.Client({ host: server.host, port: server.port, user: server.user, database: "postgres" });
    await client.connect();
    expect((await client.query("SHOW timezone")).rows[0].TimeZone).toBe("America/New_York");
    await client.query(`SET TIME ZONE '${ls.properties.typeProperties.timezone}'`);
  }, 60_000);
  afterAll(async () => {
    await client?.end();
    server?.stop();
  });

  const onTable = (table: string) =>
    generateFactory({
      ...EXAMPLE_FACTORY_OPTIONS,
      sourceTables: { [salesOrderLines.name]: { ...POSTGRES_SOURCES.sales_order_lines, table } },
    });

  it.each(["order_lines", "order_lines_naive"])(
    "%s: the high mark is the newest change at or before the window end, as UTC text",
    async (table) => {
      const f = onTable(table);
      const query = sourceOf(f, salesOrderLines.name, ACTIVITY.highMark).query!.value;
      const high = async (end: string) => (await client.query(bound(query, [end]))).rows[0].high_mark;
      expect(await high("2026-01-05T11:00:00.0000000Z")).toBe("2026-01-05T10:30:00.123456Z");
      expect(await high("2026-01-05T12:00:00.0000000Z")).toBe("2026-01-05T12:00:00.000000Z");
      expect(await high("2026-01-05T08:00:00.0000000Z")).toBeNull();
    },
  );

  it.each(["order_lines", "order_lines_naive"])(
    "%s: the copy reads (low − lookback, high], every value as the engines parse it",
    async (table) => {
      const f = onTable(table);
      const query = sourceOf(f, salesOrderLines.name, ACTIVITY.copy).query!.value;
      if (salesOrderLines.watermark.kind !== "column") throw new Error("a column watermark");
      // Low less the lookback lands exactly on SO00000001/2's change: excluded; high on SO00000003's: included.
      const lookbackSeconds = 3600 * Number(/^PT(\d+)H$/.exec(salesOrderLines.watermark.lookback)![1]);
      const low = new Date(Date.parse("2026-01-05T09:00:00Z") + lookbackSeconds * 1000).toISOString();
      const rows = (await client.query(bound(query, [low, "2026-01-05T12:00:00.0000000Z"]))).rows as Record<
        string,
        unknown
      >[];
      expect(rows.map((r) => `${r.OrderID}/${r.LineNo}`).sort()).toEqual(["SO00000002/1", "SO00000003/1"]);
      const so2 = rows.find((r) => r.OrderID === "SO00000002")!;
      expect(so2).toMatchObject({
        order_date: "2026-01-06",
        unit_price: "0.10",
        discount_pct: "0.00",
        updated_at: "2026-01-05T10:30:00.123456Z",
        is_deleted: true,
        quantity: 3,
      });
      expect(rows.find((r) => r.OrderID === "SO00000003")!.discount_pct).toBeNull();
      // What lands passes the entity's rules, as the notebooks and the local engine apply them.
      for (const r of rows) {
        const parsed = zodValidator(salesOrderLines).safeParse(
          recordFromSource(salesOrderLines, r as Parameters<typeof recordFromSource>[1]),
        );
        expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
      }
      // A wide window: decimals keep every digit.
      const all = (
        await client.query(bound(query, ["2026-01-01T00:00:00.0000000Z", "2026-01-06T00:00:00.0000000Z"]))
      ).rows as Record<string, unknown>[];
      expect(all.find((r) => r.OrderID === "SO00000001" && r.LineNo === 1)).toMatchObject({
        unit_price: "1234567.89",
        updated_at: "2026-01-05T08:59:59.999999Z",
      });
      expect(all).toHaveLength(4);
    },
  );
});
