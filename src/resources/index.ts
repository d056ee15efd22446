/**
 * src/resources: Seed 000 §3.3's resource-optimisation loop — monitor → schedule → release —
 * and §2.4's compute, storage and network resource optimisation, for a training run on tfjs.
 */
export { describeMachine, nvidiaGpus, type MachineReport } from "./machine";
export {
  parseNvidiaSmi,
  parseProcNetDev,
  queryNvidiaSmi,
  readCpuTimes,
  readDiskSpace,
  readNetworkCounters,
  NVIDIA_SMI_ARGS,
  type CpuTimes,
  type DiskSpace,
  type GpuReading,
  type GpuUsage,
  type NetworkCounters,
} from "./readers";
export {
  ResourceMonitor,
  ResourceMonitorError,
  MIN_WINDOW_MS,
  type CpuSample,
  type MemorySample,
  type NetworkSample,
  type ResourceMonitorOptions,
  type ResourceSample,
  type SampleListener,
  type TensorSample,
} from "./monitor";
export {
  energyOf,
  EnergyError,
  POWERCAP_ROOT,
  raplJoulesBetween,
  readRapl,
  type CpuEnergySource,
  type CpuPowerAssumption,
  type EnergyReport,
  type RaplReading,
  type RaplZone,
} from "./energy";
export { resourceFigure, resourceTraces, summarizeSamples, type ResourceSummary } from "./monitor-report";
export { liveResourcePlot, type LiveResourcePlot, type LiveResourcePlotOptions } from "./live-plot";
export {
  ACTIVATION_COPIES,
  availableMemory,
  BatchSizeError,
  LOSS_COPIES,
  chooseBatchSize,
  estimatedStepBytes,
  estimateTrainingMemory,
  OPTIMIZER_MEMORY,
  type AvailableMemory,
  type OptimizerMemory,
  type BatchSizeChoice,
  type ChooseBatchSizeOptions,
  type TrainingMemoryEstimate,
} from "./batch-size";
export {
  BatchSizeExhaustedError,
  isOutOfMemoryError,
  MemoryBudget,
  MemoryBudgetExceededError,
  OUT_OF_MEMORY_PATTERNS,
  withOomBackoff,
  type BackoffEvent,
  type OomBackoffOptions,
  type OomBackoffResult,
} from "./oom";
export {
  describeTensors,
  formatLeakReport,
  leakGuard,
  TensorLeakError,
  tensorBytes,
  trackTensors,
  type LeakGuardOptions,
  type LeakReport,
  type LeftTensor,
  type TrackedStep,
  type TrackTensorsOptions,
} from "./release";
export {
  compareBackends,
  type BackendTiming,
  type CompareBackendsOptions,
  type ComparisonModel,
  type ComparisonWorkload,
} from "./backend-comparison";
