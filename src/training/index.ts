/** Training, checkpoints and evaluation (Seed 000 §5.2.2–5.2.4, §5.3.3–5.3.4; Seed 001 §5.2–5.4). */
export { fit, FitError, type FitOptions, type FitResult, type History, type BatchContext } from "./fit";
export { EarlyStopping, EarlyStoppingError, type EarlyStoppingOptions, type EarlyStoppingState } from "./early-stopping";
export { CheckpointStore, CheckpointError, restoreCheckpoint, type Checkpoint, type TrainingState, type RunFingerprint } from "./checkpoint";
export { seedDropout, type DropoutSeeder } from "./dropout-seeds";
export {
  accuracy, confusionMatrix, classificationReport, rocCurve, MetricsInputError,
  type ClassScores, type AveragedScores, type ClassificationReport, type RocCurve,
} from "./metrics";
export { predictClasses, labelsOf, PredictionError, type ClassPredictions } from "./predict";
export { selectModel, SelectionError, type Candidate, type CandidateScore, type Selection, type SelectModelOptions, type Split } from "./selection";
