import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { failOnTensorLeaks } from "../tensor-leaks";
import {
  BatchSizeExhaustedError,
  isOutOfMemoryError,
  MemoryBudget,
  MemoryBudgetExceededError,
  withOomBackoff,
  type BackoffEvent,
} from "../../../src/resources/oom";

failOnTensorLeaks();

/**
 * A step whose memory really runs out above `threshold`: V8 cannot reserve 256 TiB (beyond x86-64 and arm64 user
 * address space).
 */
function stepFailingAbove(threshold: number, calls: number[]) {
  return (batchSize: number): number => {
    calls.push(batchSize);
    const buffer = new ArrayBuffer(batchSize > threshold ? 2 ** 48 : batchSize * 1024);
    return buffer.byteLength;
  };
}

describe("isOutOfMemoryError", () => {
  it.each([
    ["Array buffer allocation failed", true],
    ["Aborted(Cannot enlarge memory arrays to size 2147549184 bytes (OOM).)", true],
    ["WebAssembly.Memory.grow(): Maximum memory size exceeded", true],
    ["OOM when allocating tensor with shape[512,512,3,3]", true],
    ["CUDA_ERROR_OUT_OF_MEMORY: out of memory", true],
    ["WebAssembly.Memory(): could not allocate memory", true],
    ["Shapes 3 and 4 must match", false],
    ["Room for improvement", false],
  ])("%s → %s", (message, expected) => {
    expect(isOutOfMemoryError(new Error(message))).toBe(expected);
  });

  it("knows a real V8 allocation failure, a budget's error and a WebGPU one; not a string", () => {
    let real: unknown;
    try {
      new ArrayBuffer(2 ** 48);
    } catch (error) {
      real = error;
    }
    expect(real).toBeInstanceOf(RangeError);
    expect(isOutOfMemoryError(real)).toBe(true);
    expect(isOutOfMemoryError(new MemoryBudgetExceededError("step", 2, 1))).toBe(true);
    expect(isOutOfMemoryError(Object.assign(new Error("device lost"), { name: "GPUOutOfMemoryError" }))).toBe(true);
    expect(isOutOfMemoryError("out of memory")).toBe(false);
  });
});

describe("withOomBackoff", () => {
  it("halves the batch size on a real allocation failure until the step fits, reporting each back-off", async () => {
    const calls: number[] = [];
    const seen: BackoffEvent[] = [];
    const run = await withOomBackoff(stepFailingAbove(20, calls), {
      initialBatchSize: 64,
      onBackoff: (event) => seen.push(event),
    });
    expect(calls).toEqual([64, 32, 16]);
    expect(run.batchSize).toBe(16);
    expect(run.result).toBe(16 * 1024);
    expect(run.backoffs.map((b) => [b.batchSize, b.nextBatchSize])).toEqual([
      [64, 32],
      [32, 16],
    ]);
    expect(run.backoffs[0]!.error).toMatch(/Array buffer allocation failed/);
    expect(seen).toEqual(run.backoffs);
  });

  it("runs once, without back-off, when the first size fits", async () => {
    const calls: number[] = [];
    const run = await withOomBackoff(stepFailingAbove(100, calls), { initialBatchSize: 64 });
    expect(calls).toEqual([64]);
    expect(run.backoffs).toEqual([]);
  });

  it("tries the minimum once and then throws an error naming it", async () => {
    const calls: number[] = [];
    const failure = withOomBackoff(stepFailingAbove(2, calls), { initialBatchSize: 24, minBatchSize: 5 });
    await expect(failure).rejects.toBeInstanceOf(BatchSizeExhaustedError);
    await expect(failure).rejects.toThrow(
      /out of memory even at the minimum batch size 5 \(tried 24 → 12 → 6 → 5\): Array buffer allocation failed/,
    );
    expect(calls).toEqual([24, 12, 6, 5]);
  });

  it("rethrows any other error untouched, at once", async () => {
    const bug = new TypeError("x is not a function");
    const calls: number[] = [];
    const failure = withOomBackoff(
      (batchSize) => {
        calls.push(batchSize);
        throw bug;
      },
      { initialBatchSize: 64 },
    );
    await expect(failure).rejects.toBe(bug);
    expect(calls).toEqual([64]);
  });

  it("releases the tensors a failed attempt allocated (a budget on a real training step)", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      ],
    });
    model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
    const budget = new MemoryBudget(40 * 4 * 4);
    const before = tf.memory().numTensors;
    const run = await withOomBackoff(
      async (batchSize) => {
        const x = tf.ones([batchSize, 4]);
        const y = tf.zeros([batchSize, 2]);
        budget.check(`a batch of ${batchSize}`, batchSize * 4 * 4); // after allocating: the failed attempt leaves x and y
        const loss = await model.trainOnBatch(x, y);
        tf.dispose([x, y]);
        return loss as number;
      },
      { initialBatchSize: 128 },
    );
    expect(run.batchSize).toBe(32);
    expect(run.backoffs.map((b) => b.releasedTensors)).toEqual([2, 2]);
    expect(run.backoffs[0]!.error).toMatch(
      /out of memory \(budget\): a batch of 128 needs an estimated 2,048 B, over the budget of 640 B/,
    );
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("refuses sizes that cannot work", async () => {
    await expect(withOomBackoff(() => 1, { initialBatchSize: 4, minBatchSize: 8 })).rejects.toThrow(
      /minBatchSize ≤ initialBatchSize/,
    );
    expect(() => new MemoryBudget(0)).toThrow(/budget/);
  });
});
