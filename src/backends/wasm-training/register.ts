/**
 * Registers the training kernels the wasm backend lacks or runs slowly, so the documents' CNN, RNN and GAN
 * train on XNNPACK instead of falling back to the JavaScript cpu backend.
 */
import * as tf from "@tensorflow/tfjs";
import { conv2dBackpropFilterKernel } from "./conv2d-backprop-filter";
import { batchMatMulKernel } from "./batch-mat-mul";
import { conv2dBackpropInputKernel } from "./conv2d-backprop-input";
import { conv2dOnFusedKernel, explicitSamePaddingKernel } from "./explicit-same-padding";
import { nativeFirstConvKernel } from "./conv2d-forward";
import { ADAM_STEP_KERNEL, adamStepKernel } from "./adam-step";
import { sharedCastKernel, sharedIdentityKernel } from "./shared-identity";
import { maxPoolGradKernel } from "./max-pool-grad";
import { maxPoolKernel } from "./max-pool";
import { sumKernel } from "./sum-leading-axes";
import { unsortedSegmentSumKernel } from "./unsorted-segment-sum";
import { addOrMultiplyKernel, reluKernel, stepKernel } from "./elementwise";
import { RELU_GRADIENT_KERNEL, registerReluGradient, reluGradientKernel } from "./relu-gradient";
import { LeptonError } from "../../errors";

const BACKEND = "wasm";

/** The kernels {@link registerWasmTrainingKernels} adds or replaces on wasm. */
export const WASM_TRAINING_KERNELS = [
  "Conv2DBackpropFilter",
  "Conv2DBackpropInput",
  "MaxPoolGrad",
  "MaxPool",
  "BatchMatMul",
  "UnsortedSegmentSum",
  "Conv2D",
  "FusedConv2D",
  "Sum",
  "Identity",
  "Cast",
  "Add",
  "Multiply",
  "Relu",
  "Step",
  ADAM_STEP_KERNEL,
  RELU_GRADIENT_KERNEL,
] as const;

let registered = false;

/** Raised when tfjs-backend-wasm's own kernels are not loaded yet. */
export class WasmNotLoadedError extends LeptonError {}

/** Swaps wasm's kernel `name` for `build(native)`, keeping the native setup (its cwrap) and config. */
function replace(name: string, build: (native: tf.KernelFunc) => tf.KernelFunc): void {
  const native = tf.getKernel(name, BACKEND);
  if (native === undefined)
    throw new WasmNotLoadedError(
      `tfjs-backend-wasm's ${name} kernel is not registered: import @tensorflow/tfjs-backend-wasm first`,
    );
  tf.unregisterKernel(name, BACKEND);
  tf.registerKernel({ ...native, kernelFunc: build(native.kernelFunc) });
}

/** Registers `kernelFunc` as wasm's kernel `name`, which wasm does not have. */
function add(name: string, kernelFunc: tf.KernelFunc): void {
  if (tf.getKernel(name, BACKEND) === undefined)
    tf.registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc });
}

/** Adds/replaces the wasm training kernels; idempotent. Call before or after the backend starts. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  const fused = tf.getKernel(tf.FusedConv2D, BACKEND);
  if (fused === undefined)
    throw new WasmNotLoadedError(
      "tfjs-backend-wasm's FusedConv2D kernel is not registered: import @tensorflow/tfjs-backend-wasm first",
    );
  replace(tf.Conv2D, (native) => nativeFirstConvKernel(conv2dOnFusedKernel(native, fused.kernelFunc)));
  replace(tf.FusedConv2D, (native) => nativeFirstConvKernel(explicitSamePaddingKernel(native)));
  replace(tf.Conv2DBackpropInput, (native) => conv2dBackpropInputKernel(BACKEND, native));
  replace(tf.BatchMatMul, (native) => batchMatMulKernel(BACKEND, native));
  replace(tf.MaxPoolGrad, () => maxPoolGradKernel());
  replace(tf.MaxPool, maxPoolKernel);
  replace(tf.Sum, sumKernel);
  replace(tf.Identity, sharedIdentityKernel);
  replace(tf.Cast, sharedCastKernel);
  replace(tf.Add, addOrMultiplyKernel("add"));
  replace(tf.Multiply, addOrMultiplyKernel("multiply"));
  replace(tf.Relu, reluKernel);
  replace(tf.Step, stepKernel);
  add(tf.Conv2DBackpropFilter, conv2dBackpropFilterKernel(BACKEND));
  add(tf.UnsortedSegmentSum, unsortedSegmentSumKernel());
  add(ADAM_STEP_KERNEL, adamStepKernel());
  add(RELU_GRADIENT_KERNEL, reluGradientKernel());
  registerReluGradient();
  registered = true;
}
