/**
 * The same small training step timed on every backend that works here, to run on the fastest compute present
 * ("计算资源优化", compute resource optimisation). It takes the probes `initBackend` already ran and
 * probes only the backends it did not reach, times each in this process against the cpu backend measured in the
 * same run, and puts the active backend back. bench/backends.ts measures the full CNNs, one process per backend.
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendName } from "../config";
import { adam, BACKENDS, describeBackend } from "../backends";
import { adoptOptimizer } from "../io/optimizer-ownership";

/**
 * A model the caller builds (models live above this layer): `build(seed)` returns a compiled model
 * taking `inputShape` (without the batch axis) and labels 0…9 for sparse categorical cross-entropy.
 */
export interface ComparisonModel {
  readonly inputShape: readonly number[];
  build(seed: number): tf.LayersModel;
}

/** The step timed: "mlp", a dense network on flattened 28×28 images, or a caller's model. */
export type ComparisonWorkload = "mlp" | ComparisonModel;

/** Options of {@link compareBackends}. */
export interface CompareBackendsOptions {
  /** Default "mlp" (784 → 128 relu → 10 softmax). */
  readonly workload?: ComparisonWorkload;
  /** Default 64. */
  readonly batchSize?: number;
  /** Timed steps per backend after one warm-up step; default 5. */
  readonly steps?: number;
  /** Backends to try; default all the workbook knows. cpu, the reference, is always measured. */
  readonly backends?: readonly BackendName[];
  readonly seed?: number;
}

/** One backend's result. */
export interface BackendTiming {
  readonly backend: BackendName;
  readonly available: boolean;
  /** The probe's words: why it is, or is not, available. */
  readonly reason: string;
  readonly device?: string;
  readonly detail?: string;
  /** Median time of one training step, ms. */
  readonly msPerStep?: number;
  /** cpu's ms per step over this backend's: 10 = ten times faster than cpu. */
  readonly speedVsCpu?: number;
  /** Why an available backend was not timed, or the error its step raised. */
  readonly skipped?: string;
}

const MLP_INPUT = [784] as const;

function buildModel(workload: ComparisonWorkload, seed: number): tf.LayersModel {
  if (workload !== "mlp") return workload.build(seed);
  const init = () => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 128, activation: "relu", kernelInitializer: init() }),
      tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: init() }),
    ],
  });
  model.compile({ optimizer: adam(), loss: "sparseCategoricalCrossentropy" });
  return adoptOptimizer(model);
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timeSteps(
  workload: ComparisonWorkload,
  batchSize: number,
  steps: number,
  seed: number,
): Promise<number> {
  const model = buildModel(workload, seed);
  const inputShape = [batchSize, ...(workload === "mlp" ? MLP_INPUT : workload.inputShape)];
  const x = tf.randomUniform(inputShape, 0, 1, "float32", seed);
  const y = tf.tidy(() => tf.randomUniform([batchSize], 0, 10, "int32", seed + 1).toFloat());
  const times: number[] = [];
  try {
    await model.trainOnBatch(x, y); // warm-up: kernel set-up, optimizer slots
    for (let step = 0; step < steps; step++) {
      const start = performance.now();
      await model.trainOnBatch(x, y); // reads the loss back, so the step has finished
      times.push(performance.now() - start);
    }
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
  return median(times);
}

/**
 * Times one small training step on each backend the probes find working, as a ratio to the cpu
 * backend measured in the same run (Seed 000 §2.4 compute resource optimisation). Restores the
 * active backend afterwards.
 */
export async function compareBackends(options: CompareBackendsOptions = {}): Promise<BackendTiming[]> {
  const workload = options.workload ?? "mlp";
  const batchSize = options.batchSize ?? 64;
  const steps = options.steps ?? 5;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1 || !Number.isInteger(steps) || steps < 1) {
    throw new RangeError(`compareBackends needs integer batchSize ≥ 1 and steps ≥ 1, got ${batchSize} and ${steps}`);
  }
  const wanted = new Set<BackendName>([...(options.backends ?? BACKENDS.map((b) => b.name)), "cpu"]);
  const original = tf.getBackend();
  const probed = new Map((describeBackend()?.probes ?? []).map((p) => [p.name, p] as const));
  const results: BackendTiming[] = [];
  try {
    for (const { name, probe: run } of BACKENDS.filter((b) => wanted.has(b.name))) {
      const probe = probed.get(name) ?? (await run(false));
      const base = {
        backend: name,
        available: probe.available,
        reason: probe.reason,
        ...(probe.device ? { device: probe.device } : {}),
        ...(probe.detail ? { detail: probe.detail } : {}),
      };
      if (!probe.available) {
        results.push(base);
        continue;
      }
      if (workload !== "mlp" && probe.trains !== true) {
        results.push({ ...base, skipped: "cannot train this model (its gradient kernels are missing)" });
        continue;
      }
      await tf.setBackend(name);
      await tf.ready();
      const timing = await timeSteps(workload, batchSize, steps, seed).then(
        (msPerStep) => ({ msPerStep }),
        (error: unknown) => ({ skipped: `the step failed: ${error instanceof Error ? error.message : String(error)}` }),
      );
      results.push({ ...base, ...timing });
    }
  } finally {
    await tf.setBackend(original);
  }
  const cpuMs = results.find((r) => r.backend === "cpu")?.msPerStep;
  return results.map((r) =>
    r.msPerStep !== undefined && cpuMs !== undefined ? { ...r, speedVsCpu: cpuMs / r.msPerStep } : r,
  );
}
