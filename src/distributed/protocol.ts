/**
 * The messages between the coordinator and its worker threads (Seed 001 §3.2 steps 2–4): what a
 * worker is started with, what it is asked each step, and what it answers. Bulk data never travels
 * in these messages after start-up: weights and gradients live in the shared exchange.
 */
import type { BackendName } from "../config";
import type { LossName } from "./losses";
import type { SharedExchange, ShardPayload, WeightLayout } from "./transmission";

/** A worker's start-up data (worker_threads `workerData`; the shard's buffers are transferred). */
export interface WorkerStart {
  readonly index: number;
  /** The backend the coordinator runs on, forced in the worker so both compute alike. */
  readonly backend: BackendName | undefined;
  /** The coordinator model's topology (`model.toJSON(null, false)`), rebuilt in the worker. */
  readonly topology: object;
  readonly loss: LossName;
  readonly inputShape: readonly number[];
  readonly layout: WeightLayout;
  readonly exchange: SharedExchange;
  readonly shard: ShardPayload;
}

/** Coordinator → worker. */
export type ToWorker =
  /** Compute the gradients of step `step` on the shard samples at `positions`. */
  | { readonly kind: "step"; readonly step: number; readonly positions: Int32Array }
  /** Dispose everything and exit. */
  | { readonly kind: "stop" };

/** Worker → coordinator. */
export type FromWorker =
  | {
      readonly kind: "ready";
      readonly index: number;
      readonly backend: string;
      readonly startupMs: number;
      readonly numTensors: number;
    }
  | {
      readonly kind: "gradients";
      readonly index: number;
      readonly step: number;
      readonly count: number;
      /** Mean loss over the worker's samples (NaN when it had none). */
      readonly loss: number;
      /** Time from reading the weights to the gradients written. */
      readonly computeMs: number;
      /** Tensors alive in the worker after the step. */
      readonly numTensors: number;
    }
  | { readonly kind: "stopped"; readonly index: number; readonly numTensors: number }
  | {
      readonly kind: "failed";
      readonly index: number;
      readonly step: number | null;
      readonly message: string;
      readonly stack?: string;
    };
