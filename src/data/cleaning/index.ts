/**
 * src/data/cleaning: Seed 000 §2.2 data cleaning and §3.1 preprocessing (clean, normalize, encode), pandas' results.
 */
export {
  combineReports,
  reportRows,
  type CleaningReport,
  type Cleaned,
  type ColumnCounts,
  type StepReport,
} from "./report";
export { dropDuplicates, type DropDuplicatesOptions } from "./duplicates";
export {
  missingReport,
  dropMissing,
  fillMissing,
  type MissingSummary,
  type DropMissingOptions,
  type FillStrategy,
} from "./missing";
export { validate, type ColumnRule, type Validated } from "./rules";
export {
  MinMaxScaler,
  StandardScaler,
  loadScaler,
  type MinMaxState,
  type StandardState,
  type ScalerState,
} from "./scalers";
export { OneHotEncoder, LabelEncoder, oneHotEncode, loadEncoder, type Category, type EncoderState } from "./encoders";
export { mergeFrames, concatFrames, type MergeOptions } from "./merge";
export { groupAggregate, groupMeans, type Aggregation } from "./aggregate";
