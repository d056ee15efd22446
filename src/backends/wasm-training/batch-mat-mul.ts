/**
 * BatchMatMul for the wasm backend with transposed operands on XNNPACK (Seed 000 §4 / §5.2.2:
 * the dense layers' gradients dX = dY·Wᵀ and dW = Xᵀ·dY). tfjs-backend-wasm sends every product
 * with transposeA or transposeB (and every batched one) to a scalar triple loop; only the plain
 * 2-D product runs on XNNPACK's fully-connected operator. Here the transposed operand is laid out
 * by the (fast) Transpose kernel first, so the product itself takes the XNNPACK path.
 */
import * as tf from "@tensorflow/tfjs";
import { compose, type ComposingBackend, type KernelComposer } from "./compose";

/** Swaps the last two axes of `x` with the Transpose kernel. */
function transposeLastTwo(k: KernelComposer, x: tf.TensorInfo): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return k.run("Transpose", { x }, { perm });
}

/**
 * tfjs' BatchMatMul kernel function for `backendName`: transposed operands are materialised,
 * then `native` (the backend's own kernel) multiplies without transposes.
 */
export function batchMatMulKernel(backendName: string, native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as tf.BatchMatMulInputs;
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    if (!transposeA && !transposeB) return native(args);
    return compose(args.backend as unknown as ComposingBackend, backendName, (k) => {
      const left = transposeA ? transposeLastTwo(k, a!) : a!;
      const right = transposeB ? transposeLastTwo(k, b!) : b!;
      const product = native({ inputs: { a: left, b: right }, attrs: { transposeA: false, transposeB: false }, backend: args.backend });
      return k.adopt(product as tf.TensorInfo);
    });
  };
}
