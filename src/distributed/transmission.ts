/**
 * Seed 001 §3.2 step 2, data transmission, between threads of one machine: each worker's data shard
 * moves to it once as transferable buffers (ownership passes, nothing is copied), and every step
 * the weights go out and the gradients come back through shared memory (SharedArrayBuffer): the
 * coordinator writes the weights once, each worker copies them into its tensors and writes its
 * gradients into its own slot. Atomics stamps tell a reader which step a block belongs to.
 */
import * as tf from "@tensorflow/tfjs";
import { DistributedSetupError } from "./errors";

/** Where one trainable weight lives in the flat weight / gradient vector. */
export interface WeightSlot {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
}

/** The flat layout of a model's trainable weights, shared by coordinator and workers. */
export interface WeightLayout {
  readonly slots: readonly WeightSlot[];
  /** Float32 values in the whole vector. */
  readonly length: number;
  /** Bytes of the whole vector (length × 4). */
  readonly bytes: number;
}

/** A dataset as flat float32 arrays: sample i is inputs[i·inputSize …] and targets[i·targetSize …]. */
export interface SampleSet {
  readonly count: number;
  readonly inputShape: readonly number[];
  readonly inputs: Float32Array;
  readonly targetSize: number;
  readonly targets: Float32Array;
}

/** One worker's shard, each array on an ArrayBuffer of its own so it can be transferred. */
export interface ShardPayload {
  readonly count: number;
  readonly inputs: Float32Array;
  readonly targets: Float32Array;
}

/** The shared memory of a pool: weights (one copy), gradients (one slot per worker), stamps. */
export interface SharedExchange {
  readonly weights: SharedArrayBuffer;
  readonly gradients: SharedArrayBuffer;
  /** Int32 stamps: [0] the step whose weights are published, [1 + w] the step worker w last wrote gradients for. */
  readonly stamps: SharedArrayBuffer;
}

const FLOAT_BYTES = Float32Array.BYTES_PER_ELEMENT;

/**
 * The layout of `model`'s trainable weights, in `model.trainableWeights` order (Seed 001 §3.2
 * step 2). Models with non-trainable weights (BatchNormalization's moving statistics) are refused:
 * only trainable weights are synchronised here, so such statistics would drift apart per worker.
 */
export function weightLayout(model: tf.LayersModel): WeightLayout {
  if (model.nonTrainableWeights.length > 0) {
    throw new DistributedSetupError(
      `model ${model.name}: non-trainable weights (${model.nonTrainableWeights.map((w) => w.name).join(", ")}) are not synchronised by data-parallel training here`,
    );
  }
  let offset = 0;
  const slots = trainableVariables(model).map((variable, k) => {
    const slot = { name: model.trainableWeights[k]!.name, shape: [...variable.shape], offset, size: variable.size };
    offset += variable.size;
    return slot;
  });
  if (slots.length === 0) throw new DistributedSetupError(`model ${model.name} has no trainable weights`);
  return { slots, length: offset, bytes: offset * FLOAT_BYTES };
}

/** The tf.Variables behind `model.trainableWeights`, in the layout's order. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((weight) => weight.read() as tf.Variable);
}

/** Whether `variables` have the layout's shapes in its order (a worker's check of the model it rebuilt). */
export function layoutMismatch(layout: WeightLayout, variables: readonly tf.Variable[]): string | undefined {
  if (variables.length !== layout.slots.length)
    return `${variables.length} trainable weights, the coordinator's model has ${layout.slots.length}`;
  const bad = layout.slots.findIndex((slot, k) => variables[k]!.shape.join("x") !== slot.shape.join("x"));
  return bad < 0
    ? undefined
    : `weight ${bad} (${layout.slots[bad]!.name}) has shape [${variables[bad]!.shape.join(", ")}], the coordinator's [${layout.slots[bad]!.shape.join(", ")}]`;
}

/**
 * Inputs and targets as a {@link SampleSet} (one copy out of the backend). Targets of rank 1 are one
 * value per sample (class indices); of rank 2, one row per sample.
 */
export function sampleSetFromTensors(inputs: tf.Tensor, targets: tf.Tensor): SampleSet {
  const count = inputs.shape[0] ?? 0;
  if (inputs.rank < 2 || count < 1)
    throw new DistributedSetupError(
      `inputs of shape [${inputs.shape.join(", ")}]: expected [samples, …] with at least one sample`,
    );
  if (targets.shape[0] !== count)
    throw new DistributedSetupError(`${targets.shape[0]} targets for ${count} input samples`);
  if (targets.rank > 2)
    throw new DistributedSetupError(
      `targets of shape [${targets.shape.join(", ")}]: expected [samples] or [samples, values]`,
    );
  return {
    count,
    inputShape: inputs.shape.slice(1),
    inputs: Float32Array.from(inputs.dataSync()),
    targetSize: targets.rank === 2 ? targets.shape[1]! : 1,
    targets: Float32Array.from(targets.dataSync()),
  };
}

/** Copies the samples at `indices` into fresh buffers, ready to transfer to a worker. */
export function packShard(set: SampleSet, indices: Int32Array): ShardPayload {
  const inputSize = set.inputs.length / set.count;
  const inputs = new Float32Array(indices.length * inputSize);
  const targets = new Float32Array(indices.length * set.targetSize);
  indices.forEach((sample, row) => {
    if (sample < 0 || sample >= set.count)
      throw new DistributedSetupError(`shard index ${sample} at position ${row} is outside the ${set.count} samples`);
    inputs.set(set.inputs.subarray(sample * inputSize, (sample + 1) * inputSize), row * inputSize);
    targets.set(set.targets.subarray(sample * set.targetSize, (sample + 1) * set.targetSize), row * set.targetSize);
  });
  return { count: indices.length, inputs, targets };
}

/** Bytes a shard moves to its worker. */
export function shardBytes(shard: ShardPayload): number {
  return shard.inputs.byteLength + shard.targets.byteLength;
}

/** Allocates the shared weights, one gradient slot per worker and the stamps. */
export function createExchange(layout: WeightLayout, workers: number): SharedExchange {
  return {
    weights: new SharedArrayBuffer(layout.bytes),
    gradients: new SharedArrayBuffer(layout.bytes * workers),
    stamps: new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * (1 + workers)),
  };
}

/** Worker `worker`'s gradient slot in the shared memory. */
export function gradientSlot(exchange: SharedExchange, layout: WeightLayout, worker: number): Float32Array {
  return new Float32Array(exchange.gradients, worker * layout.bytes, layout.length);
}

/** The step whose gradients worker `worker` last wrote (read with Atomics: it orders the slot's contents before it). */
export function gradientStamp(exchange: SharedExchange, worker: number): number {
  return Atomics.load(new Int32Array(exchange.stamps), 1 + worker);
}

/** Coordinator side of the broadcast: writes the model's weights into shared memory and stamps them with `step`. */
export function publishWeights(
  variables: readonly tf.Variable[],
  layout: WeightLayout,
  exchange: SharedExchange,
  step: number,
): void {
  const target = new Float32Array(exchange.weights);
  layout.slots.forEach((slot, k) => target.set(variables[k]!.dataSync() as Float32Array, slot.offset));
  Atomics.store(new Int32Array(exchange.stamps), 0, step);
}

/** Worker side of the broadcast: the stamped step, then every weight copied out of shared memory into `variables`. */
export function receiveWeights(
  variables: readonly tf.Variable[],
  layout: WeightLayout,
  exchange: SharedExchange,
): number {
  const step = Atomics.load(new Int32Array(exchange.stamps), 0);
  const source = new Float32Array(exchange.weights);
  tf.tidy(() =>
    layout.slots.forEach((slot, k) =>
      variables[k]!.assign(tf.tensor(source.slice(slot.offset, slot.offset + slot.size), [...slot.shape])),
    ),
  );
  return step;
}

/**
 * Worker side of the gather: writes gradients (keyed by variable name) into this worker's slot and stamps it with
 * `step`.
 */
export function sendGradients(
  gradients: Readonly<Record<string, tf.Tensor>>,
  variables: readonly tf.Variable[],
  layout: WeightLayout,
  exchange: SharedExchange,
  worker: number,
  step: number,
): void {
  const slot = gradientSlot(exchange, layout, worker);
  layout.slots.forEach((weight, k) => {
    const gradient = gradients[variables[k]!.name];
    if (gradient === undefined) slot.fill(0, weight.offset, weight.offset + weight.size);
    else slot.set(gradient.dataSync() as Float32Array, weight.offset);
  });
  Atomics.store(new Int32Array(exchange.stamps), 1 + worker, step);
}

/** Zeroes this worker's slot for a step it has no samples in, and stamps it. */
export function sendNoGradients(layout: WeightLayout, exchange: SharedExchange, worker: number, step: number): void {
  gradientSlot(exchange, layout, worker).fill(0);
  Atomics.store(new Int32Array(exchange.stamps), 1 + worker, step);
}
