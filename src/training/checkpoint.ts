/**
 * Checkpoints for resumable training (Seed 000 §5.3.3 model training): after every epoch the model, its optimizer state
 * and the run's state are written to `<dir>/epoch-NNNN/`, built under a temporary name and renamed when complete, so a
 * process killed at any instant leaves the previous checkpoint intact. Restoring puts weights and
 * optimizer moments back into the caller's model, after checking that the shapes match.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { saveModel } from "../io/model-files";
import { readModelArtifacts } from "../io/model-json";
import type { EarlyStopping, EarlyStoppingState } from "./early-stopping";
import type { Callback, History, TrainingRun } from "./loop";
import { NamedError } from "../errors";

/** Raised when a checkpoint does not fit the model or the run being resumed; names the folder. */
export class CheckpointError extends NamedError {}

/** What must match for a run to continue from a checkpoint. */
export interface RunFingerprint {
  readonly seed: number | null;
  readonly batchSize: number;
  readonly samples: number;
}

/** The run's state after an epoch, saved next to the model as state.json. */
export interface TrainingState {
  /** Epochs completed (1-based count). */
  readonly epoch: number;
  readonly history: Readonly<Record<string, readonly number[]>>;
  readonly earlyStopping: EarlyStoppingState | null;
  readonly fingerprint: RunFingerprint;
}

/** A complete checkpoint on disk. */
export interface Checkpoint {
  readonly dir: string;
  readonly state: TrainingState;
}

const EPOCH_DIR = /^epoch-(\d+)$/;
const STATE_FILE = "state.json";

/** The checkpoints of one run in one folder. */
export class CheckpointStore {
  constructor(
    readonly dir: string,
    readonly keep = 2,
  ) {
    if (!Number.isInteger(keep) || keep < 1) throw new CheckpointError(dir, `keep must be an integer ≥ 1, got ${keep}`);
  }

  /** Saves the model (with optimizer state) and the run state as the checkpoint of `state.epoch`; prunes old ones. */
  async save(model: tf.LayersModel, state: TrainingState): Promise<Checkpoint> {
    mkdirSync(this.dir, { recursive: true });
    const name = `epoch-${String(state.epoch).padStart(4, "0")}`;
    const building = join(this.dir, `.${name}.partial-${process.pid}`);
    rmSync(building, { recursive: true, force: true });
    await saveModel(model, building, { includeOptimizer: true });
    writeFileSync(join(building, STATE_FILE), JSON.stringify(state));
    const final = join(this.dir, name);
    rmSync(final, { recursive: true, force: true });
    renameSync(building, final);
    this.prune();
    return { dir: final, state };
  }

  /** Folder of the best epoch's weights (early stopping with restoreBestWeights). */
  get bestDir(): string {
    return join(this.dir, "best");
  }

  /** Saves the model's weights as the best so far (no optimizer state: only put back at the end). */
  async saveBest(model: tf.LayersModel): Promise<void> {
    await saveModel(model, this.bestDir, { includeOptimizer: false });
  }

  /** The newest complete checkpoint, or undefined when there is none. */
  latest(): Checkpoint | undefined {
    if (!existsSync(this.dir)) return undefined;
    for (const name of this.epochDirs().reverse()) {
      const dir = join(this.dir, name);
      const statePath = join(dir, STATE_FILE);
      if (!existsSync(statePath)) continue;
      let state: TrainingState;
      try {
        state = JSON.parse(readFileSync(statePath, "utf8")) as TrainingState;
      } catch (error) {
        throw new CheckpointError(statePath, `is not valid JSON (${(error as Error).message})`);
      }
      return { dir, state };
    }
    return undefined;
  }

  /** Deletes every checkpoint (a fresh run in a used folder). */
  clear(): void {
    if (!existsSync(this.dir)) return;
    for (const name of readdirSync(this.dir)) {
      if (EPOCH_DIR.test(name) || name === "best" || name.includes(".partial-"))
        rmSync(join(this.dir, name), { recursive: true, force: true });
    }
  }

  private epochDirs(): string[] {
    return readdirSync(this.dir)
      .filter((name) => EPOCH_DIR.test(name))
      .sort();
  }

  private prune(): void {
    const complete = this.epochDirs();
    for (const name of complete.slice(0, Math.max(0, complete.length - this.keep)))
      rmSync(join(this.dir, name), { recursive: true, force: true });
    for (const name of readdirSync(this.dir)) {
      if (name.includes(".partial-") && !name.endsWith(`.partial-${process.pid}`))
        rmSync(join(this.dir, name), { recursive: true, force: true });
    }
  }
}

/**
 * Puts a checkpoint's weights (and, when `withOptimizer`, the optimizer's state) into `model`,
 * refusing a checkpoint whose weights differ in number or shape from the model's.
 */
export async function restoreCheckpoint(model: tf.LayersModel, dir: string, withOptimizer = true): Promise<void> {
  const artifacts = readModelArtifacts(dir);
  const specs = artifacts.weightSpecs ?? [];
  const named = tf.io.decodeWeights(artifacts.weightData ?? new ArrayBuffer(0), specs);
  try {
    const modelSpecs = specs.filter((spec) => spec.group !== "optimizer");
    const weights = model.weights;
    if (modelSpecs.length !== weights.length) {
      throw new CheckpointError(
        dir,
        `holds ${modelSpecs.length} weights, the model ${model.name} has ${weights.length} — not a checkpoint of this model`,
      );
    }
    modelSpecs.forEach((spec, i) => {
      const shape = weights[i]!.shape;
      if (spec.shape.length !== shape.length || spec.shape.some((d, axis) => d !== shape[axis])) {
        throw new CheckpointError(
          dir,
          `weight ${i} (${spec.name}) has shape [${spec.shape.join(", ")}], the model's ${weights[i]!.name} has [${shape.join(", ")}]`,
        );
      }
    });
    model.setWeights(modelSpecs.map((spec) => named[spec.name]!));
    const optimizerSpecs = specs.filter((spec) => spec.group === "optimizer");
    if (withOptimizer && optimizerSpecs.length > 0) {
      if (model.optimizer === undefined || model.optimizer === null)
        throw new CheckpointError(dir, `holds optimizer state but ${model.name} is not compiled`);
      const replaced = await model.optimizer.getWeights();
      await model.optimizer.setWeights(optimizerSpecs.map((spec) => ({ name: spec.name, tensor: named[spec.name]! })));
      tf.dispose(replaced.map((weight) => weight.tensor));
    }
  } finally {
    tf.dispose(Object.values(named));
  }
}

/** Where a resumed run continues: the epochs completed and the history up to them. */
export interface Resumed {
  readonly epoch: number;
  readonly history: History;
}

function fingerprintMismatch(saved: RunFingerprint, now: RunFingerprint): string | undefined {
  for (const key of ["seed", "batchSize", "samples"] as const) {
    if (saved[key] !== now[key]) return `${key} was ${saved[key]} in the checkpointed run, ${now[key]} now`;
  }
  return undefined;
}

/**
 * Checkpoint and resume as a loop callback: after every epoch the model, its optimizer state and
 * the run's state (history, early-stopping state) go to `store`; {@link resume} continues from the
 * newest checkpoint there.
 */
export class ModelCheckpoint implements Callback {
  constructor(
    private readonly model: tf.LayersModel,
    private readonly store: CheckpointStore,
    private readonly fingerprint: RunFingerprint,
    private readonly earlyStopping?: EarlyStopping,
  ) {}

  /**
   * Puts the newest checkpoint back into the model (and the early-stopping state) and returns where
   * to continue; undefined when there is none. `fresh` deletes the folder's checkpoints instead.
   */
  async resume(fresh: boolean): Promise<Resumed | undefined> {
    if (fresh) {
      this.store.clear();
      return undefined;
    }
    const latest = this.store.latest();
    if (latest === undefined) return undefined;
    const mismatch = fingerprintMismatch(latest.state.fingerprint, this.fingerprint);
    if (mismatch !== undefined) {
      throw new CheckpointError(latest.dir, `cannot resume: ${mismatch} (use another checkpointDir or resume: false)`);
    }
    await restoreCheckpoint(this.model, latest.dir);
    const history: History = {};
    for (const [name, values] of Object.entries(latest.state.history)) history[name] = [...values];
    if (latest.state.earlyStopping !== null) this.earlyStopping?.restore(latest.state.earlyStopping);
    console.log(`resuming from the epoch ${latest.state.epoch} checkpoint in ${latest.dir}`);
    return { epoch: latest.state.epoch, history };
  }

  async onEpochEnd(epoch: number, _logs: unknown, run: TrainingRun): Promise<void> {
    const earlyStopping = this.earlyStopping?.current ?? null;
    const state: TrainingState = {
      epoch: epoch + 1,
      history: run.history,
      earlyStopping,
      fingerprint: this.fingerprint,
    };
    await this.store.save(this.model, state);
  }
}
