/**
 * MaxPoolGrad for the wasm backend (Seed 000 §5.2.2 / Seed 001 §4.1: back-propagating through the
 * CNNs' 2×2 max-pooling). tfjs-backend-wasm's kernel runs through a generic 3-D pooling template
 * and is the slowest step of a CNN training step; this one reads and writes the wasm heap
 * directly in one pass: each dy value goes to the first maximum of its window, exactly as tfjs'
 * cpu backend routes it (strictly greater wins, windows scanned row by row).
 */
import * as tf from "@tensorflow/tfjs";

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
          for (let w = Math.max(0, w0); w < Math.min(W, w0 + g.filterWidth); w++) taps[count++] = ((b * H + h) * W + w) * C;
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

/** tfjs' MaxPoolGrad kernel function on a heap backend (wasm), built on {@link routeMaxGradient}. */
export function maxPoolGradKernel(): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const { dy, input } = inputs as tf.MaxPoolGradInputs;
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
    const heap = backend as unknown as HeapBackend;
    const info = tf.backend_util.computePool2DInfo(input!.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    const dx = heap.makeOutput([...input!.shape], "float32");
    const dxValues = heap.typedArrayFromHeap(dx) as Float32Array;
    dxValues.fill(0);
    routeMaxGradient(heap.typedArrayFromHeap(input!) as Float32Array, heap.typedArrayFromHeap(dy!) as Float32Array, dxValues, {
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
    });
    return dx;
  };
}
