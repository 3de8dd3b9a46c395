import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const CONFIG = `import { defineConfig } from "@saleslake/cli";
import { returns } from "./entities/returns.ts";

export default defineConfig({
  entities: [returns],
  // Database tables and APIs to land from, with: saleslake ingest --source NAME. Credentials are
  // references to environment variables or Key Vault secrets, never values.
  // sources: {
  //   returns_db: {
  //     kind: "postgres",
  //     entity: "sales_returns",
  //     table: "erp.returns",
  //     connection: { env: "RETURNS_PG_URL" },
  //     // Where the Data Factory pipelines read it; the password from Key Vault secret returns-db-password.
  //     factory: { server: "pg-erp.postgres.database.azure.com", database: "erp", user: "saleslake_reader" },
  //   },
  // },
  lake: {
    root: "lake",
    // The estate's lake, for: saleslake ingest --to adls … (signed in with az login or an identity).
    // adls: { accountUrl: "https://<storage account>.blob.core.windows.net" },
  },
  engine: { memoryLimit: "2GB" },
});
`;

const ENTITY = `import { defineEntity, t } from "@saleslake/schema";

/** An example entity: edit the columns to match your source. */
export const returns = defineEntity({
  name: "sales_returns",
  description: "Goods returned by customers.",
  columns: {
    return_id: t.string().source("ReturnID").maxLength(16),
    order_id: t.string().source("OrderID").maxLength(16),
    quantity: t.int().min(1),
    refund: t.decimal(12, 2).min(0),
    returned_at: t.timestamp().source("Returned"),
  },
  key: ["return_id"],
  sequence: "returned_at",
  watermark: { column: "returned_at", lookback: "PT1H" },
});
`;

const PACKAGE_JSON = `${JSON.stringify(
  {
    name: "my-saleslake-project",
    private: true,
    type: "module",
    dependencies: { "@saleslake/cli": "^0.1.0", "@saleslake/schema": "^0.1.0" },
  },
  null,
  2,
)}\n`;

const README = `# saleslake project

- \`saleslake.config.ts\`: entities, lake and engine settings.
- \`entities/\`: one file per entity.
- \`lake/\`: landed files (\`landing/<entity>/ingest_date=…/batch=…\`).
- \`state/warehouse.duckdb\`: bronze, silver, gold, quarantine and the run ledger.

The config and entity files import \`@saleslake/cli\` and \`@saleslake/schema\`: the
\`saleslake\` command provides both when the folder has not installed them; install them
(\`npm install\`) for your editor's type checking.

Land files with \`saleslake ingest --dir . <files>\`, process them with \`saleslake run --dir .\`,
and look with \`saleslake status\`, \`saleslake query\` and \`saleslake report\`.
Once the Azure estate is deployed, \`saleslake ingest --to adls <files>\` lands them into its lake
(\`lake.adls\` in the config; sign in with \`az login\`): the batch of an entity with
\`watermark: "batch"\` starts its Data Factory pipeline there.
`;

/** Scaffolds a project folder; existing files are kept. Returns the files written. */
export function initProject(dir: string): string[] {
  mkdirSync(join(dir, "entities"), { recursive: true });
  const files: [string, string][] = [
    ["saleslake.config.ts", CONFIG],
    ["entities/returns.ts", ENTITY],
    ["package.json", PACKAGE_JSON],
    ["README.md", README],
    [".gitignore", "state/\nlake/\n"],
  ];
  const written: string[] = [];
  for (const [name, text] of files) {
    if (existsSync(join(dir, name))) continue;
    writeFileSync(join(dir, name), text);
    written.push(name);
  }
  return written;
}
