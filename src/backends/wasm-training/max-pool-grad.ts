/**
 * MaxPoolGrad for the wasm backend (back-propagating through the
 * CNNs' 2×2 max-pooling). tfjs-backend-wasm's kernel runs through a generic 3-D pooling template
 * and is the slowest step of a CNN training step; this one reads and writes the wasm heap
 * directly in one pass: each dy value goes to the first maximum of its window, exactly as tfjs'
 * cpu backend routes it (strictly greater wins, windows scanned row by row). The CNNs' pools do
 * not overlap (window = stride, 2×2); {@link routeMaxGradient2x2} handles those with four reads and
 * one write per window. (A mask built from wasm element-wise ops would pass over the data a dozen
 * times to keep that routing.)
 */
import * as tf from "@tensorflow/tfjs";
import { nativeMaxPoolGrad } from "./native-paths";

/** The part of the wasm backend this kernel uses: heap views of tensors and new outputs. */
export interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** Geometry of one 2-D max pooling, NHWC. */
export interface PoolGeometry {
  readonly batch: number;
  readonly channels: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/** Adds each dy value to dx at the first maximum of its pooling window in x. dx must start at zero. */
export function routeMaxGradient(x: Float32Array, dy: Float32Array, dx: Float32Array, g: PoolGeometry): void {
  const { channels: C, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = g;
  const taps = new Int32Array(g.filterHeight * g.filterWidth);
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * g.strideHeight - g.padTop;
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * g.strideWidth - g.padLeft;
        // Offsets of the window's pixels inside the image, row by row (the cpu backend's order).
        let count = 0;
        for (let h = Math.max(0, h0); h < Math.min(H, h0 + g.filterHeight); h++) {
          for (let w = Math.max(0, w0); w < Math.min(W, w0 + g.filterWidth); w++)
            taps[count++] = ((b * H + h) * W + w) * C;
        }
        const dyBase = ((b * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let t = 0; t < count; t++) {
            const value = x[taps[t]! + c]!;
            if (value > best) {
              best = value;
              at = taps[t]! + c;
            }
          }
          if (at >= 0) dx[at]! += dy[dyBase + c]!;
        }
      }
    }
  }
}

/** Whether `g` is a 2×2 pool at stride 2 whose windows start inside the image (valid, or same with no top/left pad). */
export function isPlain2x2(g: PoolGeometry): boolean {
  return (
    g.filterHeight === 2 &&
    g.filterWidth === 2 &&
    g.strideHeight === 2 &&
    g.strideWidth === 2 &&
    g.padTop === 0 &&
    g.padLeft === 0
  );
}

/**
 * {@link routeMaxGradient} for a 2×2 pool at stride 2 with no top/left padding: four reads and one
 * write per window and channel; windows cut by the bottom/right edge take the general path's rules
 * (missing taps skipped), and pixels no window covers keep 0.
 */
export function routeMaxGradient2x2(x: Float32Array, dy: Float32Array, dx: Float32Array, g: PoolGeometry): void {
  const { channels: C, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = g;
  const fullRows = Math.min(OH, H >> 1);
  const fullCols = Math.min(OW, W >> 1);
  dx.fill(0);
  const row = W * C;
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < fullRows; oh++) {
      const top = (b * H + 2 * oh) * row;
      for (let ow = 0; ow < fullCols; ow++) {
        const p00 = top + 2 * ow * C;
        const p01 = p00 + C;
        const p10 = p00 + row;
        const p11 = p10 + C;
        const dyBase = ((b * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          // First maximum in row order, strictly greater wins; NaN and −∞ never win (as the general path).
          let at = -1;
          let best = Number.NEGATIVE_INFINITY;
          let value: number;
          if ((value = x[p00 + c]!) > best) ((best = value), (at = p00 + c));
          if ((value = x[p01 + c]!) > best) ((best = value), (at = p01 + c));
          if ((value = x[p10 + c]!) > best) ((best = value), (at = p10 + c));
          if (x[p11 + c]! > best) at = p11 + c;
          if (at >= 0) dx[at] = dy[dyBase + c]!;
        }
      }
    }
  }
  if (fullRows < OH || fullCols < OW) routeEdgeWindows(x, dy, dx, g, fullRows, fullCols);
}

/** The windows {@link routeMaxGradient2x2} leaves: those in output rows ≥ fullRows or columns ≥ fullCols. */
function routeEdgeWindows(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  g: PoolGeometry,
  fullRows: number,
  fullCols: number,
): void {
  const { channels: C, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = g;
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = oh < fullRows ? fullCols : 0; ow < OW; ow++) {
        const dyBase = ((b * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let h = 2 * oh; h < Math.min(H, 2 * oh + 2); h++) {
            for (let w = 2 * ow; w < Math.min(W, 2 * ow + 2); w++) {
              const i = ((b * H + h) * W + w) * C + c;
              if (x[i]! > best) ((best = x[i]!), (at = i));
            }
          }
          if (at >= 0) dx[at]! += dy[dyBase + c]!;
        }
      }
    }
  }
}

/** A 2-D pool's geometry as the native kernels read it: the 12 integers of {@link PoolGeometry}, batch first. */
export function nativePoolGeometry(info: tf.backend_util.Conv2DInfo): number[] {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

/** tfjs' MaxPoolGrad kernel function on a heap backend (wasm): the native kernel where loaded, else {@link routeMaxGradient}. */
export function maxPoolGradKernel(): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const { dy, input } = inputs as tf.MaxPoolGradInputs;
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
    const heap = backend as unknown as HeapBackend;
    const info = tf.backend_util.computePool2DInfo(
      input!.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const native = nativeMaxPoolGrad(backend, input!, dy!, nativePoolGeometry(info));
    if (native !== undefined) return native;
    const dx = heap.makeOutput([...input!.shape], "float32");
    const dxValues = heap.typedArrayFromHeap(dx) as Float32Array;
    const geometry: PoolGeometry = {
      batch: info.batchSize,
      channels: info.inChannels,
      inHeight: info.inHeight,
      inWidth: info.inWidth,
      outHeight: info.outHeight,
      outWidth: info.outWidth,
      filterHeight: info.filterHeight,
      filterWidth: info.filterWidth,
      strideHeight: info.strideHeight,
      strideWidth: info.strideWidth,
      padTop: info.padInfo.top,
      padLeft: info.padInfo.left,
    };
    const [x, dyValues] = [
      heap.typedArrayFromHeap(input!) as Float32Array,
      heap.typedArrayFromHeap(dy!) as Float32Array,
    ];
    if (isPlain2x2(geometry)) routeMaxGradient2x2(x, dyValues, dxValues, geometry);
    else {
      dxValues.fill(0);
      routeMaxGradient(x, dyValues, dxValues, geometry);
    }
    return dx;
  };
}
