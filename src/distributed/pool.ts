/**
 * The coordinator of synchronous data parallelism over worker_threads (Seed 001 §3.2, all four
 * steps): allocates shards and starts one worker per shard, then runs rounds — broadcast the
 * weights, let every worker compute its gradients, gather and average them (all-reduce on the
 * coordinator). Worker failures reject the round with the worker's index and the step.
 */
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backends";
import type { BackendName } from "../config";
import { weightedAverage } from "./aggregation";
import { allocateShards, type Shard } from "./allocation";
import { DistributedSetupError, PoolClosedError, WorkerError } from "./errors";
import { lossNameOf } from "./losses";
import type { FromWorker, ToWorker, WorkerStart } from "./protocol";
import {
  createExchange,
  gradientSlot,
  gradientStamp,
  packShard,
  publishWeights,
  shardBytes,
  trainableVariables,
  weightLayout,
  type SampleSet,
  type SharedExchange,
  type WeightLayout,
} from "./transmission";

/** Options of {@link DataParallelPool.start}. */
export interface PoolOptions {
  /** Worker threads, one shard each. */
  readonly workers: number;
  /** Shuffle the samples with this seed before cutting shards (default: contiguous ranges). */
  readonly seed?: number;
  /** Backend forced in the workers (default: the coordinator's, from initBackend()). */
  readonly backend?: BackendName;
}

/** One started worker: its shard and what starting it cost. */
export interface WorkerInfo {
  readonly index: number;
  readonly samples: number;
  /** Bytes of its shard, transferred once at start-up. */
  readonly shardBytes: number;
  /** From `new Worker` to its ready message (thread, tsx, tfjs, backend, model). */
  readonly startupMs: number;
  /** The same, measured inside the worker from its first line (backend and model only). */
  readonly bootMs: number;
  readonly backend: string;
}

/** Bytes that crossed between the coordinator and its workers in one round. */
export interface RoundBytes {
  /** Weights copied by the workers out of shared memory (workers × weight bytes). */
  readonly weights: number;
  /** Gradients written by the workers into shared memory (workers × weight bytes). */
  readonly gradients: number;
  /** The step's sample positions, sent in the step messages. */
  readonly positions: number;
}

/** What one round produced. */
export interface GradientRound {
  readonly step: number;
  /** The weighted average of the workers' gradients, in layout order (valid until the next round). */
  readonly gradient: Float32Array;
  /** Samples each worker used. */
  readonly counts: readonly number[];
  /** Mean loss of each worker's samples (NaN for a worker without samples). */
  readonly losses: readonly number[];
  /** Mean loss over all samples of the round. */
  readonly loss: number;
  /** Each worker's time from reading the weights to writing its gradients. */
  readonly computeMs: readonly number[];
  /** Tensors alive in each worker after the round. */
  readonly workerTensors: readonly number[];
  /** Writing the weights into shared memory. */
  readonly broadcastMs: number;
  /** From sending the step to the last worker's answer. */
  readonly exchangeMs: number;
  /** The weighted average. */
  readonly averageMs: number;
  readonly bytes: RoundBytes;
}

/** What closing the pool found. */
export interface PoolShutdown {
  /** Tensors left in each worker after it disposed its model (0 when nothing leaked). */
  readonly workerTensors: readonly (number | undefined)[];
}

const ENTRY = join(__dirname, "worker-entry.js");
const EXIT_GRACE_MS = 5_000;

/** One worker thread with at most one request in flight. */
class WorkerLink {
  private waiting:
    { step: number | null; resolve: (reply: FromWorker) => void; reject: (error: Error) => void } | undefined;
  private deadReason: string | undefined;
  readonly exited: Promise<number>;

  constructor(
    readonly index: number,
    readonly thread: Worker,
  ) {
    this.exited = new Promise((resolve) => thread.once("exit", resolve));
    thread.on("message", (reply: FromWorker) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.resolve(reply);
    });
    thread.on("error", (error) => this.fail(`uncaught ${error.name}: ${error.message}`, error.stack));
    thread.on("exit", (code) => this.fail(`its thread exited (code ${code})`));
  }

  get dead(): string | undefined {
    return this.deadReason;
  }

  /**
   * Waits for the next message (the ready message when `message` is undefined). The thread keeps
   * the process alive only while a request is in flight, so a pool left open cannot hang a script.
   */
  request(step: number | null, message?: ToWorker): Promise<FromWorker> {
    if (this.deadReason !== undefined) return Promise.reject(new WorkerError(this.index, step, this.deadReason));
    this.thread.ref();
    const reply = new Promise<FromWorker>((resolve, reject) => {
      this.waiting = { step, resolve, reject };
      if (message !== undefined) this.thread.postMessage(message);
    });
    return reply.finally(() => this.thread.unref());
  }

  private fail(reason: string, stack?: string): void {
    this.deadReason ??= reason;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(new WorkerError(this.index, waiting.step, reason, stack));
  }
}

function asWorkerError(reply: FromWorker, index: number, step: number | null): WorkerError | undefined {
  if (reply.kind === "failed") return new WorkerError(reply.index, reply.step, reply.message, reply.stack);
  const expected = step === null ? "ready" : "gradients";
  if (reply.kind !== expected) return new WorkerError(index, step, `answered "${reply.kind}" instead of "${expected}"`);
  return undefined;
}

function firstRejection(results: readonly PromiseSettledResult<unknown>[]): unknown {
  return results.find((r): r is PromiseRejectedResult => r.status === "rejected")?.reason;
}

/**
 * Synchronous data-parallel training's coordinator: owns the model, its optimizer
 * and the shared memory; the workers own their shards. Start with {@link DataParallelPool.start},
 * end with {@link DataParallelPool.close}.
 */
export class DataParallelPool {
  private lastStep = 0;
  private closed = false;
  private readonly averaged: Float32Array;

  private constructor(
    /** The coordinator's model: its weights are the ones broadcast, its optimizer applies the average. */
    readonly model: tf.LayersModel,
    readonly layout: WeightLayout,
    readonly shards: readonly Shard[],
    readonly workers: readonly WorkerInfo[],
    private readonly variables: readonly tf.Variable[],
    private readonly exchange: SharedExchange,
    private readonly links: readonly WorkerLink[],
  ) {
    this.averaged = new Float32Array(layout.length);
  }

  /**
   * Seed 001 §3.2 steps 1–2: shards `data` over `options.workers` threads, transfers each shard,
   * starts tfjs and the model in each, and resolves when all are ready (rejects with the first
   * worker's WorkerError otherwise, after stopping the others).
   */
  static async start(model: tf.LayersModel, data: SampleSet, options: PoolOptions): Promise<DataParallelPool> {
    const loss = lossNameOf(model);
    const layout = weightLayout(model);
    const inputShape = model.inputs[0]!.shape.slice(1);
    if (model.inputs.length !== 1 || inputShape.join("x") !== data.inputShape.join("x")) {
      throw new DistributedSetupError(
        `model ${model.name} takes inputs [${inputShape.join(", ")}], the samples are [${data.inputShape.join(", ")}]`,
      );
    }
    const backend = options.backend ?? (await initBackend({ quiet: true })).name;
    const shards = allocateShards(
      data.count,
      options.workers,
      options.seed === undefined ? {} : { seed: options.seed },
    );
    const exchange = createExchange(layout, options.workers);
    const topology = model.toJSON(null, false) as object;
    const spawned = performance.now();
    const links = shards.map((shard) => {
      const payload = packShard(data, shard.indices);
      const start: WorkerStart = {
        index: shard.worker,
        backend,
        topology,
        loss,
        inputShape: data.inputShape,
        layout,
        exchange,
        shard: payload,
      };
      const bytes = shardBytes(payload);
      const thread = new Worker(ENTRY, {
        workerData: start,
        transferList: [payload.inputs.buffer as ArrayBuffer, payload.targets.buffer as ArrayBuffer],
      });
      return { link: new WorkerLink(shard.worker, thread), bytes, samples: payload.count };
    });
    const settled = await Promise.allSettled(
      links.map(({ link }) =>
        link.request(null).then((reply) => {
          const error = asWorkerError(reply, link.index, null);
          if (error !== undefined) throw error;
          return { reply: reply as Extract<FromWorker, { kind: "ready" }>, readyMs: performance.now() - spawned };
        }),
      ),
    );
    const failed = firstRejection(settled);
    if (failed !== undefined) {
      await Promise.all(links.map(({ link }) => link.thread.terminate()));
      throw failed;
    }
    const infos = settled.map((result, index) => {
      const { reply, readyMs } = (
        result as PromiseFulfilledResult<{ reply: Extract<FromWorker, { kind: "ready" }>; readyMs: number }>
      ).value;
      return {
        index,
        samples: links[index]!.samples,
        shardBytes: links[index]!.bytes,
        startupMs: readyMs,
        bootMs: reply.startupMs,
        backend: reply.backend,
      };
    });
    return new DataParallelPool(
      model,
      layout,
      shards,
      infos,
      trainableVariables(model),
      exchange,
      links.map(({ link }) => link),
    );
  }

  /**
   * One synchronous round: publish the model's weights
   * stamped with the next step number (1, 2, …), send each worker its positions (inside its own
   * shard), wait for all, and average their gradients by sample count.
   */
  async round(positions: readonly Int32Array[]): Promise<GradientRound> {
    if (this.closed) throw new PoolClosedError("the pool is closed");
    if (positions.length !== this.links.length)
      throw new DistributedSetupError(`${positions.length} position lists for ${this.links.length} workers`);
    const step = ++this.lastStep;
    const began = performance.now();
    publishWeights(this.variables, this.layout, this.exchange, step);
    const published = performance.now();
    const settled = await Promise.allSettled(
      this.links.map((link, w) => link.request(step, { kind: "step", step, positions: positions[w]! })),
    );
    const answered = performance.now();
    const failed = firstRejection(settled);
    if (failed !== undefined) throw failed;
    const replies = settled.map((r) => (r as PromiseFulfilledResult<FromWorker>).value);
    const error = replies.map((reply, w) => asWorkerError(reply, w, step)).find((e) => e !== undefined);
    if (error !== undefined) throw error;
    const results = replies as Extract<FromWorker, { kind: "gradients" }>[];
    results.forEach((result, w) => {
      if (result.step !== step || gradientStamp(this.exchange, w) !== step)
        throw new WorkerError(w, step, `its gradients are stamped for step ${gradientStamp(this.exchange, w)}`);
    });
    const counts = results.map((r) => r.count);
    weightedAverage(
      this.links.map((_, w) => gradientSlot(this.exchange, this.layout, w)),
      counts,
      this.averaged,
    );
    const averagedAt = performance.now();
    const total = counts.reduce((a, b) => a + b, 0);
    return {
      step,
      gradient: this.averaged,
      counts,
      losses: results.map((r) => r.loss),
      loss: results.reduce((sum, r) => sum + (r.count > 0 ? r.count * r.loss : 0), 0) / total,
      computeMs: results.map((r) => r.computeMs),
      workerTensors: results.map((r) => r.numTensors),
      broadcastMs: published - began,
      exchangeMs: answered - published,
      averageMs: averagedAt - answered,
      bytes: {
        weights: this.links.length * this.layout.bytes,
        gradients: this.links.length * this.layout.bytes,
        positions: positions.reduce((sum, p) => sum + p.byteLength, 0),
      },
    };
  }

  /** Stops every worker (each disposes its model and reports its tensors left) and waits for the threads to end. */
  async close(): Promise<PoolShutdown> {
    if (this.closed) return { workerTensors: this.links.map(() => undefined) };
    this.closed = true;
    const stopped = await Promise.all(
      this.links.map(async (link) => {
        if (link.dead !== undefined) return undefined;
        const reply = await link.request(null, { kind: "stop" }).catch(() => undefined);
        link.thread.ref(); // keep the process alive until the thread has ended
        const exitedInTime = await Promise.race([
          link.exited.then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), EXIT_GRACE_MS).unref()),
        ]);
        if (!exitedInTime) await link.thread.terminate();
        return reply?.kind === "stopped" ? reply.numTensors : undefined;
      }),
    );
    return { workerTensors: stopped };
  }
}
