/** How a unit-test file picks its TensorFlow.js backend before its tests run. */
import * as tf from "@tensorflow/tfjs";
import { beforeAll } from "vitest";
import { initBackend } from "../../src/backends";

/** Runs the file's tests on the cpu backend, the same on every machine. */
export function useCpuBackend(): void {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });
}

/** Runs the file's tests on the backend the library chooses for itself, without its console notice. */
export function useChosenBackend(): void {
  beforeAll(async () => {
    await initBackend({ quiet: true });
  });
}
