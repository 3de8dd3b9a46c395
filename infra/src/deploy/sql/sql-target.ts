import type { TokenCredential } from "@azure/core-auth";

/**
 * A database the deploy runs T-SQL batches in, and where it remembers what it applied: a step
 * whose batches hash the same as last time has nothing to do.
 */
export interface SqlTarget {
  execute(batch: string): Promise<void>;
  /** The hash recorded for `name` by the last successful apply, if any. */
  appliedHash(name: string): Promise<string | undefined>;
  recordHash(name: string, hash: string): Promise<void>;
  close(): Promise<void>;
}

/** Opens a SqlTarget on `database` of `server` (host name) with a Microsoft Entra token. */
export type SqlConnect = (
  server: string,
  database: string,
  credential: TokenCredential,
) => Promise<SqlTarget>;

/** Splits a script on `GO` lines, the batch separator of SQL Server tools. */
export function splitBatches(script: string): string[] {
  return script
    .split(/^\s*GO\s*;?\s*$/im)
    .map((b) => b.trim())
    .filter((b) => b !== "" && !/^(--[^\n]*\n?)*$/.test(`${b}\n`));
}
