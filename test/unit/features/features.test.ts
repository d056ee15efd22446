import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  channelStatistics,
  classicFeatures,
  edgeDensity,
  extractFeatures,
  featureExtractor,
  FeatureLayerError,
  hogFeatures,
  intensityHistogram,
  nearestCentroidAccuracy,
  sobelGradients,
} from "../../../src/features";

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

/** Reads a result and disposes it. */
function read<T extends tf.Tensor>(t: T): ReturnType<T["arraySync"]> {
  const a = t.arraySync() as ReturnType<T["arraySync"]>;
  t.dispose();
  return a;
}

/** 1 image, 8×8, left half 0, right half 1 (a vertical edge), and its transpose (a horizontal edge). */
function edges(): { vertical: tf.Tensor4D; horizontal: tf.Tensor4D } {
  const v = Array.from({ length: 64 }, (_, k) => (k % 8 >= 4 ? 1 : 0));
  const hz = Array.from({ length: 64 }, (_, k) => (Math.floor(k / 8) >= 4 ? 1 : 0));
  return { vertical: tf.tensor4d(v, [1, 8, 8, 1]), horizontal: tf.tensor4d(hz, [1, 8, 8, 1]) };
}

describe("classic image features", () => {
  it("intensity histogram: a constant image lands in one bin; rows sum to 1", () => {
    const img = tf.fill([2, 4, 4, 1], 0.5) as tf.Tensor4D;
    const h = intensityHistogram(img, 16);
    const rows = h.arraySync();
    expect(rows[0]![8]).toBeCloseTo(1, 6);
    expect(rows[1]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    tf.dispose([img, h]);
  });

  it("channel statistics are the per-channel mean and population std", () => {
    const img = tf.tensor4d([0, 1, 1, 1, 0, 1, 1, 1], [1, 2, 2, 2]);
    const s = read(channelStatistics(img))[0]!;
    expect(s[0]).toBeCloseTo(0.5, 6);
    expect(s[1]).toBeCloseTo(1, 6);
    expect(s[2]).toBeCloseTo(0.5, 6);
    expect(s[3]).toBeCloseTo(0, 6);
    img.dispose();
  });

  it("Sobel sees a vertical edge only in gx (value 4 at the edge), HOG puts it in the 0° bin and a horizontal edge at 90°", () => {
    const { vertical, horizontal } = edges();
    const g = sobelGradients(vertical);
    const arr = g.arraySync()[0]!;
    expect(arr[4]![3]![0]).toBeCloseTo(4, 6);
    expect(arr[4]![3]![1]).toBeCloseTo(0, 6);
    const hogV = read(hogFeatures(vertical, { cellSize: 8, bins: 9 }))[0]!;
    const hogH = read(hogFeatures(horizontal, { cellSize: 8, bins: 9 }))[0]!;
    // the image border (zero padding) adds gradients too; the edge itself dominates
    expect(hogV.indexOf(Math.max(...hogV))).toBe(0);
    expect(hogH.indexOf(Math.max(...hogH))).toBe(4);
    expect(Math.hypot(...hogV)).toBeCloseTo(1, 4);
    const density = read(edgeDensity(vertical))[0]![0]!;
    expect(density).toBeGreaterThan(0);
    tf.dispose([vertical, horizontal, g]);
  });

  it("classicFeatures concatenates: 16 + 2c + 1 + cells·bins columns", () => {
    const img = tf.randomUniform([3, 28, 28, 1], 0, 1, "float32", 1) as tf.Tensor4D;
    const f = classicFeatures(img);
    expect(f.shape).toEqual([3, 16 + 2 + 1 + 16 * 9]);
    expect(() => hogFeatures(img, { cellSize: 5 })).toThrow(/cellSize 5 must divide the image size 28×28/);
    tf.dispose([img, f]);
  });
});

describe("CNN feature extraction", () => {
  function smallCnn(): tf.Sequential {
    const m = tf.sequential({ name: "tiny" });
    m.add(
      tf.layers.conv2d({
        inputShape: [8, 8, 1],
        filters: 2,
        kernelSize: 3,
        activation: "relu",
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        name: "conv",
      }),
    );
    m.add(tf.layers.flatten({ name: "flat" }));
    m.add(
      tf.layers.dense({
        units: 4,
        activation: "relu",
        kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
        name: "hidden",
      }),
    );
    m.add(tf.layers.dense({ units: 3, activation: "softmax", name: "out" }));
    return m;
  }

  it("default layer is the classifier's input; features equal the layers applied by hand; batches join", () => {
    const model = smallCnn();
    const x = tf.randomUniform([5, 8, 8, 1], 0, 1, "float32", 3) as tf.Tensor4D;
    const features = extractFeatures(model, x, { batchSize: 2 });
    expect(features.shape).toEqual([5, 4]);
    const manual = tf.tidy(
      () => model.getLayer("hidden").apply(model.getLayer("flat").apply(model.getLayer("conv").apply(x))) as tf.Tensor,
    );
    expect(tf.tidy(() => features.sub(manual).abs().max().dataSync()[0])).toBeLessThan(1e-6);
    const conv = extractFeatures(model, x, { layer: "conv" });
    expect(conv.shape).toEqual([5, 6 * 6 * 2]);
    expect(() => featureExtractor(model, "pool")).toThrow(FeatureLayerError);
    expect(() => featureExtractor(model, "pool")).toThrow(/no layer "pool"; its layers: conv, flat, hidden, out/);
    tf.dispose([x, features, manual, conv]);
    model.dispose();
  });
});

describe("nearest-centroid accuracy", () => {
  it("matches a hand count", () => {
    // four 2-d points each, row by row: train (0,0) (0,1) (10,10) (10,11); test (1,0) (9,9) (6,6) (4,4)
    const train = tf.tensor2d([0, 0, 0, 1, 10, 10, 10, 11], [4, 2]);
    const trainY = tf.tensor1d([0, 0, 1, 1], "int32");
    const test = tf.tensor2d([1, 0, 9, 9, 6, 6, 4, 4], [4, 2]);
    const testY = tf.tensor1d([0, 1, 0, 0], "int32");
    // centroids (0, 0.5) and (10, 10.5): (6,6) is nearer class 1, so 3 of 4 right
    expect(nearestCentroidAccuracy(train, trainY, test, testY, 2)).toBeCloseTo(0.75, 6);
    tf.dispose([train, trainY, test, testY]);
  });
});
