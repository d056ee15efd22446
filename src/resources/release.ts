/**
 * Seed 000 §3.3 step 3, "资源释放" — release the resources a task no longer uses once it is done.
 * In tfjs the resource a step forgets is a tensor: memory that stays allocated until someone calls
 * `dispose()`. {@link trackTensors} runs a step inside a tfjs engine scope and lists, with shape,
 * dtype and bytes, every tensor it created and left alive that it neither returned nor `tf.keep`-ed;
 * {@link leakGuard} reports them, releases them on request, or throws a TensorLeakError naming the step.
 *
 * A step that throws releases what it had allocated (as `tf.tidy` does). The scope is global while
 * an async step awaits: tensors made meanwhile by other concurrent code count as the step's.
 */
import * as tf from "@tensorflow/tfjs";
import { LeptonError } from "../errors";

/** One tensor a step left allocated. */
export interface LeftTensor {
  readonly id: number;
  readonly dtype: tf.DataType;
  readonly shape: readonly number[];
  readonly bytes: number;
}

/** What a step allocated and left behind. */
export interface TrackedStep<T> {
  readonly result: T;
  /** Tensors created by the step, still alive, not returned in `result` and not kept. */
  readonly left: readonly tf.Tensor[];
  /** Tensors returned in `result` (arrays and plain objects are searched). */
  readonly returned: number;
  /** Names of tfjs variables the step created (model weights, optimizer slots): state, not leaks. */
  readonly newVariables: readonly string[];
  /** `tf.memory()` after minus before: tensors and bytes (variables included). */
  readonly memoryDelta: { readonly tensors: number; readonly bytes: number };
}

function tensorsIn(value: unknown, found: Set<number>, seen = new Set<unknown>()): Set<number> {
  if (value === null || typeof value !== "object" || seen.has(value)) return found;
  seen.add(value);
  if (value instanceof tf.Tensor) found.add(value.id);
  else if (Array.isArray(value)) value.forEach((item) => tensorsIn(item, found, seen));
  else if (Object.getPrototypeOf(value) === Object.prototype)
    Object.values(value).forEach((item) => tensorsIn(item, found, seen));
  return found;
}

/** Bytes of a tensor's data as tfjs counts them (strings: 0). */
export function tensorBytes(tensor: tf.Tensor): number {
  return tensor.dtype === "string" || tensor.dtype === "complex64"
    ? 0
    : tensor.size * tf.util.bytesPerElement(tensor.dtype);
}

/** Describes tensors by id, dtype, shape and bytes. */
export function describeTensors(tensors: readonly tf.Tensor[]): LeftTensor[] {
  return tensors.map((t) => ({ id: t.id, dtype: t.dtype, shape: [...t.shape], bytes: tensorBytes(t) }));
}

/** Options of {@link trackTensors}. */
export interface TrackTensorsOptions {
  /** Told of the tensors a failing step had allocated, just before they are disposed. */
  readonly onFailureRelease?: (tensors: readonly LeftTensor[]) => void;
}

/**
 * Runs `step` in a tfjs engine scope and returns what it left allocated (Seed 000 §3.3 resource
 * release). Nothing is disposed when it succeeds; when it throws, the tensors it created are.
 */
export async function trackTensors<T>(
  name: string,
  step: () => T | Promise<T>,
  options: TrackTensorsOptions = {},
): Promise<TrackedStep<T>> {
  const engine = tf.engine();
  const before = tf.memory();
  const variablesBefore = new Set(Object.keys(engine.state.registeredVariables));
  engine.startScope(name);
  const scope = engine.state.activeScope;
  let result: T;
  try {
    result = await step();
  } catch (error) {
    options.onFailureRelease?.(describeTensors(scope.track.filter((t) => !t.isDisposed && !t.kept)));
    engine.endScope();
    throw error;
  }
  const returned = tensorsIn(result, new Set());
  const alive = scope.track.filter((t) => !t.isDisposed);
  const left = alive.filter((t) => !t.kept && !returned.has(t.id));
  // Ending the scope with every live tensor as its "result" disposes nothing and hands them to the parent scope.
  engine.endScope(alive);
  const after = tf.memory();
  return {
    result,
    left,
    returned: returned.size,
    newVariables: Object.keys(engine.state.registeredVariables).filter((v) => !variablesBefore.has(v)),
    memoryDelta: { tensors: after.numTensors - before.numTensors, bytes: after.numBytes - before.numBytes },
  };
}

/** The leak report of one step. */
export interface LeakReport {
  readonly step: string;
  readonly leakedTensors: number;
  readonly leakedBytes: number;
  readonly tensors: readonly LeftTensor[];
  readonly newVariables: readonly string[];
  readonly returnedTensors: number;
  /** Whether the leaked tensors were disposed by the guard. */
  readonly released: boolean;
}

/** Raised by {@link leakGuard} with `throwOnLeak`; the message names the step and the tensors. */
export class TensorLeakError extends LeptonError {
  constructor(readonly report: LeakReport) {
    super(formatLeakReport(report));
  }
}

/** Options of {@link leakGuard}. */
export interface LeakGuardOptions {
  /** Dispose what the step left behind (after describing it); default false. */
  readonly release?: boolean;
  /** Throw a TensorLeakError when the step left any tensor; default false. */
  readonly throwOnLeak?: boolean;
}

/** One line per leak report: the step, the count, the bytes and the first shapes. */
export function formatLeakReport(report: LeakReport): string {
  if (report.leakedTensors === 0) return `step "${report.step}" left no tensor behind`;
  const shown = report.tensors.slice(0, 6).map((t) => `${t.dtype}[${t.shape.join(",")}]`);
  const more = report.tensors.length > shown.length ? `, … ${report.tensors.length - shown.length} more` : "";
  return `step "${report.step}" left ${report.leakedTensors} tensor${report.leakedTensors === 1 ? "" : "s"} (${report.leakedBytes.toLocaleString("en")} B) allocated: ${shown.join(", ")}${more}${report.released ? " — released" : ""}`;
}

/** Runs a step and reports the tensors it leaked; releases them or throws on request. */
export async function leakGuard<T>(
  name: string,
  step: () => T | Promise<T>,
  options: LeakGuardOptions = {},
): Promise<{ result: T; report: LeakReport }> {
  const tracked = await trackTensors(name, step);
  const tensors = describeTensors(tracked.left);
  const release = options.release === true && tracked.left.length > 0;
  if (release) tf.dispose([...tracked.left]);
  const report: LeakReport = {
    step: name,
    leakedTensors: tensors.length,
    leakedBytes: tensors.reduce((sum, t) => sum + t.bytes, 0),
    tensors,
    newVariables: tracked.newVariables,
    returnedTensors: tracked.returned,
    released: release,
  };
  if (options.throwOnLeak === true && report.leakedTensors > 0) throw new TensorLeakError(report);
  return { result: tracked.result, report };
}
