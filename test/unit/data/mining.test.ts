import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { readFashionMnistBytes } from "../../../src/data/fashion-mnist";
import { kMeans, PCA, symmetricEigen } from "../../../src/data/mining";

type Ref = {
  penguins_z: number[][];
  penguins_pca: {
    explained_variance: number[];
    explained_variance_ratio: number[];
    components: number[][];
    scores_first5: number[][];
  };
  penguins_kmeans_init_rows: number[];
  penguins_kmeans: { labels: number[]; centroids: number[][]; inertia: number; iterations: number };
  fashion_pca: { explained_variance: number[]; explained_variance_ratio: number[]; components: number[][] };
};
const ref = JSON.parse(readFileSync(join(__dirname, "../../fixtures/data/mining_reference.json"), "utf8")) as Ref;
const maxDiff = (a: readonly number[], b: readonly number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

describe("PCA against torch.linalg.eigh (float64)", () => {
  it("penguins (4 standardized measurements): variances, ratios, components, scores", () => {
    const pca = PCA.fit(ref.penguins_z, { components: 4 });
    expect(maxDiff(pca.explainedVariance, ref.penguins_pca.explained_variance)).toBeLessThan(1e-10);
    expect(maxDiff(pca.explainedVarianceRatio, ref.penguins_pca.explained_variance_ratio)).toBeLessThan(1e-12);
    pca.components.forEach((c, k) => expect(maxDiff(c, ref.penguins_pca.components[k]!)).toBeLessThan(1e-9));
    const scores = pca.transform(ref.penguins_z.slice(0, 5));
    scores.forEach((row, i) => expect(maxDiff(row, ref.penguins_pca.scores_first5[i]!)).toBeLessThan(1e-9));
    const back = pca.inverseTransform(pca.transform(ref.penguins_z.slice(0, 3)));
    back.forEach((row, i) => expect(maxDiff(row, ref.penguins_z[i]!)).toBeLessThan(1e-9));
  });

  it("Fashion-MNIST (500 images × 784 pixels, subspace iteration): top-5 variances and components", () => {
    const bytes = readFashionMnistBytes({ split: "test", limit: 500 });
    const rows = Array.from({ length: 500 }, (_, i) =>
      Array.from(bytes.pixels.subarray(i * 784, (i + 1) * 784), (v) => v / 255),
    );
    const pca = PCA.fit(rows, { components: 5 });
    expect(maxDiff(pca.explainedVarianceRatio, ref.fashion_pca.explained_variance_ratio)).toBeLessThan(1e-9);
    pca.components.forEach((c, k) =>
      expect(maxDiff(c, ref.fashion_pca.components[k]!), `component ${k}`).toBeLessThan(1e-6),
    );
  });

  it("symmetric eigen on a known matrix", () => {
    const { values, vectors } = symmetricEigen([
      [2, 1],
      [1, 2],
    ]);
    expect(values[0]).toBeCloseTo(3, 12);
    expect(values[1]).toBeCloseTo(1, 12);
    expect(Math.abs(vectors[0]![0]!)).toBeCloseTo(Math.SQRT1_2, 12);
  });
});

describe("k-means against numpy's Lloyd iterations", () => {
  it("same labels, centroids, inertia and iteration count from the same start", () => {
    const init = ref.penguins_kmeans_init_rows.map((i) => ref.penguins_z[i]!);
    const result = kMeans(ref.penguins_z, { k: 3, init });
    expect(result.labels).toEqual(ref.penguins_kmeans.labels);
    result.centroids.forEach((c, k) => expect(maxDiff(c, ref.penguins_kmeans.centroids[k]!)).toBeLessThan(1e-12));
    expect(result.inertia).toBeCloseTo(ref.penguins_kmeans.inertia, 9);
    expect(result.iterations).toBe(ref.penguins_kmeans.iterations);
    expect(result.converged).toBe(true);
  });

  it("k-means++ is seeded, a fixed point of Lloyd's step, and takes tensors without leaking", () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor2d(ref.penguins_z);
    const a = kMeans(x, { k: 3, seed: 4, tolerance: 0 });
    const b = kMeans(ref.penguins_z, { k: 3, seed: 4, tolerance: 0 });
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(a.labels).toEqual(b.labels);
    // (the tensor run saw float32 values, so the fixed-point checks use the float64 run)
    // every row is nearest to its own centroid; every centroid is its rows' mean
    ref.penguins_z.forEach((row, i) => {
      const d = b.centroids.map((c) => c.reduce((s, v, j) => s + (v - row[j]!) ** 2, 0));
      expect(d.indexOf(Math.min(...d))).toBe(b.labels[i]);
    });
    b.centroids.forEach((c, k) => {
      const members = ref.penguins_z.filter((_, i) => b.labels[i] === k);
      const mean = c.map((_, j) => members.reduce((s, r) => s + r[j]!, 0) / members.length);
      expect(maxDiff(c, mean)).toBeLessThan(1e-12);
    });
    expect(() => kMeans([[1, Number.NaN]], { k: 1 })).toThrow(/row 0, column 1 is NaN/);
  });
});
