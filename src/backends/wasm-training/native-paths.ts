/**
 * The wasm training kernels' native paths (src/backends/native-kernels): each function runs one tfjs kernel call on
 * the native kernels, in place on the wasm heap, and returns undefined where they are not loaded or do not cover the
 * call (another layout, dtype or activation), so the caller runs its XNNPACK path instead.
 */
import * as tf from "@tensorflow/tfjs";
import { MapOp, nativeGeometry, nativeKernels } from "../native-kernels";
import type { ConvGeometry } from "./conv-geometry";
import type { HeapBackend } from "./max-pool-grad";

function floats(heap: HeapBackend, info: tf.TensorInfo): Float32Array {
  return heap.typedArrayFromHeap(info) as Float32Array;
}

/** Whether every given tensor is float32 and holds values (the addon rejects empty sizes). */
function allFloat32(...infos: (tf.TensorInfo | undefined)[]): boolean {
  return infos.every(
    (info) => info === undefined || (info.dtype === "float32" && tf.util.sizeFromShape(info.shape) > 0),
  );
}

/**
 * conv2d(x, filter) + bias, then relu when asked; undefined for other activations or a bias that is not per channel.
 */
export function nativeConv2d(
  backend: object,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  g: ConvGeometry,
  bias?: tf.TensorInfo,
  activation: string = "linear",
): tf.TensorInfo | undefined {
  const native = nativeKernels();
  if (native === undefined || !allFloat32(x, filter, bias)) return undefined;
  if (activation !== "linear" && activation !== "relu") return undefined;
  if (bias !== undefined && tf.util.sizeFromShape(bias.shape) !== g.outChannels) return undefined;
  const heap = backend as unknown as HeapBackend;
  const out = heap.makeOutput([g.batch, g.outHeight, g.outWidth, g.outChannels], "float32");
  native.conv2d(
    floats(heap, x),
    floats(heap, filter),
    bias === undefined ? null : floats(heap, bias),
    floats(heap, out),
    nativeGeometry(g),
    activation === "relu",
  );
  return out;
}

/** The filter gradient [kh, kw, ci, co] of conv2d(x, W) for upstream gradient dy. */
export function nativeFilterGradient(
  backend: object,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  g: ConvGeometry,
): tf.TensorInfo | undefined {
  const native = nativeKernels();
  if (native === undefined || !allFloat32(x, dy)) return undefined;
  const heap = backend as unknown as HeapBackend;
  const dw = heap.makeOutput([g.filterHeight, g.filterWidth, g.inChannels, g.outChannels], "float32");
  native.conv2dBackpropFilter(floats(heap, x), floats(heap, dy), floats(heap, dw), nativeGeometry(g));
  return dw;
}

/** The input gradient [n, h, w, ci] of conv2d(x, W) for upstream gradient dy, any stride and dilation. */
export function nativeInputGradient(
  backend: object,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  g: ConvGeometry,
): tf.TensorInfo | undefined {
  const native = nativeKernels();
  if (native === undefined || !allFloat32(dy, filter)) return undefined;
  const heap = backend as unknown as HeapBackend;
  const dx = heap.makeOutput([g.batch, g.inHeight, g.inWidth, g.inChannels], "float32");
  native.conv2dBackpropInput(floats(heap, dy), floats(heap, filter), floats(heap, dx), nativeGeometry(g));
  return dx;
}

/** op(a) · op(b) over the leading (batch) axes, where they match or one side has a single matrix. */
export function nativeBatchMatMul(
  backend: object,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): tf.TensorInfo | undefined {
  const native = nativeKernels();
  if (native === undefined || !allFloat32(a, b) || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(outerA);
  const batchB = tf.util.sizeFromShape(outerB);
  const sameOuter = outerA.length === outerB.length && outerA.every((size, i) => size === outerB[i]);
  if (!sameOuter && batchA !== 1 && batchB !== 1) return undefined;
  const [rowsA, colsA] = a.shape.slice(-2) as [number, number];
  const [rowsB, colsB] = b.shape.slice(-2) as [number, number];
  const rows = transposeA ? colsA : rowsA;
  const inner = transposeA ? rowsA : colsA;
  const cols = transposeB ? rowsB : colsB;
  if ((transposeB ? colsB : rowsB) !== inner || rows === 0 || inner === 0 || cols === 0) return undefined;
  const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  const heap = backend as unknown as HeapBackend;
  const out = heap.makeOutput([...outer, rows, cols], "float32");
  native.matMul(
    floats(heap, a),
    floats(heap, b),
    floats(heap, out),
    batchA,
    batchB,
    rows,
    inner,
    cols,
    transposeA,
    transposeB,
  );
  return out;
}

/** Routes dy to the first maximum of each pooling window of x (as tfjs' cpu backend); geometry as the addon reads it. */
export function nativeMaxPoolGrad(
  backend: object,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  geometry: readonly number[],
): tf.TensorInfo | undefined {
  const native = nativeKernels();
  if (native === undefined || !allFloat32(x, dy)) return undefined;
  const heap = backend as unknown as HeapBackend;
  const dx = heap.makeOutput([...x.shape], "float32");
  native.maxPoolGrad(floats(heap, x), floats(heap, dy), floats(heap, dx), [...geometry]);
  return dx;
}

/** The largest value of each pooling window of x (NaN never wins, as tfjs' cpu backend); geometry as for MaxPoolGrad. */
export function nativeMaxPool(
  backend: object,
  x: tf.TensorInfo,
  outShape: readonly number[],
  geometry: readonly number[],
): tf.TensorInfo | undefined {
  const native = nativeKernels();
  if (native === undefined || !allFloat32(x)) return undefined;
  const heap = backend as unknown as HeapBackend;
  const shape = [...outShape];
  const out = heap.makeOutput(shape, "float32");
  if (tf.util.sizeFromShape(shape) > 0) native.maxPool(floats(heap, x), floats(heap, out), [...geometry]);
  return out;
}

/** out[j] = Σ_i x[i·inner + j] in double precision; false where the native kernels are not loaded. */
export function nativeSumRows(x: Float32Array, inner: number, out: Float32Array): boolean {
  const native = nativeKernels();
  if (native === undefined) return false;
  native.sumRows(x, inner, out);
  return true;
}

/** Whether `row` is one row of `full`: its shape, leading 1s aside, is [full's last dimension]. */
function isRowOf(row: readonly number[], full: readonly number[]): boolean {
  const kept = row.filter((size, i) => size !== 1 || i === row.length - 1);
  return row.length <= full.length && kept.length === 1 && kept[0] === full[full.length - 1];
}

/**
 * a + b or a · b where both are float32 and of one shape, or one is a single row of the other (a bias over every
 * pixel); undefined for other broadcasts and dtypes.
 */
export function nativeAddOrMultiply(
  backend: object,
  op: "add" | "multiply",
  a: tf.TensorInfo,
  b: tf.TensorInfo,
): tf.TensorInfo | undefined {
  const native = nativeKernels();
  if (native === undefined || !allFloat32(a, b)) return undefined;
  const same = a.shape.length === b.shape.length && a.shape.every((size, i) => size === b.shape[i]);
  // Both operations commute, so a row on the left is taken as the right operand.
  const [full, other] = same || isRowOf(b.shape, a.shape) ? [a, b] : isRowOf(a.shape, b.shape) ? [b, a] : [];
  if (full === undefined || other === undefined) return undefined;
  const heap = backend as unknown as HeapBackend;
  const out = heap.makeOutput([...full.shape], "float32");
  native.map(MapOp[op], floats(heap, full), floats(heap, other), floats(heap, out), 0);
  return out;
}

/** relu(x), or step(x) with `alpha` below zero, for a float32 x. */
export function nativeActivation(
  backend: object,
  op: "relu" | "step",
  x: tf.TensorInfo,
  alpha = 0,
): tf.TensorInfo | undefined {
  const native = nativeKernels();
  if (native === undefined || !allFloat32(x)) return undefined;
  const heap = backend as unknown as HeapBackend;
  const out = heap.makeOutput([...x.shape], "float32");
  native.map(MapOp[op], floats(heap, x), null, floats(heap, out), alpha);
  return out;
}

/** Relu's gradient dy · step(x) in one pass, for float32 dy and x of one size. */
export function nativeReluGradient(backend: object, dy: tf.TensorInfo, x: tf.TensorInfo): tf.TensorInfo | undefined {
  const native = nativeKernels();
  if (native === undefined || !allFloat32(dy, x)) return undefined;
  const heap = backend as unknown as HeapBackend;
  const out = heap.makeOutput([...x.shape], "float32");
  native.map(MapOp.reluGradient, floats(heap, dy), floats(heap, x), floats(heap, out), 0);
  return out;
}
