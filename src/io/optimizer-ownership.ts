/**
 * Optimizer ownership for models this workbook compiles or loads (Seed 000 §5.2.2 `model.compile`). tfjs-layers frees a
 * model's optimizer on `model.dispose()` only when it was compiled with an optimizer *name*; a builder that passes
 * `tf.train.adam(lr)` — the only way to set a learning rate — would leak Adam's moments on every dispose. The
 * optimizers handed over here were made for the model alone, so the model is made their owner.
 */
import type * as tf from "@tensorflow/tfjs";

/** Lets `model.dispose()` free the optimizer the model was compiled with (it must be the model's alone). */
export function adoptOptimizer<M extends tf.LayersModel>(model: M): M {
  if (model.optimizer !== undefined && model.optimizer !== null)
    (model as unknown as { isOptimizerOwned: boolean }).isOptimizerOwned = true;
  return model;
}
