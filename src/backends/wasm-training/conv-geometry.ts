/**
 * Shapes and paddings shared by the convolution gradient kernels.
 */
import * as tf from "@tensorflow/tfjs";
import { LeptonError } from "../../errors";
import type { NativeConvGeometry } from "../native-kernels";

/** Raised when a gradient kernel is asked for a layout it does not implement. */
export class UnsupportedConvError extends LeptonError {}

/** Geometry of one forward 2-D convolution, NHWC, as the gradient kernels need it (the native kernels' and more). */
export interface ConvGeometry extends NativeConvGeometry {
  readonly padBottom: number;
  readonly padRight: number;
}

type Shape4 = [number, number, number, number];
type Pad = "valid" | "same" | number | tf.backend_util.ExplicitPadding;

/** Geometry of conv2d(x: inShape, filter: filterShape) with tfjs' own padding rules (valid, same, explicit). */
export function convGeometry(
  inShape: readonly number[],
  filterShape: readonly number[],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: Pad,
  dimRoundingMode: "floor" | "round" | "ceil" | undefined,
  dataFormat: "NHWC" | "NCHW" | undefined,
): ConvGeometry {
  if (dataFormat === "NCHW")
    throw new UnsupportedConvError("wasm training kernels support NHWC (channelsLast) only, got NCHW");
  if (inShape.length !== 4 || filterShape.length !== 4) {
    throw new UnsupportedConvError(
      `conv2d gradient needs a rank-4 input and filter, got [${inShape.join(",")}] and [${filterShape.join(",")}]`,
    );
  }
  const info = tf.backend_util.computeConv2DInfo(
    inShape as Shape4,
    filterShape as Shape4,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    "channelsLast",
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    padBottom: info.padInfo.bottom,
    padRight: info.padInfo.right,
  };
}
