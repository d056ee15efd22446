/**
 * Model compression (Seed 000 §8.1) and the storage and network it saves (Seed 000 §2.4): quantisation, pruning,
 * footprint, inference time.
 */
export { toFloat16Bits, fromFloat16Bits, toFloat16Array } from "./float16";
export {
  affineRange,
  quantiseAffine,
  quantisePerChannel,
  dequantisePerChannel,
  UINT8_MAX,
  type AffineCodes,
  type ChannelAffineCodes,
} from "./affine";
export {
  QUANTISATIONS,
  QuantisationError,
  quantiseArtifacts,
  dequantisePerChannelArtifacts,
  modelArtifacts,
  saveQuantisedModel,
  loadCompressedModel,
  type Quantisation,
  type PerChannelQuantization,
} from "./quantise";
export { pruneByMagnitude, kernelSparsity, smallestMagnitudes, PruningError, type PrunedWeight } from "./prune";
export { modelFootprint, type ModelFootprint } from "./footprint";
export { timeInference, type InferenceTime } from "./inference-time";
export { compareCompressions, type CompareCompressionsOptions, type VariantResult } from "./compare";
