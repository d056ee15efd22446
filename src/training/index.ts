/** Training, checkpoints and evaluation (Seed 000 §5.2.2–5.2.4, §5.3.3–5.3.4; Seed 001 §5.2–5.4). */
export {
  trainLoop,
  type Callback,
  type History,
  type Logs,
  type BatchContext,
  type StepResult,
  type TrainingRun,
  type TrainEnd,
  type TrainLoopOptions,
  type LoopResult,
} from "./loop";
export { epochOrder, epochBatches, type EpochBatchOptions } from "./batches";
export { ProgressCallback } from "./progress";
export { fit, FitError, type FitOptions, type FitResult } from "./fit";
export {
  EarlyStopping,
  EarlyStoppingCallback,
  EarlyStoppingError,
  type EarlyStoppingOptions,
  type EarlyStoppingState,
} from "./early-stopping";
export {
  CheckpointStore,
  CheckpointError,
  ModelCheckpoint,
  restoreCheckpoint,
  type Checkpoint,
  type Resumed,
  type TrainingState,
  type RunFingerprint,
} from "./checkpoint";
export { seedDropout, dropoutSeeding, type DropoutSeeder } from "./dropout-seeds";
export {
  accuracy,
  confusionMatrix,
  classificationReport,
  rocCurve,
  MetricsInputError,
  type ClassScores,
  type AveragedScores,
  type ClassificationReport,
  type RocCurve,
} from "./metrics";
export { predictClasses, labelsOf, PredictionError, type ClassPredictions } from "./predict";
export {
  selectModel,
  SelectionError,
  type Candidate,
  type CandidateScore,
  type Selection,
  type SelectModelOptions,
  type Split,
} from "./selection";
export {
  GanTrainer,
  GanDivergedError,
  type GanStepLosses,
  type GanHistory,
  type GanTrainerOptions,
  type GanTrainOptions,
} from "./gan-trainer";
export { fitScratchRnn, type ScratchFitOptions, type ScratchFitResult } from "./rnn-trainer";
export {
  sampleQuality,
  inceptionScore,
  nearestNeighbourDistances,
  GanQualityError,
  type SampleQuality,
} from "./gan-quality";
