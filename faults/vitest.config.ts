import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // One file at a time: the suite kills processes and measures what survives.
    fileParallelism: false,
    testTimeout: 120_000,
    globalSetup: ["./test/summary-setup.ts"],
  },
});
