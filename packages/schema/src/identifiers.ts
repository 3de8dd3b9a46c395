import { SchemaError } from "./errors.ts";

/** Lower snake case, starting with a letter, at most 64 characters: safe unquoted in every dialect. */
const SAFE_IDENTIFIER = /^[a-z][a-z0-9_]{0,63}$/;

/** Column names the pipeline adds itself, or that every dialect reserves. */
export const LINEAGE_COLUMNS = ["_batch_id", "_source_file", "_row_number", "_ingested_at"] as const;

const RESERVED = new Set([
  "select",
  "from",
  "where",
  "table",
  "order",
  "group",
  "by",
  "join",
  "union",
  "all",
  "and",
  "or",
  "not",
  "null",
  "true",
  "false",
  "case",
  "when",
  "then",
  "else",
  "end",
  "as",
  "on",
  "in",
  "is",
  "like",
  "limit",
  "insert",
  "update",
  "delete",
  "merge",
  "into",
  "values",
  "create",
  "drop",
  "alter",
  "grant",
  "user",
  "primary",
  "key",
  "foreign",
  "references",
  "check",
  "constraint",
  "default",
  "index",
  "view",
  "with",
  "distinct",
  "having",
  "offset",
  "fetch",
  "top",
  "cross",
  "inner",
  "outer",
  "left",
  "right",
  "full",
  "natural",
  "using",
  "exists",
  "between",
  "any",
  "some",
  "collate",
  "column",
  "database",
  "schema",
  "partition",
  "range",
  "rows",
  "over",
  "window",
  "interval",
  "current_date",
  "current_timestamp",
  "current_user",
  "session_user",
  "cast",
  "to",
  "for",
  "of",
  "only",
  "lateral",
  "returning",
  "row",
  "valid_from",
  "valid_to",
  "is_current",
]);

export function isSafeIdentifier(name: string): boolean {
  return SAFE_IDENTIFIER.test(name) && !RESERVED.has(name);
}

/** Throws unless `name` is a safe SQL identifier; `what` says where it was found. */
export function assertSafeIdentifier(name: string, what: string): string {
  if (!SAFE_IDENTIFIER.test(name)) {
    throw new SchemaError(
      "UNSAFE_IDENTIFIER",
      `${what}: ${JSON.stringify(name)} is not a safe SQL identifier`,
      "Use lower snake case: a letter, then letters, digits or underscores, at most 64 characters.",
    );
  }
  if (RESERVED.has(name) || name.startsWith("_")) {
    throw new SchemaError(
      "RESERVED_NAME",
      `${what}: ${JSON.stringify(name)} is reserved`,
      "SQL keywords, SCD2 columns (valid_from, valid_to, is_current) and names starting with '_' (lineage) are reserved; pick another name.",
    );
  }
  return name;
}
