/**
 * Seed 000 §8.1's claim — pruning and quantisation shrink a model "without significantly lowering
 * its performance" — put to the test on one trained model: each variant is written to disk, read
 * back the way a deployment would read it, and measured for size on disk, gzip size, accuracy on
 * held-out images and inference time.
 */
import type * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { accuracy, labelsOf, predictClasses } from "../training";
import { modelFootprint } from "./footprint";
import { timeInference } from "./inference-time";
import { pruneByMagnitude } from "./prune";
import { loadCompressedModel, QUANTISATIONS, saveQuantisedModel, type Quantisation } from "./quantise";

/** One compressed variant, measured from its files. */
export interface VariantResult {
  readonly variant: string;
  readonly quantisation: Quantisation;
  /** Share of each kernel pruned to zero (0: not pruned). */
  readonly sparsity: number;
  readonly dir: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly accuracy: number;
  readonly msPerImage: number;
}

/** Options of {@link compareCompressions}. */
export interface CompareCompressionsOptions {
  /** Folder to write the variants into (one subfolder each). */
  readonly dir: string;
  /** Held-out images and labels every variant is scored on. */
  readonly test: readonly [x: tf.Tensor, y: tf.Tensor];
  /** Sparsities to prune to; default 50, 75 and 90 %. The largest is also stored as uint8. */
  readonly sparsities?: readonly number[];
  /** Timed inference passes per variant (default 3). */
  readonly repeats?: number;
  /**
   * Inference is timed on the first this many test images (default 1000): enough for a stable time per image, far
   * cheaper than the whole split.
   */
  readonly timedImages?: number;
}

function variantName(quantisation: Quantisation, sparsity: number): string {
  const pruned = sparsity > 0 ? `pruned ${Math.round(sparsity * 100)} %` : "";
  if (quantisation === "float32") return pruned === "" ? "float32" : pruned;
  return pruned === "" ? quantisation : `${pruned} + ${quantisation}`;
}

async function measure(
  dir: string,
  quantisation: Quantisation,
  sparsity: number,
  options: CompareCompressionsOptions,
): Promise<VariantResult> {
  const { bytes, gzipBytes } = modelFootprint(dir);
  const model = await loadCompressedModel(dir);
  try {
    const [x, y] = options.test;
    const score = accuracy(await labelsOf(y), (await predictClasses(model, x)).classes);
    const timed = x.slice(0, Math.min(options.timedImages ?? 1000, x.shape[0] ?? 0));
    const { msPerImage } = await timeInference(model, timed, { repeats: options.repeats ?? 3 }).finally(() =>
      timed.dispose(),
    );
    return {
      variant: variantName(quantisation, sparsity),
      quantisation,
      sparsity,
      dir,
      bytes,
      gzipBytes,
      accuracy: score,
      msPerImage,
    };
  } finally {
    model.dispose();
  }
}

/**
 * Writes `model` as float32, float16, uint8 and per-channel uint8, and pruned at each sparsity
 * (float32, and the largest sparsity also as uint8), then loads each back from its files and
 * measures it. `model` itself is left unchanged.
 */
export async function compareCompressions(
  model: tf.LayersModel,
  options: CompareCompressionsOptions,
): Promise<VariantResult[]> {
  const sparsities = options.sparsities ?? [0.5, 0.75, 0.9];
  const results: VariantResult[] = [];
  for (const quantisation of QUANTISATIONS) {
    const dir = join(options.dir, quantisation);
    await saveQuantisedModel(model, dir, quantisation);
    results.push(await measure(dir, quantisation, 0, options));
  }
  const largest = Math.max(...sparsities);
  for (const sparsity of sparsities) {
    // Pruned in a copy read from the float32 files, so the trained model stays as it was.
    const copy = await loadCompressedModel(join(options.dir, "float32"));
    try {
      pruneByMagnitude(copy, sparsity);
      const storages: Quantisation[] = sparsity === largest ? ["float32", "uint8"] : ["float32"];
      for (const quantisation of storages) {
        const dir = join(options.dir, `pruned-${Math.round(sparsity * 100)}-${quantisation}`);
        await saveQuantisedModel(copy, dir, quantisation);
        results.push(await measure(dir, quantisation, sparsity, options));
      }
    } finally {
      copy.dispose();
    }
  }
  return results;
}
