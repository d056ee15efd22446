/**
 * Synchronous data-parallel training (Seed 001 §3.2, the four steps as one loop): each step the
 * pool broadcasts the weights and gathers the workers' averaged gradients, and the coordinator's
 * optimizer applies them (step 4, result aggregation); epochs are planned by allocation.ts.
 */
import type { StopPoint } from "../cancellation";
import { trainLoop } from "../training";
import { applyAveragedGradients } from "./aggregation";
import { planEpoch } from "./allocation";
import { DistributedSetupError } from "./errors";
import type { DataParallelPool, GradientRound, RoundBytes } from "./pool";
import { trainableVariables } from "./transmission";

/** One training step's numbers. */
export interface StepReport {
  /** 0-based epoch. */
  readonly epoch: number;
  /** 1-based step over the pool's life. */
  readonly step: number;
  readonly samples: readonly number[];
  readonly loss: number;
  readonly computeMs: readonly number[];
  readonly broadcastMs: number;
  readonly exchangeMs: number;
  /** Weighted average plus the optimizer's update. */
  readonly aggregationMs: number;
  /** The whole step as the coordinator saw it. */
  readonly wallMs: number;
  readonly bytes: RoundBytes;
  readonly workerTensors: readonly number[];
}

/** Options of {@link trainDataParallel}. */
export interface DataParallelOptions {
  readonly epochs: number;
  /** Samples per step over all workers (split over them as evenly as possible). */
  readonly globalBatch: number;
  /** Seed of the per-epoch shuffles. */
  readonly seed: number;
  /** Shuffle inside each shard every epoch (default true). */
  readonly shuffle?: boolean;
  /** Called after every step. */
  readonly onStep?: (report: StepReport) => void | Promise<void>;
  /**
   * Stops before the next step when aborted; a kernel interrupt of the cell that started the run
   * does the same. No step is sent to the workers after that, so they stop with the coordinator
   * (idle until the pool is closed); the epoch in flight is left out of `epochLoss`.
   */
  readonly signal?: AbortSignal;
}

/** What a run did. */
export interface DataParallelRun {
  readonly steps: readonly StepReport[];
  /** Mean training loss of each epoch (over its samples). */
  readonly epochLoss: readonly number[];
  readonly seconds: number;
  /** Where and why the run stopped on a signal or an interrupt (0-based epoch, step within it). */
  readonly stopped?: StopPoint;
}

/**
 * Seed 001 §3.2 step 4: applies a round's averaged gradient to the coordinator's model with the
 * optimizer it was compiled with; the next round broadcasts the updated weights.
 */
export function applyRound(pool: DataParallelPool, round: GradientRound): void {
  const optimizer = pool.model.optimizer;
  if (optimizer === undefined || optimizer === null)
    throw new DistributedSetupError(`model ${pool.model.name} has no optimizer: compile it first`);
  applyAveragedGradients(optimizer, trainableVariables(pool.model), pool.layout, round.gradient);
}

/** One synchronous data-parallel step: round, then update; `positions[w]` are inside worker w's shard. */
export async function dataParallelStep(
  pool: DataParallelPool,
  positions: readonly Int32Array[],
  epoch = 0,
): Promise<StepReport> {
  const began = performance.now();
  const round = await pool.round(positions);
  const applying = performance.now();
  applyRound(pool, round);
  const done = performance.now();
  return {
    epoch,
    step: round.step,
    samples: round.counts,
    loss: round.loss,
    computeMs: round.computeMs,
    broadcastMs: round.broadcastMs,
    exchangeMs: round.exchangeMs,
    aggregationMs: round.averageMs + (done - applying),
    wallMs: done - began,
    bytes: round.bytes,
    workerTensors: round.workerTensors,
  };
}

/** Trains the pool's model for `epochs` epochs of synchronous data-parallel steps. */
export async function trainDataParallel(
  pool: DataParallelPool,
  options: DataParallelOptions,
): Promise<DataParallelRun> {
  if (!Number.isInteger(options.epochs) || options.epochs < 1)
    throw new DistributedSetupError(`epochs must be a positive integer, got ${options.epochs}`);
  const began = performance.now();
  const shardCounts = pool.shards.map((shard) => shard.indices.length);
  const steps: StepReport[] = [];
  const { history, stopped } = await trainLoop<readonly Int32Array[]>({
    epochs: options.epochs,
    history: { loss: [] },
    batches: (epoch) =>
      planEpoch(shardCounts, {
        globalBatch: options.globalBatch,
        seed: options.seed,
        epoch,
        ...(options.shuffle === undefined ? {} : { shuffle: options.shuffle }),
      }),
    step: async (positions, at) => {
      const report = await dataParallelStep(pool, positions, at.epoch);
      steps.push(report);
      await options.onStep?.(report);
      return { logs: { loss: report.loss }, weight: report.samples.reduce((a, b) => a + b, 0) };
    },
    signal: options.signal,
  });
  return {
    steps,
    epochLoss: history.loss!,
    seconds: (performance.now() - began) / 1000,
    ...(stopped !== undefined ? { stopped } : {}),
  };
}
