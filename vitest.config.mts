import { defineConfig } from "vitest/config";

// Tests run in the `test` profile: tiny shapes, short timeouts per notebook cell.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { LEPTON_PROFILE: "test" },
    // Concurrent tests (the notebooks) run two at a time: one per core.
    maxConcurrency: 2,
  },
});
