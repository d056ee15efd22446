/**
 * Typed errors of src/distributed (Seed 001 §3.2 distributed computing).
 */
import { LeptonError } from "../errors";

/** Bad sizes for task allocation: no samples, no workers, a global batch smaller than the worker count. */
export class AllocationError extends LeptonError {}

/**
 * A model or dataset the data-parallel trainer cannot take (loss, weights, shapes); the message names the model or
 * array.
 */
export class DistributedSetupError extends LeptonError {}

/** A step asked a worker for a sample its shard does not have; the message names the position. */
export class ShardPositionError extends LeptonError {}

/**
 * A worker failed: during start-up (`step` null) or while computing the gradients of a step.
 * The message names the worker index and the step; `workerStack` is the stack inside the worker.
 */
export class WorkerError extends LeptonError {
  constructor(
    readonly workerIndex: number,
    readonly step: number | null,
    readonly reason: string,
    readonly workerStack?: string,
  ) {
    super(`worker ${workerIndex} failed ${step === null ? "during start-up" : `at step ${step}`}: ${reason}`);
  }
}

/** The pool was used after close() or after a worker died. */
export class PoolClosedError extends LeptonError {}
