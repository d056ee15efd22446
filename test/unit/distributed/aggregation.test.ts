import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  DistributedSetupError,
  gatherBatch,
  lossNameOf,
  meanLoss,
  packShard,
  sampleSetFromTensors,
  shardGradients,
  ShardPositionError,
  trainableVariables,
  weightedAverage,
  weightLayout,
} from "../../../src/distributed";
import { multiClassCnn } from "../../../src/models";
import { relativeError } from "../../../src/math";
import { useChosenBackend } from "../backend-setup";

useChosenBackend();

describe("Seed 001 §3.2 step 4: weighted average of gradients", () => {
  it("weights each worker by its sample count and skips workers without samples", () => {
    const out = new Float32Array(2);
    weightedAverage([Float32Array.of(1, 10), Float32Array.of(4, -2), Float32Array.of(99, 99)], [1, 3, 0], out);
    expect(out[0]).toBeCloseTo((1 * 1 + 3 * 4) / 4, 6);
    expect(out[1]).toBeCloseTo((1 * 10 + 3 * -2) / 4, 6);
  });

  it("refuses mismatched inputs and a step without samples", () => {
    const out = new Float32Array(2);
    expect(() => weightedAverage([Float32Array.of(1, 2)], [0], out)).toThrow(/no worker had samples/);
    expect(() => weightedAverage([Float32Array.of(1, 2, 3)], [1], out)).toThrow(/gradient 0 has 3 values, expected 2/);
    expect(() => weightedAverage([Float32Array.of(1, 2)], [1, 2], out)).toThrow(DistributedSetupError);
  });
});

describe("Seed 001 §3.2 step 3: shard gradients of a small multiClassCnn", () => {
  const build = () => multiClassCnn({ inputShape: [8, 8, 1], convFilters: [3], denseUnits: 6, classes: 4, seed: 2 });

  it("the mean loss matches tfjs-layers' own sparse categorical cross-entropy", () => {
    const model = build();
    const x = tf.randomUniform([6, 8, 8, 1], 0, 1, "float32", 4);
    const y = tf.tensor1d([0, 1, 2, 3, 1, 2]);
    const ours = tf.tidy(
      () => meanLoss(lossNameOf(model), y.reshape([6, 1]), model.predict(x) as tf.Tensor).dataSync()[0]!,
    );
    const keras = model.evaluate(x, y) as tf.Scalar[];
    expect(ours).toBeCloseTo(keras[0]!.dataSync()[0]!, 5);
    tf.dispose([x, y, ...keras]);
    model.dispose();
  });

  it("unequal shards, weighted by size, give the whole batch's gradient; no tensor is left behind", () => {
    const model = build();
    const x = tf.randomUniform([7, 8, 8, 1], 0, 1, "float32", 5);
    const y = tf.tensor1d([3, 1, 0, 2, 2, 1, 0]);
    const set = sampleSetFromTensors(x, y);
    const layout = weightLayout(model);
    const variables = trainableVariables(model);
    const flat = () => new Float32Array(layout.length);
    const collect = (target: Float32Array) => (grads: Readonly<Record<string, tf.Tensor>>) =>
      layout.slots.forEach((slot, k) => target.set(grads[variables[k]!.name]!.dataSync() as Float32Array, slot.offset));
    const all = packShard(set, Int32Array.from([0, 1, 2, 3, 4, 5, 6]));
    const whole = flat();
    const before = tf.memory().numTensors;
    shardGradients(
      model,
      variables,
      "sparseCategoricalCrossentropy",
      gatherBatch(all, Int32Array.from([0, 1, 2, 3, 4, 5, 6])),
      set.inputShape,
      collect(whole),
    );
    const shardIndices = [Int32Array.of(4, 0, 6, 2), Int32Array.of(5), Int32Array.of(1, 3)];
    const parts = shardIndices.map((indices) => {
      const shard = packShard(set, indices);
      const gradient = flat();
      shardGradients(
        model,
        variables,
        "sparseCategoricalCrossentropy",
        gatherBatch(
          shard,
          Int32Array.from(indices, (_, i) => i),
        ),
        set.inputShape,
        collect(gradient),
      );
      return gradient;
    });
    expect(tf.memory().numTensors).toBe(before);
    const averaged = weightedAverage(
      parts,
      shardIndices.map((s) => s.length),
      flat(),
    );
    expect(relativeError(averaged, whole)).toBeLessThan(1e-5);
    // the plain (unweighted) mean of the three is not the batch gradient: the weights matter
    const plain = weightedAverage(parts, [1, 1, 1], flat());
    expect(relativeError(plain, whole)).toBeGreaterThan(1e-2);
    tf.dispose([x, y]);
    model.dispose();
  });

  it("a position outside the shard is refused with the position named, and leaks nothing", () => {
    const x = tf.zeros([3, 8, 8, 1]);
    const y = tf.zeros([3]);
    const shard = packShard(sampleSetFromTensors(x, y), Int32Array.of(0, 1));
    expect(() => gatherBatch(shard, Int32Array.of(1, 2))).toThrow(ShardPositionError);
    expect(() => gatherBatch(shard, Int32Array.of(1, 2))).toThrow(/position 2 \(entry 1 .*shard of 2 samples/);
    tf.dispose([x, y]);
  });

  it("refuses models it cannot synchronise or whose loss it does not know", () => {
    const uncompiled = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    expect(() => lossNameOf(uncompiled)).toThrow(/compiled with one loss by name/);
    uncompiled.compile({ optimizer: "sgd", loss: "hinge" });
    expect(() => lossNameOf(uncompiled)).toThrow(/loss "hinge" is not one of/);
    uncompiled.dispose();
    const normalised = tf.sequential({
      layers: [tf.layers.dense({ units: 2, inputShape: [3] }), tf.layers.batchNormalization()],
    });
    expect(() => weightLayout(normalised)).toThrow(/non-trainable weights .*moving_mean/);
    normalised.dispose();
  });
});
