/**
 * The element-wise kernels a CNN's training step runs over whole activations — the bias added to every pixel, relu,
 * and relu's gradient as step and product — on the native kernels where they are loaded, split over their threads.
 * tfjs-wasm runs each on one thread, the bias addition through its general broadcasting loop. Every other call goes
 * to the wasm kernel given.
 */
import type * as tf from "@tensorflow/tfjs";
import { nativeActivation, nativeAddOrMultiply } from "./native-paths";

/** Add or Multiply: same-shape float32 operands, or one a row of the other, natively; the rest to `wasm`. */
export function addOrMultiplyKernel(op: "add" | "multiply"): (wasm: tf.KernelFunc) => tf.KernelFunc {
  return (wasm) => (args) => {
    const { a, b } = args.inputs as { a?: tf.TensorInfo; b?: tf.TensorInfo };
    if (a === undefined || b === undefined) return wasm(args);
    return nativeAddOrMultiply(args.backend, op, a, b) ?? wasm(args);
  };
}

/** Relu on float32 natively; the rest to `wasm`. */
export function reluKernel(wasm: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x?: tf.TensorInfo };
    return (x !== undefined ? nativeActivation(args.backend, "relu", x) : undefined) ?? wasm(args);
  };
}

/** Step (1 above zero, alpha elsewhere, NaN kept) on float32 natively; the rest to `wasm`. */
export function stepKernel(wasm: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x?: tf.TensorInfo };
    const { alpha } = args.attrs as unknown as tf.StepAttrs;
    return (x !== undefined ? nativeActivation(args.backend, "step", x, alpha) : undefined) ?? wasm(args);
  };
}
