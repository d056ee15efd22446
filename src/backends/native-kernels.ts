/**
 * The wasm backend's heavy training kernels on the CPU's own vector units: convolutions, their gradients and matrix
 * products as im2col + OpenBLAS SGEMM, max-pool routing and bias sums in C++ (native/cpu-kernels.cc). XNNPACK's wasm
 * build is 128-bit SIMD without fused multiply-add; these run on AVX2 FMA where the CPU has it. They read and write
 * the wasm heap in place. Optional: `npm install` builds them where g++ and OpenBLAS are installed; elsewhere, or with
 * LEPTON_NATIVE_KERNELS=0, the wasm kernels run alone.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

/** Geometry of one NHWC convolution: the 15 integers the native kernels read. */
export interface NativeConvGeometry {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly inChannels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly outChannels: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly dilationHeight: number;
  readonly dilationWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/** The element-wise operations of the addon's map(), by the code it reads. */
export const MapOp = { add: 0, multiply: 1, relu: 2, step: 3, reluGradient: 4 } as const;
export type MapOp = (typeof MapOp)[keyof typeof MapOp];

/** The addon's functions (native/cpu-kernels.cc); every array is a Float32Array view, written in place. */
export interface NativeKernels {
  conv2d(
    x: Float32Array,
    filter: Float32Array,
    bias: Float32Array | null,
    out: Float32Array,
    g: number[],
    relu: boolean,
  ): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, g: number[]): void;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, g: number[]): void;
  matMul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batchA: number,
    batchB: number,
    rows: number,
    inner: number,
    cols: number,
    transposeA: boolean,
    transposeB: boolean,
  ): void;
  maxPoolGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, g: number[]): void;
  maxPool(x: Float32Array, out: Float32Array, g: number[]): void;
  sumRows(x: Float32Array, inner: number, out: Float32Array): void;
  /** out = op(a, b) element by element ({@link MapOp}); b is a's size or one row of it, or null for one-input ops. */
  map(op: MapOp, a: Float32Array, b: Float32Array | null, out: Float32Array, alpha: number): void;
  adamStep(
    value: Float32Array,
    m: Float32Array,
    v: Float32Array,
    gradient: Float32Array,
    newValue: Float32Array,
    newM: Float32Array,
    newV: Float32Array,
    constants: [
      beta1: number,
      beta2: number,
      learningRate: number,
      epsilon: number,
      correction1: number,
      correction2: number,
    ],
  ): void;
  /** Threads this JavaScript thread's later kernels split their work over, itself included. */
  setThreads(threads: number): void;
  blas(): string;
}

/**
 * Where `npm install` (native/build.sh) puts the addon: build/native of the checkout, or of the working directory when
 * this module is bundled into one ES module file (which has no __dirname).
 */
export const NATIVE_KERNELS_PATH = join(
  typeof __dirname === "string" ? join(__dirname, "..", "..") : process.cwd(),
  "build",
  "native",
  "cpu-kernels.node",
);

type Loaded =
  | { readonly kernels: NativeKernels; readonly why?: undefined }
  | { readonly kernels?: undefined; readonly why: string };

let loaded: Loaded | undefined;
let enabled = true;

/** Loads the addon once; the reason it is not there is kept for the backend's description. */
function load(env: NodeJS.ProcessEnv): Loaded {
  if (env.LEPTON_NATIVE_KERNELS?.trim() === "0") return { why: "LEPTON_NATIVE_KERNELS=0" };
  if (!existsSync(NATIVE_KERNELS_PATH))
    return { why: "not built (apt-get install g++ libopenblas-dev; npm run build:native)" };
  try {
    const kernels = require(NATIVE_KERNELS_PATH) as NativeKernels;
    kernels.setThreads(1);
    return { kernels };
  } catch (error) {
    // A stale or broken build (OpenBLAS removed since, say) must not stop training: wasm runs alone, and says why.
    return {
      why: `${NATIVE_KERNELS_PATH} does not load (${(error as Error).message.split("\n")[0]}); rebuild it with npm run build:native`,
    };
  }
}

/** The native kernels, or undefined where they are not built, are switched off, or {@link useNativeKernels}(false). */
export function nativeKernels(env: NodeJS.ProcessEnv = process.env): NativeKernels | undefined {
  if (!enabled) return undefined;
  loaded ??= load(env);
  return loaded.kernels;
}

/** Why {@link nativeKernels} is undefined (not built, switched off, failed to load), or undefined when they run. */
export function nativeKernelsAbsence(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!enabled) return "switched off in this process";
  loaded ??= load(env);
  return loaded.why;
}

/** Switches the native kernels on or off for this process (tests and benchmarks compare both paths). */
export function useNativeKernels(on: boolean): void {
  enabled = on;
}

/** The 15 integers of `g` in the addon's order. */
export function nativeGeometry(g: NativeConvGeometry): number[] {
  return [
    g.batch,
    g.inHeight,
    g.inWidth,
    g.inChannels,
    g.outHeight,
    g.outWidth,
    g.outChannels,
    g.filterHeight,
    g.filterWidth,
    g.strideHeight,
    g.strideWidth,
    g.dilationHeight,
    g.dilationWidth,
    g.padTop,
    g.padLeft,
  ];
}
