/**
 * Saving and loading a tfjs layers model on the file system (Seed 000 §5.2.4: `model.save(...)`
 * then `load_model(...)`) in the tfjs layers format — model.json plus one
 * weights.bin — the files tfjs-node's `file://` handler writes and reads, so models move freely
 * between this workbook, tfjs-node and the tfjs converter. Files are written to a temporary name,
 * flushed and renamed, model.json last: a crash never leaves a model.json naming half a file.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { adoptOptimizer } from "./optimizer-ownership";
import { writeDurably } from "./durable-write";
import { readModelArtifacts } from "./model-json";

/** Name of the weights file next to model.json (as tfjs-node writes it). */
export const WEIGHTS_FILE = "weights.bin";

/** Options of {@link saveModel}. */
export interface SaveModelOptions {
  /**
   * Also save the training configuration (loss, metrics, optimizer) and the optimizer's state
   * (Adam's moments), so the loaded model is compiled and training can go on where it stopped;
   * default true, as Keras' `model.save`.
   */
  readonly includeOptimizer?: boolean;
}

/** What {@link saveModel} wrote. */
export interface SavedModel {
  readonly dir: string;
  readonly modelJson: string;
  readonly weightsFile: string;
  readonly weightBytes: number;
}

/** A model's weight data as one byte array (tfjs may hand it over in several buffers). */
export function concatWeightData(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const buffers = Array.isArray(data) ? data : [data];
  return Buffer.concat(buffers.map((buffer) => new Uint8Array(buffer)));
}

/** The model.json tfjs writes for `artifacts`, its weights in one file {@link WEIGHTS_FILE}. */
export function modelJsonFor(artifacts: tf.io.ModelArtifacts): tf.io.ModelJSON {
  return {
    modelTopology: artifacts.modelTopology as object,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
    ...(artifacts.format !== undefined ? { format: artifacts.format } : {}),
    ...(artifacts.generatedBy !== undefined ? { generatedBy: artifacts.generatedBy } : {}),
    ...(artifacts.convertedBy !== undefined ? { convertedBy: artifacts.convertedBy } : {}),
    ...(artifacts.trainingConfig !== undefined ? { trainingConfig: artifacts.trainingConfig } : {}),
    ...(artifacts.userDefinedMetadata !== undefined ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
  };
}

/** A save handler writing model.json + weights.bin into `dir` (created when missing). */
export function fileSaveHandler(dir: string, onSaved: (saved: SavedModel) => void = () => undefined): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      mkdirSync(dir, { recursive: true });
      const weights = concatWeightData(artifacts.weightData);
      const modelJson = modelJsonFor(artifacts);
      const weightsFile = join(dir, WEIGHTS_FILE);
      const modelJsonFile = join(dir, "model.json");
      writeDurably(weightsFile, weights);
      writeDurably(modelJsonFile, Buffer.from(JSON.stringify(modelJson), "utf8"));
      onSaved({ dir, modelJson: modelJsonFile, weightsFile, weightBytes: weights.byteLength });
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/**
 * Runs `save` while collecting the tensors the optimizer's getWeights() creates for the occasion
 * (the iteration count), which tfjs 4.22's LayersModel.save never disposes — one leaked tensor per
 * save with includeOptimizer — and disposes them afterwards.
 */
async function withOptimizerSnapshotsDisposed<T>(model: tf.LayersModel, save: () => Promise<T>): Promise<T> {
  const optimizer = model.optimizer as tf.Optimizer | undefined | null;
  if (optimizer === undefined || optimizer === null) return save();
  const created: tf.Tensor[] = [];
  const getWeights = optimizer.getWeights;
  optimizer.getWeights = async function (this: tf.Optimizer) {
    const weights = await getWeights.call(this);
    created.push(...weights.map((weight) => weight.tensor).filter((tensor) => !(tensor instanceof tf.Variable)));
    return weights;
  };
  try {
    return await save();
  } finally {
    optimizer.getWeights = getWeights;
    tf.dispose(created);
  }
}

/** Saves a model into a folder as model.json + weights.bin. */
export async function saveModel(
  model: tf.LayersModel,
  dir: string,
  options: SaveModelOptions = {},
): Promise<SavedModel> {
  let saved: SavedModel | undefined;
  const includeOptimizer = options.includeOptimizer ?? true;
  await withOptimizerSnapshotsDisposed(model, () =>
    model.save(
      fileSaveHandler(dir, (result) => (saved = result)),
      { includeOptimizer },
    ),
  );
  if (saved === undefined) throw new Error(`saving ${model.name} to ${dir} wrote nothing`);
  return saved;
}

/**
 * Loads a model saved by {@link saveModel} or tfjs-node: from its
 * folder or its model.json, compiled again when a training config was saved. Refuses weights paths
 * outside the folder, and missing or truncated weights files, with a ModelFileError naming the file.
 */
export async function loadModel(location: string): Promise<tf.LayersModel> {
  return modelFromArtifacts(readModelArtifacts(location));
}

/**
 * A model from artifacts already read and checked, through tfjs's own `tf.loadLayersModel` (which
 * dequantises weights stored as uint8 / float16), compiled again when a training config is present.
 *
 */
export async function modelFromArtifacts(artifacts: tf.io.ModelArtifacts): Promise<tf.LayersModel> {
  // The optimizer was made from the saved config and nobody else holds it.
  return adoptOptimizer(await tf.loadLayersModel({ load: async () => artifacts }));
}
