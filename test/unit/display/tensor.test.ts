import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { toMimeBundle } from "../../../src/display";
import { expectWellFormed, text } from "./helpers";
import { failOnTensorLeaks } from "../tensor-leaks";

failOnTensorLeaks();

/** The numbers after "min", "max" and "mean" in a summary. */
function stats(plain: string): { min: number; max: number; mean: number } {
  const read = (name: string) => Number(new RegExp(`${name} (-?[\\d.e+-]+|NaN)`).exec(plain)![1]);
  return { min: read("min"), max: read("max"), mean: read("mean") };
}

describe("tensor summaries", () => {
  it("give shape, dtype, min / max / mean and all values of a small tensor", async () => {
    const t = tf.tensor2d([
      [1, -2],
      [3, 10],
    ]);
    const bundle = await toMimeBundle(t);
    t.dispose();
    expectWellFormed(bundle);
    const plain = text(bundle, "text/plain");
    expect(plain.split("\n")[0]).toBe("Tensor [2, 2] float32");
    expect(stats(plain)).toEqual({ min: -2, max: 10, mean: 3 });
    expect(plain).toContain("[[1, -2], [3, 10]]");
    expect(text(bundle, "text/html")).toContain("<b>Tensor</b> <code>[2, 2]</code> <i>float32</i>");
  });

  it("agree with the statistics computed in JS on a larger tensor, and show only its first values", async () => {
    const values = Array.from({ length: 600 }, (_, i) => Math.sin(i) * 3 + i / 100);
    const t = tf.tensor3d(values, [10, 20, 3]);
    const bundle = await toMimeBundle(t);
    t.dispose();
    expectWellFormed(bundle);
    const plain = text(bundle, "text/plain");
    const summary = stats(plain);
    expect(summary.min).toBeCloseTo(Math.min(...values), 3);
    expect(summary.max).toBeCloseTo(Math.max(...values), 3);
    expect(summary.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 3);
    expect(plain).toContain("… 592 more]");
    expect(plain.split("\n")[2]!.startsWith(`  [0, ${Number(values[1]!.toPrecision(4))}`)).toBe(true);
  });

  it("compute an int32 mean without integer division, and summarise bool tensors", async () => {
    const ints = tf.tensor1d([1, 2], "int32");
    const bools = tf.tensor1d([true, false, true, true], "bool");
    const intBundle = await toMimeBundle(ints);
    const boolBundle = await toMimeBundle(bools);
    ints.dispose();
    bools.dispose();
    expectWellFormed(intBundle);
    expectWellFormed(boolBundle);
    expect(stats(text(intBundle, "text/plain")).mean).toBeCloseTo(1.5, 6);
    expect(text(intBundle, "text/plain")).toContain("Tensor [2] int32");
    expect(stats(text(boolBundle, "text/plain")).mean).toBeCloseTo(0.75, 6);
  });

  it("count NaNs apart and keep them out of min / max / mean", async () => {
    const t = tf.tensor1d([1, NaN, 3, NaN]);
    const bundle = await toMimeBundle(t);
    t.dispose();
    expectWellFormed(bundle);
    const plain = text(bundle, "text/plain");
    expect(stats(plain)).toEqual({ min: 1, max: 3, mean: 2 });
    expect(plain).toContain("NaN 2");
    expect(plain).toContain("[1, NaN, 3, NaN]");
    const allNaN = tf.tensor1d([NaN, NaN]);
    const nanBundle = await toMimeBundle(allNaN);
    allNaN.dispose();
    expect(text(nanBundle!, "text/plain")).toContain("all 2 values NaN");
  });

  it("describe scalars, empty, string and disposed tensors without failing", async () => {
    const scalar = tf.scalar(2.5);
    const empty = tf.tensor1d([]);
    const words = tf.tensor1d(["a<b", "c"], "string");
    const disposed = tf.tensor1d([1]);
    disposed.dispose();
    const bundles = await Promise.all([scalar, empty, words, disposed].map((t) => toMimeBundle(t)));
    scalar.dispose();
    empty.dispose();
    words.dispose();
    bundles.forEach((b) => expectWellFormed(b));
    expect(text(bundles[0]!, "text/plain")).toContain("Tensor [] float32");
    expect(text(bundles[0]!, "text/plain")).toContain("mean 2.5");
    expect(bundles[1]!["text/plain"]).toBe("Tensor [0] float32 (empty)");
    expect(text(bundles[2]!, "text/plain")).toContain('["a<b", "c"]');
    expect(text(bundles[2]!, "text/html")).toContain("a&lt;b");
    expect(bundles[3]!["text/plain"]).toBe("Tensor [1] float32 (disposed)");
  });
});
