/**
 * Model files encrypted at rest (Seed 000 §2.5 model encryption): the tfjs layers format —
 * model.json and weights.bin — each sealed with AES-256-GCM as `model.json.enc` and
 * `weights.bin.enc`, written from memory so no plaintext copy ever touches the disk, and loaded
 * back through tfjs after both files pass authentication and the weights match their specs.
 */
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { readEncryptedFile, writeEncryptedFile } from "./encryption";
import type { DataKey } from "./keys";
import { concatWeightData, modelJsonFor, WEIGHTS_FILE } from "./model-files";
import { ModelFileError, modelArtifactsOf, parseModelJson, weightSpecBytes } from "./model-json";

/** File names of an encrypted model in its folder. */
export const ENCRYPTED_MODEL_FILES = { modelJson: "model.json.enc", weights: `${WEIGHTS_FILE}.enc` } as const;

/** What {@link saveEncryptedModel} wrote. */
export interface EncryptedModelFiles {
  readonly modelJson: string;
  readonly weights: string;
  /** Bytes on disk, both files. */
  readonly bytes: number;
}

/** Saves a model's topology and weights (no optimizer state) encrypted into `dir`. */
export async function saveEncryptedModel(
  model: tf.LayersModel,
  dir: string,
  key: DataKey,
): Promise<EncryptedModelFiles> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const modelJson = join(dir, ENCRYPTED_MODEL_FILES.modelJson);
  const weights = join(dir, ENCRYPTED_MODEL_FILES.weights);
  let bytes = 0;
  await model.save(
    {
      save: async (artifacts) => {
        bytes += writeEncryptedFile(weights, concatWeightData(artifacts.weightData), key);
        bytes += writeEncryptedFile(modelJson, Buffer.from(JSON.stringify(modelJsonFor(artifacts)), "utf8"), key);
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      },
    },
    { includeOptimizer: false },
  );
  return { modelJson, weights, bytes };
}

/**
 * Loads a model saved by {@link saveEncryptedModel}: WrongKeyError / TamperedFileError name the
 * file that fails; a weights file whose size disagrees with model.json is a ModelFileError.
 *
 */
export async function loadEncryptedModel(dir: string, key: DataKey): Promise<tf.LayersModel> {
  const modelJsonFile = join(dir, ENCRYPTED_MODEL_FILES.modelJson);
  const weightsFile = join(dir, ENCRYPTED_MODEL_FILES.weights);
  const json = parseModelJson(modelJsonFile, readEncryptedFile(modelJsonFile, key).toString("utf8"));
  const paths = json.weightsManifest.flatMap((group) => group.paths);
  if (paths.length !== 1 || paths[0] !== WEIGHTS_FILE) {
    throw new ModelFileError(
      modelJsonFile,
      `an encrypted model keeps its weights in one ${WEIGHTS_FILE}, this one names ${JSON.stringify(paths)}`,
    );
  }
  const weights = readEncryptedFile(weightsFile, key);
  const expected = json.weightsManifest
    .flatMap((group) => group.weights)
    .reduce((sum, spec) => sum + weightSpecBytes(spec), 0);
  if (weights.length !== expected)
    throw new ModelFileError(weightsFile, `holds ${weights.length} bytes, its weight specs need ${expected}`);
  return tf.loadLayersModel({ load: async () => modelArtifactsOf(json, weights) });
}
