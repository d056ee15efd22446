/**
 * Inference time of a model on a batch of inputs: one warm-up pass (tfjs compiles kernels and
 * allocates on first use), then the median of several timed passes, each read back to the CPU so
 * the time includes the work a caller waits for.
 */
import * as tf from "@tensorflow/tfjs";

/** Timing of {@link timeInference}. */
export interface InferenceTime {
  /** Median milliseconds per image over the timed passes. */
  readonly msPerImage: number;
  /** Milliseconds of each timed pass over all the images. */
  readonly passesMs: readonly number[];
  readonly images: number;
}

/** Times `model.predict` over `x` (batches of `batchSize`, default 256) `repeats` times (default 3). */
export async function timeInference(
  model: tf.LayersModel,
  x: tf.Tensor,
  options: { readonly batchSize?: number; readonly repeats?: number } = {},
): Promise<InferenceTime> {
  const repeats = options.repeats ?? 3;
  if (!Number.isInteger(repeats) || repeats < 1)
    throw new RangeError(`repeats must be a positive integer, got ${repeats}`);
  const images = x.shape[0] ?? 0;
  if (images < 1) throw new RangeError(`timeInference needs at least one image, got shape [${x.shape.join(", ")}]`);
  const pass = async (): Promise<number> => {
    const start = performance.now();
    const output = model.predict(x, { batchSize: options.batchSize ?? 256 }) as tf.Tensor;
    await output.data();
    output.dispose();
    return performance.now() - start;
  };
  await pass();
  const passesMs: number[] = [];
  for (let i = 0; i < repeats; i++) passesMs.push(await pass());
  const sorted = [...passesMs].sort((a, b) => a - b);
  const median =
    sorted.length % 2 === 1
      ? sorted[(sorted.length - 1) / 2]!
      : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return { msPerImage: median / images, passesMs, images };
}
