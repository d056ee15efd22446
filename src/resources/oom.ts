/**
 * Out-of-memory back-off (Seed 000 §3.3 step 2 "资源调度": adjust the allocation to the resources
 * actually there). A batch size chosen from an estimate can still be too large — a backend's
 * scratch space, another process, a GPU shared with others. {@link withOomBackoff} runs a step at a
 * batch size and, when it fails for lack of memory, halves the batch size and tries again, down to
 * a minimum; any other error passes through untouched. Tensors a failed attempt allocated are
 * released before the next try (./release).
 */
import { trackTensors } from "./release";
import { LeptonError } from "../errors";

/**
 * Raised by a {@link MemoryBudget} when a step would need more than the budget — an out-of-memory
 * error by decision rather than by exhaustion, for running the back-off against a limit smaller
 * than the machine's.
 */
export class MemoryBudgetExceededError extends RangeError {
  override name = "MemoryBudgetExceededError";
  constructor(
    readonly what: string,
    readonly neededBytes: number,
    readonly budgetBytes: number,
  ) {
    super(
      `out of memory (budget): ${what} needs an estimated ${neededBytes.toLocaleString("en")} B, over the budget of ${budgetBytes.toLocaleString("en")} B`,
    );
  }
}

/** An artificial memory limit: `check` throws MemoryBudgetExceededError above it. */
export class MemoryBudget {
  constructor(readonly bytes: number) {
    if (!(bytes > 0)) throw new RangeError(`a memory budget must be > 0 bytes, got ${bytes}`);
  }

  /** Throws MemoryBudgetExceededError when `neededBytes` exceeds the budget. */
  check(what: string, neededBytes: number): void {
    if (neededBytes > this.bytes) throw new MemoryBudgetExceededError(what, neededBytes, this.bytes);
  }
}

/**
 * Messages of out-of-memory failures: V8 ("Array buffer allocation failed"), WebAssembly and
 * Emscripten ("Cannot enlarge memory arrays", "could not allocate memory", "Maximum memory size
 * exceeded", abort "OOM"), WebGPU / CUDA / TensorFlow ("out of memory", "OUT_OF_MEMORY",
 * "OOM when allocating tensor").
 */
export const OUT_OF_MEMORY_PATTERNS: readonly RegExp[] = [
  /array buffer allocation failed/i,
  /out[ _]of[ _]memory/i,
  /\bOOM\b/,
  /cannot enlarge memory/i,
  /could not allocate memory/i,
  /maximum memory size exceeded/i,
  /failed to allocate/i,
];

/** Whether `error` is an out-of-memory failure (a budget's, or a message of {@link OUT_OF_MEMORY_PATTERNS}). */
export function isOutOfMemoryError(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  if (error instanceof MemoryBudgetExceededError || error.name === "GPUOutOfMemoryError") return true;
  return OUT_OF_MEMORY_PATTERNS.some((pattern) => pattern.test(error.message));
}

/** One back-off: the batch size that ran out of memory and the one tried next. */
export interface BackoffEvent {
  readonly batchSize: number;
  readonly nextBatchSize: number;
  readonly error: string;
  /** Tensors the failed attempt had allocated, released before the next try. */
  readonly releasedTensors: number;
}

/** Raised when even the minimum batch size runs out of memory; names it. */
export class BatchSizeExhaustedError extends LeptonError {
  constructor(
    readonly batchSize: number,
    readonly backoffs: readonly BackoffEvent[],
    cause: Error,
  ) {
    super(
      `out of memory even at the minimum batch size ${batchSize} (tried ${[...backoffs.map((b) => b.batchSize), batchSize].join(" → ")}): ${cause.message}`,
      { cause },
    );
  }
}

/** Options of {@link withOomBackoff}. */
export interface OomBackoffOptions {
  readonly initialBatchSize: number;
  /** Default 1. */
  readonly minBatchSize?: number;
  /** Told of every back-off as it happens. */
  readonly onBackoff?: (event: BackoffEvent) => void;
}

/** What {@link withOomBackoff} ran. */
export interface OomBackoffResult<T> {
  readonly result: T;
  /** The batch size the step succeeded at. */
  readonly batchSize: number;
  readonly backoffs: readonly BackoffEvent[];
}

/**
 * Runs `step(batchSize)`; on an out-of-memory error halves the batch size (never below
 * `minBatchSize`) and retries, reporting each back-off; rethrows any other error as it came and
 * throws BatchSizeExhaustedError when the minimum fails too.
 */
export async function withOomBackoff<T>(
  step: (batchSize: number) => T | Promise<T>,
  options: OomBackoffOptions,
): Promise<OomBackoffResult<T>> {
  const minBatchSize = options.minBatchSize ?? 1;
  const { initialBatchSize } = options;
  if (
    !Number.isInteger(minBatchSize) ||
    minBatchSize < 1 ||
    !Number.isInteger(initialBatchSize) ||
    initialBatchSize < minBatchSize
  ) {
    throw new RangeError(
      `withOomBackoff needs integers 1 ≤ minBatchSize ≤ initialBatchSize, got ${minBatchSize} and ${initialBatchSize}`,
    );
  }
  const backoffs: BackoffEvent[] = [];
  let batchSize = initialBatchSize;
  for (;;) {
    let releasedTensors = 0;
    const attempt = await trackTensors(`batch ${batchSize}`, () => step(batchSize), {
      onFailureRelease: (tensors) => (releasedTensors = tensors.length),
    }).then(
      (tracked) => ({ ok: true as const, result: tracked.result }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    if (attempt.ok) return { result: attempt.result, batchSize, backoffs };
    if (!isOutOfMemoryError(attempt.error)) throw attempt.error;
    if (batchSize === minBatchSize) throw new BatchSizeExhaustedError(batchSize, backoffs, attempt.error);
    const event: BackoffEvent = {
      batchSize,
      nextBatchSize: Math.max(minBatchSize, Math.floor(batchSize / 2)),
      error: attempt.error.message,
      releasedTensors,
    };
    backoffs.push(event);
    options.onBackoff?.(event);
    batchSize = event.nextBatchSize;
  }
}
