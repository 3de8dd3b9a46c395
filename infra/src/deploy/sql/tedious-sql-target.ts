import type { TokenCredential } from "@azure/core-auth";
import { Connection, Request, TYPES } from "tedious";
import { InfraError } from "../../infra-error.ts";
import type { SqlConnect, SqlTarget } from "./sql-target.ts";

// Where applied hashes live: beside the objects they describe, in the target database.
const STATE_TABLE = `IF SCHEMA_ID(N'saleslake_deploy') IS NULL EXEC(N'CREATE SCHEMA saleslake_deploy');
IF OBJECT_ID(N'saleslake_deploy.applied', N'U') IS NULL
CREATE TABLE saleslake_deploy.applied (name nvarchar(128) NOT NULL PRIMARY KEY, hash char(64) NOT NULL, applied_at datetime2(3) NOT NULL);`;

/**
 * Azure SQL / Synapse serverless over TDS (tedious), authenticated with a Microsoft Entra access
 * token from the deploy's credential: no SQL login, no password. Encrypted connection.
 */
export const connectTedious: SqlConnect = async (server, database, credential: TokenCredential) => {
  const token = await credential.getToken("https://database.windows.net/.default");
  if (!token)
    throw new InfraError("NO_CREDENTIALS", `no Microsoft Entra token for ${server}`, {
      hint: "The deploy identity needs to be a Microsoft Entra admin (or user) of the server.",
    });
  const connection = new Connection({
    server,
    authentication: { type: "azure-active-directory-access-token", options: { token: token.token } },
    options: {
      database,
      encrypt: true,
      trustServerCertificate: false,
      connectTimeout: 30_000,
      requestTimeout: 300_000,
    },
  });
  await new Promise<void>((resolve, reject) => {
    connection.on("connect", (err) => (err ? reject(err) : resolve()));
    connection.connect();
  });
  const exec = (sql: string, params: Record<string, string> = {}): Promise<unknown[][]> =>
    new Promise((resolve, reject) => {
      const rows: unknown[][] = [];
      const request = new Request(sql, (err) => (err ? reject(err) : resolve(rows)));
      for (const [k, v] of Object.entries(params)) request.addParameter(k, TYPES.NVarChar, v);
      request.on("row", (cols) => rows.push(cols.map((c: { value: unknown }) => c.value)));
      if (Object.keys(params).length === 0) connection.execSqlBatch(request);
      else connection.execSql(request);
    });
  let stateReady = false;
  const state = async () => {
    if (!stateReady) await exec(STATE_TABLE);
    stateReady = true;
  };
  const target: SqlTarget = {
    execute: async (batch) => {
      await exec(batch);
    },
    appliedHash: async (name) => {
      await state();
      const rows = await exec("SELECT hash FROM saleslake_deploy.applied WHERE name = @name", { name });
      return rows[0]?.[0] === undefined ? undefined : String(rows[0][0]);
    },
    recordHash: async (name, hash) => {
      await state();
      await exec(
        `MERGE saleslake_deploy.applied AS t USING (SELECT @name AS name, @hash AS hash) AS s ON t.name = s.name
WHEN MATCHED THEN UPDATE SET hash = s.hash, applied_at = SYSUTCDATETIME()
WHEN NOT MATCHED THEN INSERT (name, hash, applied_at) VALUES (s.name, s.hash, SYSUTCDATETIME());`,
        { name, hash },
      );
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        connection.on("end", () => resolve());
        connection.close();
      });
    },
  };
  return target;
};
