/**
 * Reading a tfjs layers-format model from the file system (Seed 000 §5.2.4 saving and loading the model): model.json is
 * parsed and checked, every weights path it names must stay inside the model's folder, and each weight group's files
 * must hold exactly the bytes its weight specs describe — so a hostile, missing or truncated file is refused with its
 * name.
 */
import { readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { NamedError } from "../errors";

/** Raised for a model folder, model.json or weights file that cannot be used; the message names the file. */
export class ModelFileError extends NamedError {}

type WeightsManifestEntry = tf.io.WeightsManifestEntry;

/** The parts of model.json the loader uses, after checking. */
export interface ModelJson {
  readonly modelTopology: object;
  readonly weightsManifest: readonly {
    readonly paths: readonly string[];
    readonly weights: readonly WeightsManifestEntry[];
  }[];
  readonly format?: string;
  readonly generatedBy?: string;
  readonly convertedBy?: string | null;
  readonly trainingConfig?: tf.io.TrainingConfig;
  readonly userDefinedMetadata?: { [key: string]: {} };
}

const BYTES_PER_ELEMENT: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Bytes one weight spec occupies in its weights file (quantized specs count their stored dtype). */
export function weightSpecBytes(spec: WeightsManifestEntry): number {
  const storedDtype = spec.quantization?.dtype ?? spec.dtype;
  const size = BYTES_PER_ELEMENT[storedDtype];
  if (size === undefined) throw new Error(`weight ${spec.name}: dtype ${storedDtype} has no fixed size`);
  return spec.shape.reduce((product, dim) => product * dim, 1) * size;
}

/** Resolves `model.json` from a folder or a file path. */
export function modelJsonPath(location: string): string {
  const stats = statSync(location, { throwIfNoEntry: false });
  if (stats === undefined)
    throw new ModelFileError(location, "no saved model here (neither a folder with model.json nor a model.json file)");
  return stats.isDirectory() ? join(location, "model.json") : location;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkSpec(path: string, where: string, spec: unknown): WeightsManifestEntry {
  if (
    !isObject(spec) ||
    typeof spec.name !== "string" ||
    typeof spec.dtype !== "string" ||
    !Array.isArray(spec.shape) ||
    !spec.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)
  ) {
    throw new ModelFileError(path, `${where} is not a weight spec {name, dtype, shape}`);
  }
  const entry = spec as unknown as WeightsManifestEntry;
  try {
    weightSpecBytes(entry);
  } catch (error) {
    throw new ModelFileError(path, `${where}: ${(error as Error).message}`);
  }
  return entry;
}

/** Parses and checks model.json's structure (topology present, a well-formed weights manifest). */
export function parseModelJson(path: string, text: string): ModelJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ModelFileError(path, `is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(parsed)) throw new ModelFileError(path, "is not a JSON object");
  if (!isObject(parsed.modelTopology)) throw new ModelFileError(path, "has no modelTopology (not a tfjs layers model)");
  const manifest = parsed.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new ModelFileError(path, "weightsManifest is not a list");
  const groups = manifest.map((group: unknown, g) => {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new ModelFileError(path, `weightsManifest[${g}] needs "paths" and "weights" lists`);
    }
    const paths = group.paths.map((p: unknown, i) => {
      if (typeof p !== "string" || p === "")
        throw new ModelFileError(path, `weightsManifest[${g}].paths[${i}] is not a file name`);
      return p;
    });
    const weights = group.weights.map((spec: unknown, i) =>
      checkSpec(path, `weightsManifest[${g}].weights[${i}]`, spec),
    );
    return { paths, weights };
  });
  return { ...(parsed as object), modelTopology: parsed.modelTopology, weightsManifest: groups } as ModelJson;
}

function isInside(folder: string, file: string): boolean {
  const rel = relative(folder, file);
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel);
}

/**
 * The file a weights path names, refused unless it stays in the model's folder: no absolute path,
 * no URL, no `..` that climbs out, no symbolic link that points outside.
 */
export function confinedWeightsFile(modelJson: string, weightsPath: string, where: string): string {
  if (isAbsolute(weightsPath) || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(weightsPath) || weightsPath.startsWith("\\")) {
    throw new ModelFileError(
      modelJson,
      `${where} "${weightsPath}" is absolute or a URL; weights must be files in the model's folder`,
    );
  }
  const folder = dirname(resolve(modelJson));
  const file = resolve(folder, weightsPath);
  if (!isInside(folder, file))
    throw new ModelFileError(modelJson, `${where} "${weightsPath}" points outside the model's folder ${folder}`);
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    throw new ModelFileError(file, `weights file named by ${modelJson} (${where}) is missing`);
  }
  if (!isInside(realpathSync(folder), real))
    throw new ModelFileError(modelJson, `${where} "${weightsPath}" is a link to ${real}, outside the model's folder`);
  return real;
}

function readGroup(modelJson: string, group: ModelJson["weightsManifest"][number], g: number): Uint8Array {
  const files = group.paths.map((p, i) => confinedWeightsFile(modelJson, p, `weightsManifest[${g}].paths[${i}]`));
  const chunks = files.map((file) => readFileSync(file));
  const held = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const expected = group.weights.reduce((sum, spec) => sum + weightSpecBytes(spec), 0);
  if (held !== expected) {
    const what = held < expected ? "truncated" : "longer than its specs";
    throw new ModelFileError(
      files.join(", "),
      `weights group ${g} is ${what}: its ${group.weights.length} weight specs need ${expected} bytes, the files hold ${held}`,
    );
  }
  return Buffer.concat(chunks);
}

/** Reads a saved model's artifacts (topology, training config, weight specs and data) with every check above. */
export function readModelArtifacts(location: string): tf.io.ModelArtifacts {
  const path = modelJsonPath(location);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new ModelFileError(path, "model.json is missing or unreadable");
  }
  const json = parseModelJson(path, text);
  const data = json.weightsManifest.map((group, g) => readGroup(path, group, g));
  return modelArtifactsOf(json, Buffer.concat(data));
}

/** Artifacts for tf.loadLayersModel from a checked model.json and its weights' bytes. */
export function modelArtifactsOf(json: ModelJson, weightData: Buffer): tf.io.ModelArtifacts {
  return {
    modelTopology: json.modelTopology,
    ...(json.format !== undefined ? { format: json.format } : {}),
    ...(json.generatedBy !== undefined ? { generatedBy: json.generatedBy } : {}),
    ...(json.convertedBy !== undefined ? { convertedBy: json.convertedBy } : {}),
    ...(json.trainingConfig !== undefined ? { trainingConfig: json.trainingConfig } : {}),
    ...(json.userDefinedMetadata !== undefined ? { userDefinedMetadata: json.userDefinedMetadata } : {}),
    weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
    weightData: weightData.buffer.slice(
      weightData.byteOffset,
      weightData.byteOffset + weightData.byteLength,
    ) as ArrayBuffer,
  };
}
