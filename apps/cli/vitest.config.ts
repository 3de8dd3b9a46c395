import { defineConfig } from "vitest/config";

// Every CLI test spawns the real binary, often several times; a cold start is ~0.7 s on a busy
// two-core machine, so the default 5 s per test is too tight for tests that run eight commands.
export default defineConfig({
  test: { testTimeout: 60_000 },
});
