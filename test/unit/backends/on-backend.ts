/**
 * Runs a computation on a tfjs backend and returns its values as plain arrays, so each backend owns its tensors.
 */
import * as tf from "@tensorflow/tfjs";

/** Values of `compute()` on `backend`. */
export async function on(backend: "wasm" | "cpu", compute: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(compute);
  const list = Array.isArray(out) ? out : [out];
  const values = await Promise.all(list.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose(list);
  return values;
}
