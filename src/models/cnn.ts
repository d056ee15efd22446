/**
 * The documents' two convolutional networks as typed tfjs-layers builders:
 * Seed 000 §5.2.2 (binary image classifier, 150×150×3, sigmoid, binary cross-entropy) and
 * Seed 001 §5.2 step 2 (10-class classifier, softmax, sparse categorical cross-entropy).
 */
import * as tf from "@tensorflow/tfjs";
import { adam } from "../backends";
import { adoptOptimizer } from "../io/optimizer-ownership";
import { LeptonError } from "../errors";

/** Raised when a CNN builder gets a shape or size it cannot build. */
export class CnnConfigError extends LeptonError {}

/** Height, width and channels of one input image. */
export type ImageShape = readonly [height: number, width: number, channels: number];

/** Options of {@link binaryCnn}. */
export interface BinaryCnnOptions {
  /** Input image shape; the document uses 150×150×3. */
  readonly inputShape?: ImageShape;
  /** Units of the hidden dense layer; the document uses 512. */
  readonly denseUnits?: number;
  /** Dropout rate before the output; the document uses 0.5. */
  readonly dropout?: number;
  /** Adam learning rate; Keras' default 0.001. */
  readonly learningRate?: number;
  /** Seed for the layers' initialisers, for reproducible weights. */
  readonly seed?: number;
}

/** Options of {@link multiClassCnn}. */
export interface MultiClassCnnOptions {
  /** Input image shape; the document uses 224×224×3, Fashion-MNIST is 28×28×1. */
  readonly inputShape?: ImageShape;
  /** Filters of each Conv(3×3, relu)–MaxPool(2×2) block; the document uses [32, 64, 128]. */
  readonly convFilters?: readonly number[];
  /** Units of the hidden dense layer; the document uses 128. */
  readonly denseUnits?: number;
  /** Number of classes of the softmax output; the document uses 10. */
  readonly classes?: number;
  /** Adam learning rate; Keras' default 0.001. */
  readonly learningRate?: number;
  /** Seed for the layers' initialisers, for reproducible weights. */
  readonly seed?: number;
}

/** Seed 000 §5.2.2's input: 150×150 RGB images. */
export const SEED000_INPUT: ImageShape = [150, 150, 3];
/** Seed 001 §5.2's input: 224×224 RGB images. */
export const SEED001_INPUT: ImageShape = [224, 224, 3];
/** Seed 001 §5.2's convolution blocks: Conv32–Pool, Conv64–Pool, Conv128–Pool. */
export const SEED001_CONV_FILTERS: readonly number[] = [32, 64, 128];
/** Fashion-MNIST images: 28×28 grey. */
export const FASHION_MNIST_INPUT: ImageShape = [28, 28, 1];
/** The two-block variant that fits 28×28 inputs well: Conv32–Pool, Conv64–Pool. */
export const FASHION_MNIST_CONV_FILTERS: readonly number[] = [32, 64];

function checkPositiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1)
    throw new CnnConfigError(`${what} must be a positive integer, got ${value}`);
}

function checkInput(shape: ImageShape, blocks: number, model: string): void {
  shape.forEach((size, axis) => checkPositiveInteger(size, `${model}: inputShape[${axis}]`));
  let [height, width] = shape;
  for (let block = 1; block <= blocks; block++) {
    height = Math.floor((height - 2) / 2);
    width = Math.floor((width - 2) / 2);
    if (height < 1 || width < 1) {
      throw new CnnConfigError(
        `${model}: input ${shape.join("×")} is too small for ${blocks} Conv3×3–MaxPool2×2 blocks (nothing left after block ${block})`,
      );
    }
  }
}

function initialisers(
  seed: number | undefined,
): { kernelInitializer: ReturnType<typeof tf.initializers.glorotUniform> } | Record<string, never> {
  return seed === undefined ? {} : { kernelInitializer: tf.initializers.glorotUniform({ seed }) };
}

function convBlock(model: tf.Sequential, filters: number, seed: number | undefined, inputShape?: ImageShape): void {
  model.add(
    tf.layers.conv2d({
      filters,
      kernelSize: 3,
      activation: "relu",
      ...(inputShape ? { inputShape: [...inputShape] } : {}),
      ...initialisers(seed),
    }),
  );
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
}

/**
 * Seed 000 §5.2.2 model training: Conv2D(32,3×3,relu)–MaxPool(2) → Conv2D(64)–MaxPool →
 * Conv2D(128)–MaxPool → Flatten → Dense(512,relu) → Dropout(0.5) → Dense(1,sigmoid),
 * compiled with adam and binary cross-entropy (accuracy metric), as the document does.
 */
export function binaryCnn(options: BinaryCnnOptions = {}): tf.Sequential {
  const inputShape = options.inputShape ?? SEED000_INPUT;
  const denseUnits = options.denseUnits ?? 512;
  const dropout = options.dropout ?? 0.5;
  checkInput(inputShape, 3, "binaryCnn");
  checkPositiveInteger(denseUnits, "binaryCnn: denseUnits");
  if (!(dropout >= 0 && dropout < 1)) throw new CnnConfigError(`binaryCnn: dropout must be in [0, 1), got ${dropout}`);
  const seed = options.seed;
  const model = tf.sequential({ name: "seed000_binary_cnn" });
  convBlock(model, 32, seed, inputShape);
  convBlock(model, 64, seed);
  convBlock(model, 128, seed);
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: denseUnits, activation: "relu", ...initialisers(seed) }));
  // No seed here: a seeded tfjs Dropout draws the same mask at every step. src/training's fit seeds it per step.
  model.add(tf.layers.dropout({ rate: dropout }));
  model.add(tf.layers.dense({ units: 1, activation: "sigmoid", ...initialisers(seed) }));
  model.compile({
    optimizer: adam(options.learningRate ?? 0.001),
    loss: "binaryCrossentropy",
    metrics: ["accuracy"],
  });
  return adoptOptimizer(model);
}

/**
 * Seed 001 §5.2 step 2, building the neural network model: Conv2D(3×3,relu)–MaxPool(2) blocks
 * (32, 64, 128 filters in the document) → Flatten → Dense(128,relu) → Dense(10,softmax),
 * compiled with adam and sparse categorical cross-entropy (accuracy metric).
 */
export function multiClassCnn(options: MultiClassCnnOptions = {}): tf.Sequential {
  const inputShape = options.inputShape ?? SEED001_INPUT;
  const convFilters = options.convFilters ?? SEED001_CONV_FILTERS;
  const denseUnits = options.denseUnits ?? 128;
  const classes = options.classes ?? 10;
  if (convFilters.length === 0) throw new CnnConfigError("multiClassCnn: convFilters needs at least one block");
  convFilters.forEach((filters, block) => checkPositiveInteger(filters, `multiClassCnn: convFilters[${block}]`));
  checkInput(inputShape, convFilters.length, "multiClassCnn");
  checkPositiveInteger(denseUnits, "multiClassCnn: denseUnits");
  if (!Number.isInteger(classes) || classes < 2)
    throw new CnnConfigError(`multiClassCnn: classes must be an integer ≥ 2, got ${classes}`);
  const seed = options.seed;
  const model = tf.sequential({ name: "seed001_multiclass_cnn" });
  convFilters.forEach((filters, block) => convBlock(model, filters, seed, block === 0 ? inputShape : undefined));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: denseUnits, activation: "relu", ...initialisers(seed) }));
  model.add(tf.layers.dense({ units: classes, activation: "softmax", ...initialisers(seed) }));
  model.compile({
    optimizer: adam(options.learningRate ?? 0.001),
    loss: "sparseCategoricalCrossentropy",
    metrics: ["accuracy"],
  });
  return adoptOptimizer(model);
}
