/**
 * UnsortedSegmentSum for the wasm backend (an RNN over word ids trains its
 * embedding through the gradient of Gather, which tfjs computes with this kernel; wasm lacks it).
 * One pass over the wasm heap: out[ids[i]] += x[i], ids outside [0, numSegments) dropped as in
 * TensorFlow.
 */
import * as tf from "@tensorflow/tfjs";
import type { HeapBackend } from "./max-pool-grad";

/** Adds row i of `x` (rows of `inner` values) into row ids[i] of `out`; `out` must start at zero. */
export function segmentSum(
  x: ArrayLike<number>,
  ids: ArrayLike<number>,
  inner: number,
  out: Float32Array | Int32Array,
  numSegments: number,
): void {
  for (let i = 0; i < ids.length; i++) {
    const segment = ids[i]!;
    if (segment < 0 || segment >= numSegments) continue;
    const from = i * inner;
    const to = segment * inner;
    for (let j = 0; j < inner; j++) out[to + j]! += x[from + j]!;
  }
}

/** tfjs' UnsortedSegmentSum kernel function on a heap backend (wasm), built on {@link segmentSum}. */
export function unsortedSegmentSumKernel(): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const { x, segmentIds } = inputs as tf.UnsortedSegmentSumInputs;
    const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
    const heap = backend as unknown as HeapBackend;
    const count = tf.util.sizeFromShape(segmentIds!.shape);
    const innerShape = x!.shape.slice(segmentIds!.shape.length);
    const inner = tf.util.sizeFromShape(innerShape);
    const dtype = x!.dtype === "int32" ? "int32" : "float32";
    const out = heap.makeOutput([numSegments, ...innerShape], dtype);
    const outValues = heap.typedArrayFromHeap(out) as Float32Array | Int32Array;
    outValues.fill(0);
    if (count > 0)
      segmentSum(heap.typedArrayFromHeap(x!), heap.typedArrayFromHeap(segmentIds!), inner, outValues, numSegments);
    return out;
  };
}
