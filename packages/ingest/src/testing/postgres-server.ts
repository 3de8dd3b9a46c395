import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  stop(): void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

function binDir(): string {
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  const dir = versions.map((v) => join(base, v, "bin")).find((d) => existsSync(join(d, "initdb")));
  if (!dir) {
    throw new Error(
      "PostgreSQL server binaries not found: install them with `apt-get install postgresql` (or set SALESLAKE_SKIP_POSTGRES=1 to skip)",
    );
  }
  return dir;
}

/**
 * A throwaway PostgreSQL server for the tests: a fresh cluster in a temp folder, on a free
 * port of 127.0.0.1, trust authentication for one local user. initdb refuses root, so as root
 * the server runs as the `postgres` system user.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), "saleslake-pg-"));
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) =>
    execFileSync(
      asRoot ? "runuser" : join(bin, cmd),
      asRoot ? ["-u", "postgres", "--", join(bin, cmd), ...args] : args,
      { stdio: "pipe" },
    );
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  const data = join(dir, "data");
  run("initdb", ["-D", data, "-A", "trust", "-U", "saleslake", "-E", "UTF8", "--no-locale"]);
  run("pg_ctl", [
    "-D",
    data,
    "-l",
    join(dir, "server.log"),
    "-w",
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off`,
    "start",
  ]);
  return {
    host: "127.0.0.1",
    port,
    user: "saleslake",
    stop: () => {
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * A PostgreSQL table shaped like the order system's: the `sales_order_lines` entity's source
 * columns, keyed by order and line, `updated_at` a `timestamptz`.
 */
export function orderLinesTableSql(table: string): string {
  return `CREATE TABLE ${table} (
    "OrderID" text NOT NULL, "LineNo" int NOT NULL, order_date date, customer_id text, product_id text, quantity int,
    unit_price numeric(12,2), discount_pct numeric(5,2), currency text, status text, channel text,
    updated_at timestamptz NOT NULL, is_deleted boolean, PRIMARY KEY ("OrderID", "LineNo"))`;
}
