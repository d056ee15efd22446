/**
 * Identity and same-dtype Cast without a copy for the wasm backend: tfjs-backend-wasm copies the whole tensor for
 * both, and a training step runs them on its largest activations and gradients. The output shares the input's data
 * and counts a reference to it, as tfjs' cpu backend does and wasm's own Reshape does; no wasm kernel writes into an
 * input, and variables change by swapping data, so sharing is safe.
 */
import type * as tf from "@tensorflow/tfjs";

/** The part of the wasm backend sharing needs: its reference counts. */
interface RefCountingBackend {
  incRef(dataId: object): void;
}

function share(x: tf.TensorInfo, backend: object): tf.TensorInfo {
  (backend as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/** Identity: the input's data, shared (strings keep `copying`, the backend's own kernel). */
export function sharedIdentityKernel(copying: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    return x.dtype === "string" ? copying(args) : share(x, args.backend);
  };
}

/** Cast: shared when the dtype does not change, else `converting` (the backend's own kernel). */
export function sharedCastKernel(converting: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { dtype } = args.attrs as unknown as tf.CastAttrs;
    return dtype === x.dtype && dtype !== "string" ? share(x, args.backend) : converting(args);
  };
}
