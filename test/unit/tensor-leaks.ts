/** The tensor-leak harness shared by the unit tests (brief: a tensor-leak check on every model path). */
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeEach, expect } from "vitest";
import { useCpuBackend } from "./backend-setup";

/**
 * Runs a file's tests on the cpu backend and fails any test that leaves a tensor behind (its own
 * inputs included); returns a reader of the tensor count at the start of the running test.
 */
export function failOnTensorLeaks(): () => number {
  let tensorsBefore = 0;
  useCpuBackend();
  beforeEach(() => {
    tensorsBefore = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
  return () => tensorsBefore;
}
