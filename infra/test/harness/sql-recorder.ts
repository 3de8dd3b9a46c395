import type { SqlConnect, SqlTarget } from "../../src/deploy/sql/sql-target.ts";

/**
 * Stands in for Azure SQL and Synapse serverless over TDS, which cannot run on this machine: it
 * records the batches each database receives and keeps the applied-hash state in memory.
 */
export class SqlRecorder {
  /** `server/database` → batches executed, in order. */
  readonly batches = new Map<string, string[]>();
  private readonly hashes = new Map<string, string>();
  readonly connections: string[] = [];
  open = 0;

  readonly connect: SqlConnect = async (server, database) => {
    const key = `${server}/${database}`;
    this.connections.push(key);
    this.open++;
    const target: SqlTarget = {
      execute: async (batch) => {
        const list = this.batches.get(key) ?? [];
        list.push(batch);
        this.batches.set(key, list);
      },
      appliedHash: async (name) => this.hashes.get(`${key}#${name}`),
      recordHash: async (name, hash) => {
        this.hashes.set(`${key}#${name}`, hash);
      },
      close: async () => {
        this.open--;
      },
    };
    return target;
  };

  executed(): number {
    return [...this.batches.values()].reduce((n, b) => n + b.length, 0);
  }
}
