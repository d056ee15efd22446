/** Start-up failures: the coordinator's own checks, and a worker that cannot rebuild the model. */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../../src/backends";
import { DataParallelPool, DistributedSetupError, sampleSetFromTensors, WorkerError } from "../../../src/distributed";

/** A layer registered in this process only: a worker thread has never heard of it. */
class TestOnlyDoubling extends tf.layers.Layer {
  static className = "LeptonTestOnlyDoubling";
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.mul(Array.isArray(inputs) ? inputs[0]! : inputs, 2));
  }
}
tf.serialization.registerClass(TestOnlyDoubling);

beforeAll(async () => {
  await initBackend({ quiet: true });
});

describe("Seed 001 §3.2 pool start-up", () => {
  it("refuses samples whose shape the model does not take, before starting any worker", async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, activation: "softmax", inputShape: [3] })] });
    model.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
    const x = tf.zeros([4, 5]);
    const y = tf.zeros([4]);
    await expect(DataParallelPool.start(model, sampleSetFromTensors(x, y), { workers: 2 })).rejects.toThrow(
      DistributedSetupError,
    );
    await expect(DataParallelPool.start(model, sampleSetFromTensors(x, y), { workers: 2 })).rejects.toThrow(
      /takes inputs \[3\], the samples are \[5\]/,
    );
    tf.dispose([x, y]);
    model.dispose();
  });

  it("a worker that cannot rebuild the model fails start-up with its index", async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 2, inputShape: [3] }), new TestOnlyDoubling({}), tf.layers.softmax()],
    });
    model.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
    const x = tf.zeros([4, 3]);
    const y = tf.zeros([4]);
    const started = DataParallelPool.start(model, sampleSetFromTensors(x, y), { workers: 2 });
    const error = (await started.catch((e: unknown) => e)) as WorkerError;
    expect(error).toBeInstanceOf(WorkerError);
    expect(error.workerIndex).toBe(0);
    expect(error.step).toBeNull();
    expect(error.message).toMatch(/^worker 0 failed during start-up: .*LeptonTestOnlyDoubling/);
    tf.dispose([x, y]);
    model.dispose();
  });
});
