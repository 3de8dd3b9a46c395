import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import type { DuckDBAppender, DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { checkColumns, exactValue, inspectFile, jsonArrayElements, parseExactJson } from "@saleslake/ingest";
import { datetimeTargets, FIELD_COUNT_RULES, parquetText } from "@saleslake/pipeline";
import {
  columnIssues,
  type Entity,
  mapSourceColumns,
  physicalType,
  type QualityRule,
  qualityRules,
  quoteIdent,
  type RawValue,
  recordFromSource,
} from "@saleslake/schema";
import { parse } from "csv-parse";

/** A rule a row breaks. `value`: for a column's rule, the value it checked as read (a composed column's parts joined). */
export interface ValidationIssue {
  row: number;
  rule: string;
  message: string;
  value?: string | number | boolean | bigint;
}

export interface ValidationResult {
  readonly file: string;
  readonly rows: number;
  readonly valid: number;
  readonly invalid: number;
  readonly warnings: number;
  /** How many rows broke each rule (a row once per rule it broke), most first. */
  readonly byRule: readonly (readonly [rule: string, rows: number])[];
  /** In file order, rules in the engines' order within a row: every one, or the first `keep`. */
  readonly issues: ValidationIssue[];
}

/**
 * Row numbers, a bit each: which rows broke a rule. A file of any length fits (a `Set` holds at
 * most 2^24 entries; 30M rows take 3.75 MB here).
 */
class RowSet {
  private bits = new Uint8Array(1 << 16);
  size = 0;

  add(row: number): void {
    if (row >> 3 >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, (row >> 3) + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (row & 7);
    if (this.bits[row >> 3]! & mask) return;
    this.bits[row >> 3]! |= mask;
    this.size++;
  }
}

/**
 * Checks a file without loading it: structure and encoding as landing would, then every row
 * with the schema's rules (the same grammar the engines run in SQL).
 */
export async function validateFile(
  entity: Entity,
  path: string,
  options: {
    readonly delimiter?: string;
    /** Keep only the first `keep` issues in file order (the counts still cover every row). */
    readonly keep?: number;
  } = {},
): Promise<ValidationResult> {
  const info = await inspectFile(
    path,
    options.delimiter === undefined ? {} : { delimiter: options.delimiter },
  );
  // The file's columns against the entity's contract, as landing checks them: a file ingest
  // would refuse is refused here, with the same error.
  checkColumns(entity, info);
  let issues: ValidationIssue[] = [];
  let rows = 0;
  let warnings = 0;
  /** The rows that break an error rule. */
  const bad = new RowSet();
  const byRule = new Map<string, number>();
  // In the file's order (a Parquet file's rows may be streamed out of it, and the SQL checks
  // come a chunk after the rows they check), rules in the engines' order within a row.
  const order = new Map([...FIELD_COUNT_RULES, ...qualityRules(entity)].map((r, i) => [r.id, i] as const));
  const inOrder = (a: ValidationIssue, b: ValidationIssue) =>
    a.row - b.row || (order.get(a.rule) ?? 0) - (order.get(b.rule) ?? 0);
  const keep = options.keep ?? Number.POSITIVE_INFINITY;
  const found = (issue: ValidationIssue) => {
    bad.add(issue.row);
    byRule.set(issue.rule, (byRule.get(issue.rule) ?? 0) + 1);
    issues.push(issue);
    // The first `keep` in file order, whatever order they are found in.
    if (issues.length >= Math.max(2 * keep, 10_000)) issues = issues.sort(inOrder).slice(0, keep);
  };
  // The entity's own SQL checks run on the typed values, in DuckDB, as the engines run them.
  const checks = await SqlChecks.open(entity, found);
  try {
    /**
     * `row`: the record's 1-based row in the file; by default the next one read. `fields`: how a
     * CSV row's field count compares with its header's (1 more, -1 fewer, 0 as many).
     */
    const check = async (record: Record<string, RawValue>, row = rows + 1, fields = 0) => {
      rows++;
      const values = recordFromSource(entity, record);
      // The engines' first rules (row.fields_extra, row.fields_missing, see @saleslake/pipeline).
      const id = fields > 0 ? "row.fields_extra" : fields < 0 ? "row.fields_missing" : undefined;
      const shape = FIELD_COUNT_RULES.find((r) => r.id === id);
      if (shape !== undefined) found({ row, rule: shape.id, message: shape.message });
      const typed: unknown[] = [];
      for (const c of entity.columns) {
        const r = columnIssues(c, values[c.name]);
        typed.push(r.value);
        warnings += r.warnings.length;
        const value = values[c.name];
        for (const i of r.issues) {
          const [rule, ...rest] = i.split(": ");
          found({ row, rule: rule!, message: rest.join(": "), ...(value == null ? {} : { value }) });
        }
      }
      await checks?.add(row, typed);
    };
    const input = () =>
      info.compression === "gzip" ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
    if (info.format === "csv") {
      // Fields by position under the header's names, each source column found as the engines find
      // it (case-insensitively, aliases, spaces around names). A row with more fields than the header
      // (a trailing delimiter too) breaks row.fields_extra, one with fewer row.fields_missing unless
      // the contract reads its missing fields as NULL (shortRows: "null").
      const header = info.columns;
      const at = new Map(
        [...mapSourceColumns(entity, header).select].flatMap(([source, found]) =>
          found === null ? [] : [[source, header.indexOf(found)] as const],
        ),
      );
      let first = true;
      const lineBreak = info.quotedNewlines && info.lineBreak !== "\n" ? info.lineBreak : undefined;
      for await (const fields of input().pipe(
        parse({
          bom: true,
          relax_column_count: true,
          // A quote inside a field that is not quoted (Model "X" Sport) is text, as landing and
          // the engines read it.
          relax_quotes: true,
          skip_empty_lines: true,
          delimiter: info.delimiter ?? ",",
          // A line ends at LF, CRLF or a CR alone, as landing counts rows and the engines split them.
          record_delimiter: ["\r\n", "\n", "\r"],
        }),
      )) {
        if (first) {
          first = false;
          continue;
        }
        // Inside quoted values, the file's CR or CRLF line break reads as LF, as on both engines.
        const f =
          lineBreak === undefined
            ? (fields as string[])
            : (fields as string[]).map((v) => v.replaceAll(lineBreak, "\n"));
        const record: Record<string, RawValue> = {};
        for (const [source, i] of at) record[source] = f[i] ?? null;
        const shape = Math.sign(f.length - header.length);
        await check(record, rows + 1, shape < 0 && entity.contract.shortRows === "null" ? 0 : shape);
      }
    } else if (info.format === "jsonl") {
      // Lines decoded whole (a character split across two reads stays one character); numbers
      // kept as their text, as landing and the engines read them.
      for await (const l of createInterface({ input: input(), crlfDelay: Number.POSITIVE_INFINITY }))
        if (l.trim()) await check(jsonRecord(parseExactJson(l)));
    } else if (info.format === "json") {
      // Landing has checked the file is one JSON array of records; a gzip file is read through
      // gunzip. Read record by record, as landing reads it: a file larger than memory, or than the
      // longest string JavaScript holds (about 512 MB), validates too.
      for await (const text of jsonArrayElements(input())) await check(jsonRecord(parseExactJson(text)));
    } else {
      for await (const { row, record } of parquetRecords(entity, path)) await check(record, row);
    }
    if (checks !== undefined) {
      await checks.finish();
      warnings += checks.warnings;
    }
  } finally {
    checks?.close();
  }
  return {
    file: path,
    rows,
    valid: rows - bad.size,
    invalid: bad.size,
    warnings,
    byRule: [...byRule].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
    issues: issues.sort(inOrder).slice(0, keep),
  };
}

/** Rows gathered before the SQL checks run on them: memory stays bounded however long the file. */
const CHECK_CHUNK_ROWS = 50_000;

/**
 * An entity's custom SQL checks (its own and its columns'), run as the engines run them: on the
 * typed values (NULL where a value is missing or did not parse), in DuckDB's dialect, a check
 * whose result is not true failing. Rows are gathered into an in-memory DuckDB table as they are
 * read and checked a chunk at a time.
 */
class SqlChecks {
  private readonly rules: readonly QualityRule[];
  private readonly db: DuckDBInstance;
  private readonly con: DuckDBConnection;
  private appender: DuckDBAppender;
  private readonly query: string;
  private pending = 0;
  private closed = false;
  private readonly found: (issue: ValidationIssue) => void;
  warnings = 0;

  private constructor(
    entity: Entity,
    rules: readonly QualityRule[],
    db: DuckDBInstance,
    con: DuckDBConnection,
    appender: DuckDBAppender,
    found: (issue: ValidationIssue) => void,
  ) {
    this.rules = rules;
    this.found = found;
    this.db = db;
    this.con = con;
    this.appender = appender;
    const q = (n: string) => quoteIdent("duckdb", n);
    const typed = entity.columns
      .map((c, i) => `CAST(c${i} AS ${physicalType("duckdb", c.type)}) AS ${q(c.name)}`)
      .join(", ");
    const broken = rules.map((r, i) => `NOT coalesce(${r.sql.duckdb}, false) AS k${i}`).join(", ");
    const anyBroken = rules.map((_, i) => `k${i}`).join(" OR ");
    this.query = `SELECT * FROM (SELECT _row, ${broken} FROM (SELECT _row, ${typed} FROM typed_text)) WHERE ${anyBroken} ORDER BY _row`;
  }

  /** Undefined when the entity has no custom checks. Each row a check fails goes to `found`. */
  static async open(entity: Entity, found: (issue: ValidationIssue) => void): Promise<SqlChecks | undefined> {
    const rules = qualityRules(entity).filter((r) => r.kind === "check");
    if (rules.length === 0) return undefined;
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    // `now` and dates read in UTC, as on the engines.
    await con.run("SET TimeZone = 'UTC'");
    const columns = entity.columns.map((_, i) => `c${i} VARCHAR`).join(", ");
    await con.run(`CREATE TABLE typed_text (_row BIGINT, ${columns})`);
    return new SqlChecks(entity, rules, db, con, await con.createAppender("typed_text"), found);
  }

  /** A row's typed values, in column order (see columnIssues), as text DuckDB casts back. */
  async add(row: number, values: readonly unknown[]): Promise<void> {
    this.appender.appendBigInt(BigInt(row));
    for (const v of values) {
      if (v === null || v === undefined) this.appender.appendNull();
      else this.appender.appendVarchar(String(v));
    }
    this.appender.endRow();
    if (++this.pending >= CHECK_CHUNK_ROWS) await this.check();
  }

  /** Checks the rows gathered so far, then lets them go. */
  private async check(): Promise<void> {
    this.appender.flushSync();
    this.appender.closeSync();
    for (const r of (await this.con.runAndReadAll(this.query)).getRowObjectsJson()) {
      this.rules.forEach((rule, i) => {
        if (r[`k${i}`] !== true) return;
        if (rule.severity === "warn") this.warnings++;
        else this.found({ row: Number(r._row), rule: rule.id, message: rule.message });
      });
    }
    await this.con.run("DELETE FROM typed_text");
    this.pending = 0;
    this.appender = await this.con.createAppender("typed_text");
  }

  /** Checks the last rows; every issue has then been found, and `warnings` is complete. */
  async finish(): Promise<void> {
    if (this.pending > 0) await this.check();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.appender.closeSync();
    } catch {
      // Closed already, by a check that failed.
    }
    this.con.closeSync();
    this.db.closeSync();
  }
}

/** A Parquet file's records, streamed by DuckDB, each value as the text the engines check. */
async function* parquetRecords(
  entity: Entity,
  path: string,
): AsyncGenerator<{ row: number; record: Record<string, RawValue> }> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  try {
    const described = (
      await con.runAndReadAll("DESCRIBE SELECT * FROM read_parquet($path, hive_partitioning = false)", {
        path,
      })
    ).getRowObjectsJson();
    const names = described.map((c) => String(c.column_name));
    // Every column as the text the engines check (see parquetText); the file's own row number,
    // whatever the order rows are streamed in.
    const targets = datetimeTargets(entity, mapSourceColumns(entity, names).select);
    const select = described
      .map((c, i) => `${parquetText(names[i]!, String(c.column_type), targets.get(names[i]!))} AS c${i}`)
      .join(", ");
    const result = await con.stream(
      `SELECT file_row_number + 1 AS _row, ${select} FROM read_parquet($path, file_row_number = true, hive_partitioning = false)`,
      { path },
    );
    for await (const chunk of result.yieldRowObjectJson()) {
      for (const r of chunk) {
        const record: Record<string, RawValue> = {};
        names.forEach((n, i) => {
          record[n] = r[`c${i}`] as string | null;
        });
        yield { row: Number(r._row), record };
      }
    }
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

/**
 * A JSON record's fields as the engine checks them: each number as the text json_extract_string
 * gives it (1.0 and 1e0 as "1.0", which an int column refuses), an object or array as its
 * compact JSON (see exactValue).
 */
function jsonRecord(v: unknown): Record<string, RawValue> {
  const out: Record<string, RawValue> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = exactValue(x) as RawValue;
  return out;
}
