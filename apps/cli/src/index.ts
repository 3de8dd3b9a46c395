// Public surface of @saleslake/cli: the config helper for saleslake.config.ts, and the runner.
export {
  CONFIG_FILE,
  defineConfig,
  loadConfig,
  type ResolvedConfig,
  type SaleslakeConfig,
} from "./config.ts";
export { EXIT, program, run } from "./main.ts";
