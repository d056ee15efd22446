import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { convolutionTerms, convolve2d, MathInputError, pool2d } from "../../../src/math";
import { seededRandom, type Random } from "../../../src/random";
import { failOnTensorLeaks } from "../tensor-leaks";

failOnTensorLeaks();

const grid = (rows: number, columns: number, random: Random) =>
  Array.from({ length: rows }, () => Array.from({ length: columns }, () => Math.round(random.between(-10, 10)) / 4));
const asImage = (g: number[][]) => tf.tensor4d(g.flat(), [1, g.length, g[0]!.length, 1]);
const read = (t: tf.Tensor) => (t.arraySync() as number[][][][])[0]!.map((row) => row.map((cell) => cell[0]!));

describe("convolve2d (Seed 001 §4.1 by hand)", () => {
  it("adds the products of one window and the bias, through ReLU", () => {
    const image = [
      [1, 2, 0],
      [0, 1, 3],
      [4, 0, 1],
    ];
    const kernel = [
      [1, 0],
      [0, -1],
    ];
    expect(convolutionTerms(image, kernel, 0, 1).map((t) => t.weight * t.pixel)).toEqual([2, 0, 0, -3]);
    expect(convolve2d(image, kernel, 0.5)).toEqual([
      [0.5, 0],
      [0.5, 0.5],
    ]);
    expect(convolve2d(image, kernel, 0.5, "linear")).toEqual([
      [0.5, -0.5],
      [0.5, 0.5],
    ]);
  });

  it("matches tf.conv2d + bias + relu on random grids", () => {
    const random = seededRandom(7);
    for (const [h, w, k] of [
      [5, 5, 3],
      [6, 9, 3],
      [7, 4, 2],
    ] as const) {
      const image = grid(h, w, random);
      const kernel = grid(k, k, random);
      const bias = -0.25;
      const expected = tf.tidy(() =>
        read(tf.relu(tf.conv2d(asImage(image), tf.tensor4d(kernel.flat(), [k, k, 1, 1]), 1, "valid").add(bias))),
      );
      const ours = convolve2d(image, kernel, bias);
      ours.forEach((row, r) => row.forEach((v, c) => expect(v).toBeCloseTo(expected[r]![c]!, 5)));
    }
  });

  it("names what does not fit", () => {
    expect(() => convolve2d([[1, 2]], [[1], [1]], 0)).toThrow(MathInputError);
    expect(() => convolve2d([[1, 2], [3]], [[1]], 0)).toThrow(/row 1 has 1 values/);
    expect(() =>
      convolutionTerms(
        [
          [1, 2],
          [3, 4],
        ],
        [[1]],
        2,
        0,
      ),
    ).toThrow(/outside the 2×2 output/);
  });
});

describe("pool2d", () => {
  it("matches tf.maxPool and tf.avgPool (2×2, stride 2, and 3×3, stride 1)", () => {
    const random = seededRandom(11);
    const map = grid(6, 7, random);
    for (const [size, stride] of [
      [2, 2],
      [3, 1],
    ] as const) {
      const max = tf.tidy(() => read(tf.maxPool(asImage(map), size, stride, "valid")));
      const avg = tf.tidy(() => read(tf.avgPool(asImage(map), size, stride, "valid")));
      expect(pool2d(map, size, "max", stride)).toEqual(max);
      pool2d(map, size, "average", stride).forEach((row, r) =>
        row.forEach((v, c) => expect(v).toBeCloseTo(avg[r]![c]!, 5)),
      );
    }
  });

  it("refuses a window larger than the map", () => {
    expect(() =>
      pool2d(
        [
          [1, 2],
          [3, 4],
        ],
        3,
        "max",
      ),
    ).toThrow(/does not fit a 2×2 map/);
  });
});
