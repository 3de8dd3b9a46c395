import type { DuckDBConnection } from "@duckdb/node-api";
import { quoteIdent } from "@saleslake/schema";
import { PipelineError } from "../errors.ts";
import type { TableSpec } from "../query-compiler/plan-compiler.ts";
import { rows } from "./warehouse.ts";

const q = (name: string) => quoteIdent("duckdb", name);

/** DuckDB's own name of a type (`INT` → `INTEGER`), as `duckdb_columns()` gives stored ones. */
async function canonicalTypes(con: DuckDBConnection, types: readonly string[]): Promise<Map<string, string>> {
  const distinct = [...new Set(types)];
  if (distinct.length === 0) return new Map();
  const [row] = await rows(
    con,
    `SELECT ${distinct.map((t, i) => `typeof(CAST(NULL AS ${t})) AS t${i}`).join(", ")}`,
  );
  return new Map(distinct.map((t, i) => [t, String(row?.[`t${i}`])]));
}

const DECIMAL = /^DECIMAL\((\d+),(\d+)\)$/;

/**
 * Whether a stored column of type `from` is changed to `to` in place: the widenings both engines
 * make without rewriting values, int → bigint and a decimal with as many digits or more on each
 * side of the point (Delta's type widening takes no others the schema allows, such as bigint →
 * double or anything → string, so the local engine takes none either).
 */
export function widens(from: string, to: string): boolean {
  if (from === to) return true;
  if (from === "INTEGER") return to === "BIGINT";
  const f = DECIMAL.exec(from);
  const d = DECIMAL.exec(to);
  return !!f && !!d && +d[1]! - +d[2]! >= +f[1]! - +f[2]! && +d[2]! >= +f[2]!;
}

/**
 * Brings tables made by an earlier definition of the entity or star to the one of this run, as
 * far as the stored rows allow: a column the definition gained is added (NULL in stored rows;
 * one declared NOT NULL cannot be, while the table holds rows), a type that widens (int →
 * bigint, more decimal digits) is changed in place, a column the
 * definition lost is kept, with its values, and no longer required. Anything else, a type that
 * narrows or changes, is refused, naming the table and column, before any row moves. The
 * caller runs it in a transaction, so a refusal leaves every table as it was.
 */
export async function evolveTables(con: DuckDBConnection, tables: readonly TableSpec[]): Promise<string[]> {
  const changes: string[] = [];
  const canonical = await canonicalTypes(
    con,
    tables.flatMap((t) => t.columns.map((c) => c.type)),
  );
  for (const t of tables) {
    const table = `${q(t.schema)}.${q(t.name)}`;
    const stored = new Map(
      (
        await rows(
          con,
          `SELECT column_name, data_type, is_nullable FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2`,
          [t.schema, t.name],
        )
      ).map((r) => [String(r.column_name), { type: String(r.data_type), nullable: r.is_nullable === true }]),
    );
    const refuse = (detail: string, hint: string) =>
      new PipelineError("SCHEMA_CHANGE", `${t.schema}.${t.name}: ${detail}`, hint);
    let holdsRows: boolean | undefined;
    for (const c of t.columns) {
      const want = canonical.get(c.type) ?? c.type;
      const have = stored.get(c.name);
      if (!have) {
        if (c.notNull) {
          holdsRows ??= (await rows(con, `SELECT 1 AS found FROM ${table} LIMIT 1`)).length > 0;
          if (holdsRows)
            throw refuse(
              `the definition adds column ${c.name} NOT NULL, which the rows stored before have no value for`,
              "Declare the new column nullable (.nullable()): stored rows hold NULL in it and new rows their values.",
            );
        }
        await con.run(`ALTER TABLE ${table} ADD COLUMN ${q(c.name)} ${c.type}`);
        if (c.notNull) await con.run(`ALTER TABLE ${table} ALTER COLUMN ${q(c.name)} SET NOT NULL`);
        changes.push(`${t.schema}.${t.name}: added ${c.name} ${want}`);
        continue;
      }
      if (have.type !== want) {
        if (!widens(have.type, want))
          throw refuse(
            `column ${c.name} is stored as ${have.type}; the definition makes it ${want}, which stored values may not fit`,
            "A stored column's type changes in place only from int to bigint, or to a decimal with more digits. Put the type back, or add a new column beside it.",
          );
        await con.run(`ALTER TABLE ${table} ALTER COLUMN ${q(c.name)} SET DATA TYPE ${c.type}`);
        changes.push(`${t.schema}.${t.name}: ${c.name} ${have.type} → ${want}`);
      }
      if (!c.notNull && !have.nullable) {
        await con.run(`ALTER TABLE ${table} ALTER COLUMN ${q(c.name)} DROP NOT NULL`);
        changes.push(`${t.schema}.${t.name}: ${c.name} may be NULL`);
      }
    }
    const declared = new Set(t.columns.map((c) => c.name));
    for (const [name, have] of stored) {
      if (declared.has(name) || have.nullable) continue;
      // Kept with its values; the new definition's rows have none for it.
      await con.run(`ALTER TABLE ${table} ALTER COLUMN ${q(name)} DROP NOT NULL`);
      changes.push(`${t.schema}.${t.name}: ${name} kept, may be NULL`);
    }
  }
  return changes;
}
