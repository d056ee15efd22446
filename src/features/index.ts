/** src/features: Seed 000 §3.1 step 2. */
export { featureExtractor, extractFeatures, FeatureLayerError, type ExtractOptions } from "./cnn";
export {
  intensityHistogram,
  channelStatistics,
  sobelGradients,
  edgeDensity,
  hogFeatures,
  classicFeatures,
  nearestCentroidAccuracy,
  FeatureOptionsError,
  type HogOptions,
} from "./classic";
