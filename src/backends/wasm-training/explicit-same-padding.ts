/**
 * A correctness fix for the wasm backend's forward convolutions:
 * with pad 'same', tfjs-backend-wasm 4.22 hands XNNPACK its TensorFlow-SAME flag, which returns
 * zeros for some shapes (e.g. a 1×2 filter at stride 2 on an even-height input). Spelling the
 * same padding out as explicit pads, computed by tfjs' own rules, gives the right answer.
 * Plain Conv2D also goes through FusedConv2D (linear, no bias): in tfjs-backend-wasm 4.22 only
 * the fused kernel hands XNNPACK its thread pool (src/backends/wasm-threads).
 */
import * as tf from "@tensorflow/tfjs";

interface ConvAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dilations?: number | [number, number];
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/** The explicit NHWC padding tfjs' 'same' rule gives conv2d(x: inShape, filter: filterShape). */
export function samePadding(
  inShape: readonly number[],
  filterShape: readonly number[],
  attrs: ConvAttrs,
): tf.backend_util.ExplicitPadding {
  const info = tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    "same",
    attrs.dimRoundingMode,
  );
  return [
    [0, 0],
    [info.padInfo.top, info.padInfo.bottom],
    [info.padInfo.left, info.padInfo.right],
    [0, 0],
  ];
}

/** Wraps a Conv2D / FusedConv2D kernel so that pad 'same' reaches it as explicit pads. */
export function explicitSamePaddingKernel(native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const attrs = args.attrs as unknown as ConvAttrs & { dataFormat?: string };
    const { x, filter } = args.inputs as { x?: tf.TensorInfo; filter?: tf.TensorInfo };
    if (attrs.pad !== "same" || x === undefined || filter === undefined || attrs.dataFormat === "NCHW")
      return native(args);
    const pad = samePadding(x.shape, filter.shape, attrs);
    return native({ ...args, attrs: { ...args.attrs, pad } as unknown as tf.NamedAttrMap });
  };
}

/** A Conv2D kernel that runs `fused` (the backend's FusedConv2D) with no bias and a linear activation. */
export function conv2dOnFusedKernel(native: tf.KernelFunc, fused: tf.KernelFunc): tf.KernelFunc {
  const fusedSame = explicitSamePaddingKernel(fused);
  return (args) => {
    const attrs = args.attrs as unknown as { dataFormat?: string };
    if (attrs.dataFormat === "NCHW") return native(args);
    return fusedSame({
      ...args,
      attrs: { ...args.attrs, dataFormat: "NHWC", activation: "linear" } as tf.NamedAttrMap,
    });
  };
}
