/**
 * Distributed processing on one machine (Seed 001 §3.2: task allocation, data transmission,
 * collaborative processing, result aggregation) as synchronous data-parallel training over
 * worker_threads with gradient averaging on the coordinator.
 */
export {
  allocateShards,
  planEpoch,
  shardSizes,
  type Shard,
  type AllocationOptions,
  type EpochPlan,
  type EpochPlanOptions,
} from "./allocation";
export {
  createExchange,
  gradientSlot,
  layoutMismatch,
  packShard,
  publishWeights,
  sampleSetFromTensors,
  shardBytes,
  trainableVariables,
  weightLayout,
  type SampleSet,
  type SharedExchange,
  type ShardPayload,
  type WeightLayout,
  type WeightSlot,
} from "./transmission";
export { gatherBatch, shardGradients, type LocalBatch } from "./collaboration";
export { applyAveragedGradients, weightedAverage } from "./aggregation";
export { LOSS_NAMES, lossNameOf, meanLoss, type LossName } from "./losses";
export {
  DataParallelPool,
  type GradientRound,
  type PoolOptions,
  type PoolShutdown,
  type RoundBytes,
  type WorkerInfo,
} from "./pool";
export {
  applyRound,
  dataParallelStep,
  trainDataParallel,
  type DataParallelOptions,
  type DataParallelRun,
  type StepReport,
} from "./trainer";
export {
  comparisonRows,
  runInThread,
  runWithWorkers,
  weightGap,
  type ComparisonRun,
  type ComparisonSetup,
} from "./comparison";
export { AllocationError, DistributedSetupError, PoolClosedError, ShardPositionError, WorkerError } from "./errors";
