import { type Entity, salesOrderLines } from "@saleslake/schema";

/**
 * Sales order lines with one more check, written with a subquery: DuckDB plans it with a join,
 * and a plan with a join inserts in no particular order, so the stage of a landed file cannot
 * number its rows by row id.
 */
export const salesOrderLinesWithJoinedCheck: Entity = {
  ...salesOrderLines,
  checks: [
    ...salesOrderLines.checks,
    {
      id: "known_channel",
      sql: "channel IS NULL OR channel IN (SELECT unnest(['web', 'store']))",
      message: "unknown channel",
      severity: "error",
    },
  ],
};
