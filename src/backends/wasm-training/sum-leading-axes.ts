/**
 * Sum over the leading axes for the wasm backend (every conv and dense
 * layer's bias gradient sums dy over batch, height and width). tfjs-backend-wasm transposes
 * the reduced axes to the end before summing — a full copy of the largest activations of the
 * network; a sum over leading axes needs no transpose: one pass over the heap, per-channel float64
 * accumulators (as tfjs' cpu backend accumulates in JavaScript numbers).
 */
import * as tf from "@tensorflow/tfjs";
import type { HeapBackend } from "./max-pool-grad";
import { nativeSumRows } from "./native-paths";

/** Sums rows of `inner` values: out[j] = Σ_i x[i·inner + j]. */
export function sumRows(x: Float32Array, inner: number, out: Float32Array): void {
  const acc = new Float64Array(inner);
  const rows = x.length / inner;
  for (let i = 0, at = 0; i < rows; i++) for (let j = 0; j < inner; j++, at++) acc[j]! += x[at]!;
  out.set(acc);
}

/** The reduced axes when they are exactly the leading ones [0, …, k−1] with k < rank, else undefined. */
export function leadingAxes(axis: number | number[], rank: number): number | undefined {
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort(
    (p, q) => p - q,
  );
  const count = axes.length;
  return count > 0 && count < rank && axes.every((a, i) => a === i) ? count : undefined;
}

/** tfjs' Sum kernel on a heap backend: leading-axes float32 sums here, everything else to `native`. */
export function sumKernel(native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as tf.SumInputs;
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const count = x!.dtype === "float32" ? leadingAxes(axis, x!.shape.length) : undefined;
    if (count === undefined) return native(args);
    const heap = args.backend as unknown as HeapBackend;
    const kept = x!.shape.slice(count);
    const out = heap.makeOutput(keepDims ? [...x!.shape.slice(0, count).map(() => 1), ...kept] : kept, "float32");
    const values = heap.typedArrayFromHeap(x!) as Float32Array;
    const sums = heap.typedArrayFromHeap(out) as Float32Array;
    const inner = tf.util.sizeFromShape(kept);
    if (values.length === 0 || !nativeSumRows(values, inner, sums)) sumRows(values, inner, sums);
    return out;
  };
}
