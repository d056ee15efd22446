/**
 * CNN feature extraction (Seed 000 §3.1 step 2 `extract_features`: "use a convolutional neural network
 * to extract features"). Keras models have no `extract_features`; the working equivalent is a model
 * from the network's input to an inner layer — by default the layer feeding the classifier head.
 */
import * as tf from "@tensorflow/tfjs";
import { LeptonError } from "../errors";

/** Raised when the requested layer does not exist in the model; names the layers there are. */
export class FeatureLayerError extends LeptonError {}

function pickLayer(model: tf.LayersModel, layer: string | number | undefined): tf.layers.Layer {
  const layers = model.layers;
  if (layers.length < 2)
    throw new FeatureLayerError(
      `model "${model.name}" has ${layers.length} layer(s); feature extraction needs an inner layer`,
    );
  if (layer === undefined) return layers[layers.length - 2]!;
  if (typeof layer === "number") {
    const at = layer < 0 ? layers.length + layer : layer;
    const found = layers[at];
    if (found === undefined)
      throw new FeatureLayerError(`layer index ${layer} is outside 0..${layers.length - 1} of model "${model.name}"`);
    return found;
  }
  const found = layers.find((l) => l.name === layer);
  if (found === undefined)
    throw new FeatureLayerError(
      `model "${model.name}" has no layer "${layer}"; its layers: ${layers.map((l) => l.name).join(", ")}`,
    );
  return found;
}

/** A model from `model`'s input to one of its layers (default: the penultimate, the classifier's input). */
export function featureExtractor(model: tf.LayersModel, layer?: string | number): tf.LayersModel {
  const chosen = pickLayer(model, layer);
  return tf.model({
    inputs: model.inputs,
    outputs: chosen.output as tf.SymbolicTensor,
    name: `${model.name}_features_${chosen.name}`,
  });
}

/** Options of extractFeatures. */
export interface ExtractOptions {
  /** Layer name or index (negative counts from the end); default the penultimate layer. */
  readonly layer?: string | number;
  /** Images per forward pass; default 256. */
  readonly batchSize?: number;
}

/** Features of every image, flattened to [n, d], computed batch by batch without leaking tensors. */
export function extractFeatures(model: tf.LayersModel, images: tf.Tensor4D, options: ExtractOptions = {}): tf.Tensor2D {
  const extractor = featureExtractor(model, options.layer);
  const batchSize = options.batchSize ?? 256;
  const n = images.shape[0];
  const parts: tf.Tensor2D[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    parts.push(
      tf.tidy(() => {
        const out = extractor.predict(images.slice([start, 0, 0, 0], [size, -1, -1, -1])) as tf.Tensor;
        return out.reshape([size, -1]) as tf.Tensor2D;
      }),
    );
  }
  if (parts.length === 1) return parts[0]!;
  const joined = tf.concat(parts, 0);
  tf.dispose(parts);
  return joined;
}
