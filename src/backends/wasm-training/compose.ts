/**
 * Running the wasm backend's own kernels from inside another kernel: the way tfjs-backend-wasm composes kernels
 * (BatchMatMul calls Reshape), so a training kernel is built on XNNPACK's fast paths, not on cpu fallbacks.
 * Every intermediate is released with the backend's reference counting.
 */
import * as tf from "@tensorflow/tfjs";
import { LeptonError } from "../../errors";

/** The part of tfjs' kernel backend a composed kernel needs: releasing intermediate data. */
export interface ComposingBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Raised when a kernel this module builds on is not registered for the backend. */
export class MissingKernelError extends LeptonError {}

/** Runs kernels of one backend and frees their intermediate outputs. */
export class KernelComposer {
  private readonly intermediates: tf.TensorInfo[] = [];

  constructor(
    private readonly backend: ComposingBackend,
    private readonly backendName: string,
  ) {}

  /** Runs kernel `name` of this backend; the output is freed by {@link release} unless it is kept. */
  run(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
    const kernel = tf.getKernel(name, this.backendName);
    if (kernel === undefined)
      throw new MissingKernelError(`kernel ${name} is not registered for backend ${this.backendName}`);
    const result = kernel.kernelFunc({ inputs, attrs, backend: this.backend as unknown as tf.KernelBackend });
    const output = Array.isArray(result) ? result[0] : result;
    if (output === undefined)
      throw new MissingKernelError(`kernel ${name} returned no output on backend ${this.backendName}`);
    this.intermediates.push(output);
    return output;
  }

  /** Tracks an output produced outside {@link run} (e.g. by a captured native kernel) like one of its own. */
  adopt(output: tf.TensorInfo): tf.TensorInfo {
    this.intermediates.push(output);
    return output;
  }

  /** Frees every intermediate except `keep` (the kernel's result, handed to the engine). */
  release(keep: tf.TensorInfo): tf.TensorInfo {
    for (const info of this.intermediates) if (info !== keep) this.backend.disposeData(info.dataId);
    this.intermediates.length = 0;
    return keep;
  }

  /** Frees every intermediate (after a failure). */
  releaseAll(): void {
    for (const info of this.intermediates) this.backend.disposeData(info.dataId);
    this.intermediates.length = 0;
  }
}

/** Runs `body` with a composer for `backend`, returning its result and freeing the rest, even on error. */
export function compose(
  backend: ComposingBackend,
  backendName: string,
  body: (k: KernelComposer) => tf.TensorInfo,
): tf.TensorInfo {
  const composer = new KernelComposer(backend, backendName);
  try {
    return composer.release(body(composer));
  } catch (error) {
    composer.releaseAll();
    throw error;
  }
}
