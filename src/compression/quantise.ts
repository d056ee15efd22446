/**
 * Seed 000 §8.1 model compression by quantisation, and §2.4 storage and network optimisation: a
 * trained model's float32 weights written as float16 or uint8 in the weight-manifest format
 * tfjs-converter writes (`quantization: { dtype, scale, min }` on each weight), so tfjs's own
 * `tf.loadLayersModel` reads and dequantises them.
 *
 * Per-channel uint8 is not part of that format. It is stored in the same files — the codes as
 * uint8 in weights.bin — with the per-channel scales and offsets on the weight's manifest entry
 * (`channelAxis`, `channelScales`, `channelMins`) and no per-tensor `scale`/`min`, so a plain tfjs
 * loader refuses the file loudly instead of reading codes as weights. {@link loadCompressedModel}
 * dequantises those weights itself and hands tfjs float32 ones.
 */
import * as tf from "@tensorflow/tfjs";
import { concatWeightData, fileSaveHandler, modelFromArtifacts, type SavedModel } from "../io/model-files";
import { readModelArtifacts, weightSpecBytes } from "../io/model-json";
import { dequantisePerChannel, quantiseAffine, quantisePerChannel } from "./affine";
import { toFloat16Array } from "./float16";
import { LeptonError } from "../errors";

/** How weights are stored: float32 as trained, float16, uint8 with one range per tensor, or one per output channel. */
export const QUANTISATIONS = ["float32", "float16", "uint8", "uint8-per-channel"] as const;
/** One of {@link QUANTISATIONS}. */
export type Quantisation = (typeof QUANTISATIONS)[number];

/** The manifest entry of a per-channel uint8 weight (an extension of tfjs's format; see the module comment). */
export interface PerChannelQuantization {
  readonly dtype: "uint8";
  readonly channelAxis: number;
  readonly channelScales: readonly number[];
  readonly channelMins: readonly number[];
}

/** Raised for weights or files that cannot be quantised or read back; names the weight or the file. */
export class QuantisationError extends LeptonError {}

type Spec = tf.io.WeightsManifestEntry;

function perChannelOf(spec: Spec): PerChannelQuantization | undefined {
  const q = spec.quantization as Partial<PerChannelQuantization> | undefined;
  return q !== undefined && Array.isArray(q.channelScales) ? (q as PerChannelQuantization) : undefined;
}

/** Each weight's spec with its bytes, in manifest order. */
function slices(artifacts: tf.io.ModelArtifacts): { spec: Spec; bytes: Uint8Array }[] {
  const data = concatWeightData(artifacts.weightData);
  let offset = 0;
  const out = (artifacts.weightSpecs ?? []).map((spec) => {
    const size = weightSpecBytes(spec);
    if (offset + size > data.byteLength)
      throw new QuantisationError(
        `weight ${spec.name}: the weight data ends after ${data.byteLength} bytes, its spec needs bytes ${offset}–${offset + size}`,
      );
    const bytes = data.subarray(offset, offset + size);
    offset += size;
    return { spec, bytes };
  });
  if (offset !== data.byteLength)
    throw new QuantisationError(`weight data holds ${data.byteLength} bytes, its specs describe ${offset}`);
  return out;
}

function float32Of(bytes: Uint8Array): Float32Array {
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function quantiseWeight(
  spec: Spec,
  bytes: Uint8Array,
  quantisation: Exclude<Quantisation, "float32">,
): { spec: Spec; bytes: Uint8Array } {
  // Integer and boolean weights (none in these models) stay as they are, as the converter leaves them.
  if (spec.dtype !== "float32") return { spec, bytes };
  if (spec.quantization !== undefined)
    throw new QuantisationError(`weight ${spec.name} is already quantised (${spec.quantization.dtype})`);
  const values = float32Of(bytes);
  if (quantisation === "float16") {
    const half = toFloat16Array(values);
    return { spec: { ...spec, quantization: { dtype: "float16" } }, bytes: new Uint8Array(half.buffer) };
  }
  if (quantisation === "uint8-per-channel" && spec.shape.length >= 2) {
    const axis = spec.shape.length - 1;
    const { codes, scales, mins } = quantisePerChannel(values, spec.shape[axis]!);
    const quantization: PerChannelQuantization = {
      dtype: "uint8",
      channelAxis: axis,
      channelScales: scales,
      channelMins: mins,
    };
    return { spec: { ...spec, quantization: quantization as unknown as Spec["quantization"] }, bytes: codes };
  }
  // Biases (rank 1) keep one range even per channel: one value per channel would save nothing.
  const { codes, scale, min } = quantiseAffine(values);
  return { spec: { ...spec, quantization: { dtype: "uint8", scale, min } }, bytes: codes };
}

/** Model artifacts with every float32 weight stored as `quantisation` (the topology and training config unchanged). */
export function quantiseArtifacts(artifacts: tf.io.ModelArtifacts, quantisation: Quantisation): tf.io.ModelArtifacts {
  if (!(QUANTISATIONS as readonly string[]).includes(quantisation))
    throw new QuantisationError(
      `quantisation must be one of ${QUANTISATIONS.join(", ")}, got ${JSON.stringify(quantisation)}`,
    );
  if (quantisation === "float32") return artifacts;
  const parts = slices(artifacts).map(({ spec, bytes }) => quantiseWeight(spec, bytes, quantisation));
  const data = Buffer.concat(parts.map((p) => p.bytes));
  return {
    ...artifacts,
    weightSpecs: parts.map((p) => p.spec),
    weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer,
  };
}

/** Per-channel weights turned back into float32 ones; tfjs-format quantised weights are left for tfjs to decode. */
export function dequantisePerChannelArtifacts(artifacts: tf.io.ModelArtifacts, source = "model"): tf.io.ModelArtifacts {
  const parts = slices(artifacts);
  if (!parts.some(({ spec }) => perChannelOf(spec) !== undefined)) return artifacts;
  const decoded = parts.map(({ spec, bytes }) => {
    const q = perChannelOf(spec);
    if (q === undefined) return { spec, bytes };
    const channels = spec.shape[q.channelAxis];
    if (
      q.channelAxis !== spec.shape.length - 1 ||
      q.channelScales.length !== channels ||
      q.channelMins.length !== channels
    ) {
      throw new QuantisationError(
        `${source}: weight ${spec.name} (shape [${spec.shape.join(", ")}]) has per-channel quantisation on axis ${q.channelAxis} with ${q.channelScales.length} scales and ${q.channelMins.length} mins; expected the last axis with ${channels} of each`,
      );
    }
    const values = dequantisePerChannel(bytes, q.channelScales, q.channelMins);
    const { quantization: _dropped, ...plain } = spec;
    return { spec: plain, bytes: new Uint8Array(values.buffer) };
  });
  const data = Buffer.concat(decoded.map((p) => p.bytes));
  return {
    ...artifacts,
    weightSpecs: decoded.map((p) => p.spec),
    weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer,
  };
}

/** A model's artifacts as `model.save` hands them to a save handler, without the optimizer's state. */
export async function modelArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
    { includeOptimizer: false },
  );
  if (captured === undefined) throw new QuantisationError(`saving ${model.name} produced no artifacts`);
  return captured;
}

/**
 * Saves a trained model for deployment (no optimizer state) with its weights stored as
 * `quantisation`: model.json + weights.bin, as tfjs-converter's `--quantize_float16` /
 * `--quantize_uint8` would write them (per-channel: see the module comment).
 */
export async function saveQuantisedModel(
  model: tf.LayersModel,
  dir: string,
  quantisation: Quantisation,
): Promise<SavedModel> {
  const artifacts = quantiseArtifacts(await modelArtifacts(model), quantisation);
  let saved: SavedModel | undefined;
  await fileSaveHandler(dir, (result) => (saved = result)).save!(artifacts);
  if (saved === undefined) throw new QuantisationError(`saving ${model.name} to ${dir} wrote nothing`);
  return saved;
}

/**
 * Loads a model saved by {@link saveQuantisedModel} (or any tfjs layers model): the files are
 * checked as io's loader checks them, per-channel weights are dequantised here, and tfjs's own
 * `tf.loadLayersModel` dequantises the float16 and uint8 ones.
 */
export async function loadCompressedModel(location: string): Promise<tf.LayersModel> {
  return modelFromArtifacts(dequantisePerChannelArtifacts(readModelArtifacts(location), location));
}
