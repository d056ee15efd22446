import { defineConfig } from "vitest/config";

// Tests run in the `test` profile: tiny shapes, short timeouts per notebook cell.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Test files and the kernels they start share the machine's cores: each trains on one thread (tests that are about
    // threads set their own count).
    env: { LEPTON_PROFILE: "test", LEPTON_WASM_THREADS: "1" },
    // Concurrent tests (the notebooks) run two at a time: one per core.
    maxConcurrency: 2,
  },
});
