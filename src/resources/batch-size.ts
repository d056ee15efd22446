/**
 * Batch size from free memory — Seed 000 §3.3 step 2, "资源调度" (adjust the resources a task gets
 * to what is in use), applied to the one knob a training run has: how many examples go through
 * the model at once.
 *
 * The memory estimate of one training step (float32, 4 bytes a number; P parameters):
 * - state, held between steps: P × (1 + k) — the weights and the optimizer's k slots per weight
 *   (Adam 2, momentum 1, SGD 0, …);
 * - gradients: P, all alive when backpropagation ends;
 * - then the larger of two phases —
 *   activations, per example: the input, every layer's output × 6 and the model's output × 20
 *   more. tfjs holds a layer's output several times over a step — the forward value, the copy its
 *   tape saves for backpropagation, the gradient flowing back and the activation's backward
 *   temporaries — and the loss (clip, one-hot, log, their gradients) makes about twenty tensors the
 *   size of the output. Both factors were read off `tf.profile` of the workbook's Fashion-MNIST
 *   CNN on tfjs 4.22 (wasm: 0.90 MB measured per example against 0.92 MB estimated);
 *   optimizer update: the full-size temporaries tfjs 4.22's `applyGradients` makes per weight,
 *   counted in its source (Adam 14, Adamax 10 — both for all weights at once, inside one `tidy`;
 *   SGD 2, momentum 4, Adagrad 7, RMSProp 15, Adadelta 16 — for one weight at a time).
 * It ignores a backend's scratch space (im2col buffers, packed weights) and the allocator's
 * fragmentation, so it is a planning figure (the notebook checks it against `tf.profile`);
 * `withOomBackoff` (./oom) catches what it misses.
 */
import { freemem } from "node:os";
import type * as tf from "@tensorflow/tfjs";
import { queryNvidiaSmi } from "./readers";
import { LeptonError } from "../errors";

const FLOAT32_BYTES = 4;
/** Times a layer's output is held during a training step. */
export const ACTIVATION_COPIES = 6;
/** Extra tensors of the output's size the loss and its gradient make. */
export const LOSS_COPIES = 20;

/**
 * How a tfjs optimizer holds memory: slots per weight, full-size temporaries of its update, and whether they pile up
 * over all weights.
 */
export interface OptimizerMemory {
  readonly slots: number;
  readonly updateTemporaries: number;
  readonly allWeightsAtOnce: boolean;
}

/** Optimizer memory by tfjs class name, counted in tfjs-core 4.22's optimizers. */
export const OPTIMIZER_MEMORY: Readonly<Record<string, OptimizerMemory>> = {
  SGD: { slots: 0, updateTemporaries: 2, allWeightsAtOnce: false },
  Momentum: { slots: 1, updateTemporaries: 4, allWeightsAtOnce: false },
  Adagrad: { slots: 1, updateTemporaries: 7, allWeightsAtOnce: false },
  RMSProp: { slots: 2, updateTemporaries: 15, allWeightsAtOnce: false },
  Adadelta: { slots: 2, updateTemporaries: 16, allWeightsAtOnce: false },
  Adam: { slots: 2, updateTemporaries: 14, allWeightsAtOnce: true },
  Adamax: { slots: 2, updateTemporaries: 10, allWeightsAtOnce: true },
};

/** The estimated memory of one training step. */
export interface TrainingMemoryEstimate {
  readonly parameters: number;
  /** Weights and optimizer slots: held between steps. */
  readonly stateBytes: number;
  /** One gradient per weight. */
  readonly gradientBytes: number;
  /** The optimizer update's temporaries. */
  readonly updateBytes: number;
  /** Input, activations, their gradients and the loss's temporaries of one example. */
  readonly bytesPerExample: number;
  /** How the figures were reached, in words. */
  readonly detail: string;
}

/** Raised when a model's shapes or a memory figure do not allow an estimate or a choice. */
export class BatchSizeError extends LeptonError {}

function elements(shape: readonly (number | null)[], where: string): number {
  return shape.slice(1).reduce<number>((product, size) => {
    if (size === null || !Number.isInteger(size))
      throw new BatchSizeError(
        `${where} has a shape ${JSON.stringify(shape)} with an unknown size beyond the batch axis`,
      );
    return product * size;
  }, 1);
}

function shapes(shape: tf.Shape | tf.Shape[]): tf.Shape[] {
  return Array.isArray(shape[0]) || shape.length === 0 ? (shape as tf.Shape[]) : [shape as tf.Shape];
}

function optimizerMemory(model: tf.LayersModel): { memory: OptimizerMemory; name: string; known: boolean } {
  const optimizer = model.optimizer;
  if (optimizer === undefined || optimizer === null)
    throw new BatchSizeError(
      `model ${model.name} is not compiled: its optimizer decides the memory of a training step`,
    );
  const name = optimizer.getClassName();
  const known = OPTIMIZER_MEMORY[name];
  if (known === undefined) return { memory: OPTIMIZER_MEMORY.Adam!, name, known: false };
  const centered = name === "RMSProp" && optimizer.getConfig().centered === true;
  return {
    memory: centered ? { slots: 3, updateTemporaries: 17, allWeightsAtOnce: false } : known,
    name: centered ? "centered RMSProp" : name,
    known: true,
  };
}

/** Estimates a compiled model's training-step memory from its parameters and layer output shapes. */
export function estimateTrainingMemory(model: tf.LayersModel): TrainingMemoryEstimate {
  const parameters = model.countParams();
  const largestWeight = model.trainableWeights.reduce((most, w) => Math.max(most, w.read().size), 0);
  const { memory, name, known } = optimizerMemory(model);
  const inputs = model.inputs.reduce(
    (sum, input) => sum + elements(input.shape, `model ${model.name} input ${input.name}`),
    0,
  );
  const activations = model.layers.reduce(
    (sum, layer) => sum + shapes(layer.outputShape).reduce((s, shape) => s + elements(shape, `layer ${layer.name}`), 0),
    0,
  );
  const outputs = model.outputs.reduce(
    (sum, output) => sum + elements(output.shape, `model ${model.name} output ${output.name}`),
    0,
  );
  const updated = memory.allWeightsAtOnce ? parameters : largestWeight;
  return {
    parameters,
    stateBytes: parameters * (1 + memory.slots) * FLOAT32_BYTES,
    gradientBytes: parameters * FLOAT32_BYTES,
    updateBytes: updated * memory.updateTemporaries * FLOAT32_BYTES,
    bytesPerExample: (inputs + ACTIVATION_COPIES * activations + LOSS_COPIES * outputs) * FLOAT32_BYTES,
    detail:
      `${name}${known ? "" : " (unknown: counted as Adam)"}: ${parameters.toLocaleString("en")} parameters × (1 + ${memory.slots} slots) held, × 1 gradient, ` +
      `update ${memory.updateTemporaries} × ${memory.allWeightsAtOnce ? "all" : "the largest"} ${updated.toLocaleString("en")} weights; ` +
      `per example ${inputs.toLocaleString("en")} inputs + ${ACTIVATION_COPIES} × ${activations.toLocaleString("en")} activations + ${LOSS_COPIES} × ${outputs} outputs; × 4 B`,
  };
}

/** The estimated peak bytes of a training step at `batchSize`, state included. */
export function estimatedStepBytes(estimate: TrainingMemoryEstimate, batchSize: number): number {
  return (
    estimate.stateBytes + estimate.gradientBytes + Math.max(batchSize * estimate.bytesPerExample, estimate.updateBytes)
  );
}

/** Memory a backend can still use, and where the figure comes from. */
export interface AvailableMemory {
  readonly bytes: number;
  readonly source: string;
}

/**
 * Free memory for tensors: GPU 0's free memory from nvidia-smi
 * when `onGpu` and it answers; the system's free memory (`os.freemem()`) otherwise — where the
 * cpu and wasm backends (and tensorflow on CPU) keep their tensors.
 */
export async function availableMemory(onGpu: boolean): Promise<AvailableMemory> {
  if (onGpu) {
    const reading = await queryNvidiaSmi();
    const gpu = reading.gpus?.[0];
    if (gpu !== undefined && gpu.memoryTotalMiB !== null && gpu.memoryUsedMiB !== null) {
      return { bytes: (gpu.memoryTotalMiB - gpu.memoryUsedMiB) * 1024 ** 2, source: "GPU 0 free memory (nvidia-smi)" };
    }
  }
  return { bytes: freemem(), source: "system free memory (os.freemem)" };
}

/** Options of {@link chooseBatchSize}. */
export interface ChooseBatchSizeOptions {
  readonly estimate: TrainingMemoryEstimate;
  readonly freeBytes: number;
  /** Share of the free memory a step may use; default 0.5 (the rest: other processes, the data, headroom). */
  readonly fraction?: number;
  readonly minBatchSize?: number;
  /** Beyond some size a larger batch no longer trains faster per example; default 512. */
  readonly maxBatchSize?: number;
}

/** A batch size and why. */
export interface BatchSizeChoice {
  readonly batchSize: number;
  /** Bytes the step may use: `fraction` × free memory. */
  readonly budgetBytes: number;
  readonly estimatedBytes: number;
  /** "memory": the largest power of two that fits; "maximum": capped by maxBatchSize. */
  readonly limitedBy: "memory" | "maximum";
}

/**
 * The largest power-of-two batch size whose estimated step fits in `fraction` of the free memory,
 * capped at `maxBatchSize`. Throws BatchSizeError when
 * not even `minBatchSize` fits.
 */
export function chooseBatchSize(options: ChooseBatchSizeOptions): BatchSizeChoice {
  const fraction = options.fraction ?? 0.5;
  const minBatchSize = options.minBatchSize ?? 1;
  const maxBatchSize = options.maxBatchSize ?? 512;
  if (!(fraction > 0 && fraction <= 1)) throw new BatchSizeError(`fraction must be in (0, 1], got ${fraction}`);
  if (
    !Number.isInteger(minBatchSize) ||
    minBatchSize < 1 ||
    !Number.isInteger(maxBatchSize) ||
    maxBatchSize < minBatchSize
  ) {
    throw new BatchSizeError(`need integers 1 ≤ minBatchSize ≤ maxBatchSize, got ${minBatchSize} and ${maxBatchSize}`);
  }
  const budgetBytes = fraction * options.freeBytes;
  const fits = (batch: number) => estimatedStepBytes(options.estimate, batch) <= budgetBytes;
  if (!fits(minBatchSize)) {
    throw new BatchSizeError(
      `even batch size ${minBatchSize} needs an estimated ${estimatedStepBytes(options.estimate, minBatchSize).toLocaleString("en")} B, over the budget of ${Math.floor(budgetBytes).toLocaleString("en")} B (${fraction} × ${options.freeBytes.toLocaleString("en")} B free)`,
    );
  }
  const { stateBytes, gradientBytes, bytesPerExample } = options.estimate;
  const byMemory = Math.floor((budgetBytes - stateBytes - gradientBytes) / bytesPerExample);
  // byMemory ≥ minBatchSize here, since minBatchSize fits.
  const batchSize = Math.max(minBatchSize, 2 ** Math.floor(Math.log2(Math.min(byMemory, maxBatchSize))));
  return {
    batchSize,
    budgetBytes,
    estimatedBytes: estimatedStepBytes(options.estimate, batchSize),
    limitedBy: byMemory > maxBatchSize ? "maximum" : "memory",
  };
}
