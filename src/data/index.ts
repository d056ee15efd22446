/**
 * src/data: Seed 000 §2.2, §3.1,
 * §5.2.1; seed 001 §3.3, §5.2 step 1.
 */
export * from "./cleaning";
export {
  PolarsFrame,
  readCsv,
  readCsvFrame,
  type Cell,
  type FrameInput,
  type FrameOutput,
  type TableRecord,
} from "./frame";
export { DatasetError, CleaningError, ImageFileError } from "./errors";
export * from "./vega";
export * from "./fashion-mnist";
export { writeFashionMnistFolder, classFolderName, type FashionMnistFolderOptions } from "./fashion-mnist-folder";
export { readIdx, parseIdx, type IdxArray } from "./idx";
export {
  imageDatasetFromDirectory,
  ImageFolderDataset,
  IMAGE_EXTENSIONS,
  type ImageFolderOptions,
  type ImageBatch,
  type SkippedFile,
} from "./image-folder";
export { CacheBudgetError, DecodedImageCache, type CacheStats } from "./image-cache";
export {
  ImageDataGenerator,
  RandomCrop,
  applyTransform,
  affineMatrix,
  IDENTITY_TRANSFORM,
  type AugmentOptions,
  type RandomCropOptions,
  type TransformParams,
  type FillMode,
} from "./augment";
export { kMeans, PCA, symmetricEigen, type KMeansOptions, type KMeansResult, type Matrix } from "./mining";
export * from "./time-series";
