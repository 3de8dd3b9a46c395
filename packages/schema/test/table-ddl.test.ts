import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { defineEntity, t, tableDdl } from "../src/index.ts";

const constraintNames = (ddl: string) =>
  [...ddl.matchAll(/CONSTRAINT \[([^\]]+)\] CHECK/g)].map((m) => m[1]!);

describe("T-SQL CHECK constraints", () => {
  const orders = defineEntity({
    name: "orders",
    columns: { id: t.int(), amount: t.decimal(10, 2).min(0) },
    key: ["id"],
  });
  const refunds = defineEntity({
    name: "refunds",
    columns: { id: t.int(), amount: t.decimal(10, 2).min(0) },
    key: ["id"],
  });

  it("are named per table: SQL Server names constraints per schema", () => {
    expect(constraintNames(tableDdl(orders, "tsql"))).toEqual(["ck_orders_amount_min"]);
    expect(constraintNames(tableDdl(refunds, "tsql"))).toEqual(["ck_refunds_amount_min"]);
    expect(constraintNames(tableDdl(orders, "tsql", { table: "orders_v2" }))).toEqual([
      "ck_orders_v2_amount_min",
    ]);
  });

  it("keep a name within 128 characters, cut with a stable hash that keeps them apart", () => {
    const long = "a".repeat(60);
    const e = defineEntity({
      name: "b".repeat(64),
      columns: {
        id: t.int(),
        [`${long}_x`]: t.int().min(0).max(9),
        [`${long}_y`]: t.int().min(0),
      },
      key: ["id"],
      checks: [{ id: "c".repeat(64), sql: "1 = 1", message: "always" }],
    });
    const names = constraintNames(tableDdl(e, "tsql"));
    expect(names).toHaveLength(4);
    expect(new Set(names).size).toBe(4);
    for (const n of names) {
      expect(n).toMatch(/^ck_b{64}_[a-z0-9_]+_[0-9a-f]{12}$/);
      expect(n).toHaveLength(128);
    }
    expect(constraintNames(tableDdl(e, "tsql"))).toEqual(names);
  });

  it("Delta keeps its per-table names", () => {
    expect(tableDdl(orders, "spark")).toContain("ADD CONSTRAINT `ck_amount_min` CHECK");
  });
});

describe("a schema with a catalog part", () => {
  const orders = defineEntity({ name: "orders", columns: { id: t.int() }, key: ["id"] });

  it("is created in DuckDB as the same parts the table is created in", async () => {
    const ddl = tableDdl(orders, "duckdb", { schema: "lake.silver", lineage: false });
    expect(ddl).toContain('CREATE SCHEMA IF NOT EXISTS "lake"."silver";');
    expect(ddl).toContain('CREATE TABLE IF NOT EXISTS "lake"."silver"."orders" (');
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    try {
      await con.run("ATTACH ':memory:' AS lake");
      await con.run(ddl);
      await con.run(ddl);
      const tables = await con.runAndReadAll(
        "SELECT table_catalog, table_schema, table_name FROM information_schema.tables WHERE table_name = 'orders'",
      );
      expect(tables.getRows()).toEqual([["lake", "silver", "orders"]]);
    } finally {
      con.closeSync();
      db.closeSync();
    }
  });

  it("names the catalog on Databricks", () => {
    expect(tableDdl(orders, "spark", { schema: "lake.silver" })).toContain(
      "CREATE TABLE IF NOT EXISTS `lake`.`silver`.`orders` (",
    );
  });

  it("is refused for T-SQL, whose CREATE SCHEMA takes no database", () => {
    expect(() => tableDdl(orders, "tsql", { schema: "lake.silver" })).toThrow(
      /T-SQL DDL of orders: schema "lake.silver" names a database/,
    );
  });
});

describe("columns holding personal data", () => {
  const people = defineEntity({
    name: "people",
    columns: {
      id: t.int(),
      full_name: t.string().pii("name"),
      email: t.string().nullable().pii("email"),
      iban: t.string().nullable().pii("financial"),
      note: t.string().nullable(),
    },
    key: ["id"],
  });

  it("are classified on Azure SQL and Synapse, with a label and information type of their built-in taxonomy", () => {
    for (const target of ["azure-sql", "synapse"] as const) {
      const classified = [
        ...tableDdl(people, "tsql", { tsqlTarget: target }).matchAll(/^EXEC\(N'(.*)'\);$/gm),
      ].map((m) => m[1]!.replaceAll("''", "'"));
      expect(classified).toEqual([
        "ADD SENSITIVITY CLASSIFICATION TO [silver].[people].[full_name] WITH (LABEL = 'Confidential - GDPR', INFORMATION_TYPE = 'Name')",
        "ADD SENSITIVITY CLASSIFICATION TO [silver].[people].[email] WITH (LABEL = 'Confidential - GDPR', INFORMATION_TYPE = 'Contact Info')",
        "ADD SENSITIVITY CLASSIFICATION TO [silver].[people].[iban] WITH (LABEL = 'Confidential', INFORMATION_TYPE = 'Financial')",
      ]);
    }
  });

  it("are tagged in Unity Catalog, and not where the table is not in it", () => {
    const tags = (ddl: string) => ddl.split("\n").filter((l) => l.includes("SET TAGS"));
    expect(tags(tableDdl(people, "spark", { schema: "lake.silver" }))).toEqual([
      "ALTER TABLE `lake`.`silver`.`people` ALTER COLUMN `full_name` SET TAGS ('pii' = 'name');",
      "ALTER TABLE `lake`.`silver`.`people` ALTER COLUMN `email` SET TAGS ('pii' = 'email');",
      "ALTER TABLE `lake`.`silver`.`people` ALTER COLUMN `iban` SET TAGS ('pii' = 'financial');",
    ]);
    expect(tags(tableDdl(people, "spark", { unityCatalog: false }))).toEqual([]);
  });
});
