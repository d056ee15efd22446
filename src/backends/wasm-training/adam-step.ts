/**
 * One Adam update as a single kernel for the wasm backend ({@link ADAM_STEP_KERNEL}): tfjs' AdamOptimizer spends about
 * fourteen element-wise kernels per variable, each a full pass over the weights with a fresh output; on the seed CNN's
 * 19-million-weight Dense layer those passes cost more than its convolutions. This kernel reads value, both moments and
 * the gradient once and writes the three new tensors, on the native kernels where loaded, else in one JavaScript loop.
 */
import type * as tf from "@tensorflow/tfjs";
import { nativeKernels } from "../native-kernels";
import type { HeapBackend } from "./max-pool-grad";

/** The kernel's name in tfjs' registry. */
export const ADAM_STEP_KERNEL = "LeptonAdamStep";

/** [beta1, beta2, learningRate, epsilon, 1 − beta1^t, 1 − beta2^t]. */
export type AdamConstants = [number, number, number, number, number, number];

/** The same update as tfjs' AdamOptimizer, element by element (double precision, stored as float32). */
export function adamStepLoop(
  value: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float32Array,
  outValue: Float32Array,
  outM: Float32Array,
  outV: Float32Array,
  [beta1, beta2, rate, epsilon, correction1, correction2]: AdamConstants,
): void {
  for (let i = 0; i < value.length; i++) {
    const newM = m[i]! * beta1 + g[i]! * (1 - beta1);
    const newV = v[i]! * beta2 + g[i]! * g[i]! * (1 - beta2);
    outM[i] = newM;
    outV[i] = newV;
    outValue[i] = (newM / correction1 / (Math.sqrt(newV / correction2) + epsilon)) * -rate + value[i]!;
  }
}

/** The kernel function: inputs value, m, v, gradient (float32, one shape); attr `constants`; outputs [value, m, v]. */
export function adamStepKernel(): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const { value, m, v, gradient } = inputs as Record<"value" | "m" | "v" | "gradient", tf.TensorInfo>;
    const constants = (attrs as unknown as { constants: AdamConstants }).constants;
    const heap = backend as unknown as HeapBackend;
    const outputs = [value, m, v].map((info) => heap.makeOutput([...info.shape], "float32"));
    const views = [value, m, v, gradient, ...outputs].map((info) => heap.typedArrayFromHeap(info) as Float32Array) as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    const native = views[0].length > 0 ? nativeKernels() : undefined;
    if (native !== undefined) native.adamStep(...views, constants);
    else adamStepLoop(...views, constants);
    return outputs;
  };
}
