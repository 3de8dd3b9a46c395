// Entry of `pnpm turbo deploy` (infra's `deploy` script): see deploy-main.ts.
import { deployMain } from "./deploy-main.ts";

process.exitCode = await deployMain(
  process.argv.slice(2).filter((a) => a !== "--"),
  process.env,
);
