/**
 * MaxPool for the wasm backend on the native kernels, split over their threads, where they are loaded: XNNPACK's
 * pooling runs on one thread. The maximum is taken as tfjs' cpu backend takes it (NaN never wins), which is also how
 * MaxPoolGrad routes the gradient back. Other dtypes, and every call without the native kernels, go to wasm's kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { nativePoolGeometry } from "./max-pool-grad";
import { nativeMaxPool } from "./native-paths";

/** Wraps wasm's MaxPool kernel `xnnpack`. */
export function maxPoolKernel(xnnpack: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as tf.MaxPoolInputs;
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolAttrs;
    if (x === undefined || x.shape.length !== 4) return xnnpack(args);
    const info = tf.backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    return nativeMaxPool(args.backend, x, info.outShape, nativePoolGeometry(info)) ?? xnnpack(args);
  };
}
