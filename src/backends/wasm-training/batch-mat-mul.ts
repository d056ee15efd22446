/**
 * BatchMatMul for the wasm backend with transposed operands on XNNPACK (the dense
 * layers' gradients dX = dY·Wᵀ and dW = Xᵀ·dY). tfjs-backend-wasm sends every product
 * with transposeA or transposeB (and every batched one) to a scalar triple loop; only the plain
 * 2-D product runs on XNNPACK's fully-connected operator. Here the transposed operand is laid out
 * by the (fast) Transpose kernel first, so the product itself takes the XNNPACK path.
 */
import * as tf from "@tensorflow/tfjs";
import { compose, type ComposingBackend, type KernelComposer } from "./compose";
import { nativeBatchMatMul } from "./native-paths";

/** Swaps the last two axes of `x` with the Transpose kernel. */
function transposeLastTwo(k: KernelComposer, x: tf.TensorInfo): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return k.run("Transpose", { x }, { perm });
}

/**
 * Elements moved before XNNPACK multiplies: transposes plus the packing of the right operand
 * (XNNPACK packs its "weights" on every new tensor). `swapped` computes (op(b)ᵀ·op(a)ᵀ)ᵀ instead,
 * which for dX = dY·Wᵀ packs the small dY instead of the big weight matrix.
 */
export function layoutCost(
  sizeA: number,
  sizeB: number,
  sizeOut: number,
  transposeA: boolean,
  transposeB: boolean,
  swapped: boolean,
): number {
  return swapped
    ? (transposeB ? 0 : sizeB) + (transposeA ? 0 : sizeA) + sizeA + sizeOut
    : (transposeA ? sizeA : 0) + (transposeB ? sizeB : 0) + sizeB;
}

/**
 * tfjs' BatchMatMul kernel function for `backendName`: the native product where loaded; else transposed operands are materialised (or,
 * when cheaper, the product is computed swapped and its result transposed), then `native` (the
 * backend's own kernel) multiplies without transposes.
 */
export function batchMatMulKernel(backendName: string, native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as tf.BatchMatMulInputs;
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const onNative = nativeBatchMatMul(args.backend, a!, b!, transposeA, transposeB);
    if (onNative !== undefined) return onNative;
    if (!transposeA && !transposeB) return native(args);
    const multiply = (left: tf.TensorInfo, right: tf.TensorInfo) =>
      native({
        inputs: { a: left, b: right },
        attrs: { transposeA: false, transposeB: false },
        backend: args.backend,
      }) as tf.TensorInfo;
    return compose(args.backend as unknown as ComposingBackend, backendName, (k) => {
      const sizeA = tf.util.sizeFromShape(a!.shape);
      const sizeB = tf.util.sizeFromShape(b!.shape);
      const rank = a!.shape.length;
      const rows = transposeA ? a!.shape[rank - 1]! : a!.shape[rank - 2]!;
      const cols = transposeB ? b!.shape[b!.shape.length - 2]! : b!.shape[b!.shape.length - 1]!;
      const batched = a!.shape.length > 2 || b!.shape.length > 2;
      const swap =
        !batched &&
        layoutCost(sizeA, sizeB, rows * cols, transposeA, transposeB, true) <
          layoutCost(sizeA, sizeB, rows * cols, transposeA, transposeB, false);
      if (swap) {
        const left = transposeB ? b! : transposeLastTwo(k, b!);
        const right = transposeA ? a! : transposeLastTwo(k, a!);
        return transposeLastTwo(k, k.adopt(multiply(left, right)));
      }
      const left = transposeA ? transposeLastTwo(k, a!) : a!;
      const right = transposeB ? transposeLastTwo(k, b!) : b!;
      return k.adopt(multiply(left, right));
    });
  };
}
