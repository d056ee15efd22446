/** A Lepton kernel started in notebooks/ for the tests of one file, through the runner's client, and shut down after. */
import { resolve } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { startKernel, type KernelClient } from "../../../src/runner";

/** Starts the kernel before the file's tests and shuts it down after them; call the result inside a test. */
export function useNotebookKernel(): () => KernelClient {
  let kernel: KernelClient | undefined;
  beforeAll(async () => {
    kernel = await startKernel({ kernelName: "lepton", cwd: resolve(__dirname, "..", "..", "..", "notebooks") });
  }, 120_000);
  afterAll(async () => kernel?.shutdown());
  return () => kernel!;
}
