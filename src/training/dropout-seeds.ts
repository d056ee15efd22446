/**
 * Reproducible dropout for seeded runs (Seed 000 §5.2.2's Dropout(0.5) under a seed). A tfjs Dropout
 * layer with a fixed `seed` draws the SAME mask at every step (tf.dropout re-seeds its generator on
 * each call), and one without a seed draws from an unseeded generator. A seeded fit therefore gives
 * each Dropout layer a fresh seed per step, derived from (run seed, epoch, batch, layer), and puts
 * the layers' own seeds back when it ends — so runs repeat exactly and a resumed run draws the
 * masks the uninterrupted one would have drawn.
 */
import type * as tf from "@tensorflow/tfjs";
import { deriveSeed } from "../random";
import type { Callback } from "./loop";

interface SeedableDropout {
  seed?: number;
}

function dropoutLayers(model: tf.LayersModel): SeedableDropout[] {
  return model.layers.filter(
    (layer) => layer.getClassName() === "Dropout" || layer.getClassName() === "SpatialDropout1D",
  ) as unknown as SeedableDropout[];
}

/** Per-step dropout seeding of one model; `release()` restores the layers' own seeds. */
export interface DropoutSeeder {
  seedStep(epoch: number, batch: number): void;
  release(): void;
}

/** Takes over the dropout seeds of `model` for a run seeded with `runSeed`. */
export function seedDropout(model: tf.LayersModel, runSeed: number): DropoutSeeder {
  const layers = dropoutLayers(model);
  const original = layers.map((layer) => layer.seed);
  return {
    seedStep(epoch, batch) {
      layers.forEach((layer, index) => (layer.seed = deriveSeed(runSeed, epoch, batch, index)));
    },
    release() {
      layers.forEach((layer, index) => (layer.seed = original[index]));
    },
  };
}

/**
 * The loop callback of a seeded run: a fresh dropout seed before every batch, the layers' own seeds back at the end.
 */
export function dropoutSeeding(model: tf.LayersModel, runSeed: number): Callback {
  const seeder = seedDropout(model, runSeed);
  return {
    onBatchBegin: ({ epoch, batch }) => seeder.seedStep(epoch, batch),
    onTrainEnd: () => seeder.release(),
  };
}
