import { defineConfig } from "vitest/config";

// Tests run real engines and servers; on a busy two-core machine a case can take several
// seconds, so the per-test and hook defaults (5 s, 10 s) are raised. Tests never assert speed.
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 120_000 },
});
