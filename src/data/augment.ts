/**
 * Data augmentation with Keras' ImageDataGenerator semantics (Seed 000 §3.1 augment_data, §5.2.1
 * ImageDataGenerator(rescale, rotation_range, width/height_shift_range, shear_range, zoom_range,
 * horizontal_flip, fill_mode)). Each image gets its own random affine transform, composed as Keras'
 * `apply_affine_transform` (rotation · shift · shear · zoom about the image centre, coordinates (row,
 * col)), sampled bilinearly (scipy's order=1) with the chosen fill mode, then flips; then rescale.
 * Draws come from a seeded generator, so a seed reproduces a run (not numpy's numbers). Random crop,
 * which Seed 000 §3.1 lists beside rotation and zoom but ImageDataGenerator lacks, is `RandomCrop`.
 */
import * as tf from "@tensorflow/tfjs";
import { CleaningError } from "./errors";
import { imageDatasetFromDirectory, type ImageBatch, type ImageFolderOptions } from "./image-folder";
import { seededRandom, shuffle, type Random } from "../random";

/** How points outside the image are filled (scipy.ndimage modes as Keras passes them). */
export type FillMode = "constant" | "nearest" | "reflect" | "wrap";

/**
 * ImageDataGenerator's options (camelCase of Keras' names; angles in degrees, shifts as fractions of the size when < 1,
 * else pixels).
 */
export interface AugmentOptions {
  readonly rotationRange?: number;
  readonly widthShiftRange?: number;
  readonly heightShiftRange?: number;
  readonly shearRange?: number;
  /** z gives zoom factors in [1 − z, 1 + z]; a pair gives [low, high]. Factors < 1 zoom in. */
  readonly zoomRange?: number | readonly [number, number];
  readonly horizontalFlip?: boolean;
  readonly verticalFlip?: boolean;
  readonly fillMode?: FillMode;
  /** Fill value for `constant` mode, in the input's units. */
  readonly cval?: number;
  /** Multiplies pixels after the transform (Keras' standardize step), e.g. 1/255. */
  readonly rescale?: number;
  readonly seed?: number;
}

/** One image's transform, as Keras' `get_random_transform` returns it. */
export interface TransformParams {
  /** Rotation in degrees. */
  readonly theta: number;
  /** Shift along rows (height), pixels. */
  readonly tx: number;
  /** Shift along columns (width), pixels. */
  readonly ty: number;
  /** Shear angle in degrees. */
  readonly shear: number;
  /** Zoom along rows. */
  readonly zx: number;
  /** Zoom along columns. */
  readonly zy: number;
  readonly flipHorizontal: boolean;
  readonly flipVertical: boolean;
}

/** The identity transform. */
export const IDENTITY_TRANSFORM: TransformParams = {
  theta: 0,
  tx: 0,
  ty: 0,
  shear: 0,
  zx: 1,
  zy: 1,
  flipHorizontal: false,
  flipVertical: false,
};

type Matrix3 = [number, number, number, number, number, number, number, number, number];

function multiply(a: Matrix3, b: Matrix3): Matrix3 {
  const out = new Array<number>(9).fill(0) as Matrix3;
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) out[3 * i + j] += a[3 * i + k]! * b[3 * k + j]!;
  return out;
}

/**
 * The 3×3 matrix mapping output (row, col, 1) to input coordinates for an h×w image (Keras:
 * transform_matrix_offset_center).
 */
export function affineMatrix(params: TransformParams, height: number, width: number): Matrix3 {
  const t = (params.theta * Math.PI) / 180;
  const s = (params.shear * Math.PI) / 180;
  let m: Matrix3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  if (params.theta !== 0) m = multiply(m, [Math.cos(t), -Math.sin(t), 0, Math.sin(t), Math.cos(t), 0, 0, 0, 1]);
  if (params.tx !== 0 || params.ty !== 0) m = multiply(m, [1, 0, params.tx, 0, 1, params.ty, 0, 0, 1]);
  if (params.shear !== 0) m = multiply(m, [1, -Math.sin(s), 0, 0, Math.cos(s), 0, 0, 0, 1]);
  if (params.zx !== 1 || params.zy !== 1) m = multiply(m, [params.zx, 0, 0, 0, params.zy, 0, 0, 0, 1]);
  const ox = height / 2 - 0.5;
  const oy = width / 2 - 0.5;
  return multiply(multiply([1, 0, ox, 0, 1, oy, 0, 0, 1], m), [1, 0, -ox, 0, 1, -oy, 0, 0, 1]);
}

/** Maps a coordinate into [0, n−1] by the fill mode; null means "outside" (constant mode). */
function place(x: number, n: number, mode: FillMode): number | null {
  const eps = 1e-6;
  switch (mode) {
    case "constant":
      return x < -eps || x > n - 1 + eps ? null : Math.min(Math.max(x, 0), n - 1);
    case "nearest":
      return Math.min(Math.max(x, 0), n - 1);
    case "reflect": {
      // scipy 'reflect' (d c b a | a b c d | d c b a): mirror about −0.5 and n − 0.5.
      const period = 2 * n;
      let y = (x + 0.5) % period;
      if (y < 0) y += period;
      if (y >= n) y = period - y;
      return Math.min(Math.max(y - 0.5, 0), n - 1);
    }
    case "wrap": {
      let y = x % n;
      if (y < 0) y += n;
      return y;
    }
  }
}

/**
 * Applies one transform to an HWC float image (Keras `apply_transform`: affine, then flips); returns a
 * new array. Bilinear sampling as scipy.ndimage.affine_transform(order=1) (Seed 000 §5.2.1).
 */
export function applyTransform(
  image: Float32Array,
  height: number,
  width: number,
  channels: number,
  params: TransformParams,
  fillMode: FillMode = "nearest",
  cval = 0,
): Float32Array {
  if (image.length !== height * width * channels)
    throw new CleaningError(`applyTransform: ${image.length} values for a ${height}×${width}×${channels} image`);
  const out = new Float32Array(image.length);
  const m = affineMatrix(params, height, width);
  const at = (r: number, c: number, k: number) => image[(r * width + c) * channels + k]!;
  for (let i = 0; i < height; i++) {
    for (let j = 0; j < width; j++) {
      const r = place(m[0] * i + m[1] * j + m[2], height, fillMode);
      const c = place(m[3] * i + m[4] * j + m[5], width, fillMode);
      const oi = params.flipVertical ? height - 1 - i : i;
      const oj = params.flipHorizontal ? width - 1 - j : j;
      const base = (oi * width + oj) * channels;
      if (r === null || c === null) {
        for (let k = 0; k < channels; k++) out[base + k] = cval;
        continue;
      }
      const r0 = Math.floor(r);
      const c0 = Math.floor(c);
      const fr = r - r0;
      const fc = c - c0;
      // wrap mode interpolates across the seam; the others stay inside.
      const r1 = fillMode === "wrap" ? (r0 + 1) % height : Math.min(r0 + 1, height - 1);
      const c1 = fillMode === "wrap" ? (c0 + 1) % width : Math.min(c0 + 1, width - 1);
      for (let k = 0; k < channels; k++) {
        out[base + k] =
          (1 - fr) * ((1 - fc) * at(r0, c0, k) + fc * at(r0, c1, k)) +
          fr * ((1 - fc) * at(r1, c0, k) + fc * at(r1, c1, k));
      }
    }
  }
  return out;
}

/** Keras' ImageDataGenerator in TypeScript: random per-image transforms, seeded. */
export class ImageDataGenerator {
  private readonly random: Random;
  private readonly zoom: readonly [number, number];

  /** Checks the options as Keras does (zoom range, non-negative ranges). */
  constructor(readonly options: AugmentOptions = {}) {
    const z = options.zoomRange ?? 0;
    this.zoom = typeof z === "number" ? [1 - z, 1 + z] : [z[0], z[1]];
    if (this.zoom[0] <= 0 || this.zoom[0] > this.zoom[1])
      throw new CleaningError(`zoomRange must give 0 < low ≤ high, got [${this.zoom.join(", ")}]`);
    for (const key of ["rotationRange", "widthShiftRange", "heightShiftRange", "shearRange"] as const) {
      const v = options[key] ?? 0;
      if (!(v >= 0)) throw new CleaningError(`${key} must be ≥ 0, got ${v}`);
    }
    this.random = seededRandom(options.seed ?? 1337);
  }

  /** Draws one transform for an h×w image (Keras `get_random_transform`). */
  randomTransform(height: number, width: number): TransformParams {
    const o = this.options;
    const rnd = this.random;
    const pick = (range: number | undefined) => (range === undefined || range === 0 ? 0 : rnd.between(-range, range));
    const theta = pick(o.rotationRange);
    const h = o.heightShiftRange ?? 0;
    const w = o.widthShiftRange ?? 0;
    const tx = pick(h) * (h < 1 ? height : 1);
    const ty = pick(w) * (w < 1 ? width : 1);
    const shear = pick(o.shearRange);
    const [lo, hi] = this.zoom;
    const zx = lo === 1 && hi === 1 ? 1 : rnd.between(lo, hi);
    const zy = lo === 1 && hi === 1 ? 1 : rnd.between(lo, hi);
    const flipHorizontal = o.horizontalFlip === true && rnd.uniform() < 0.5;
    const flipVertical = o.verticalFlip === true && rnd.uniform() < 0.5;
    return { theta, tx, ty, shear, zx, zy, flipHorizontal, flipVertical };
  }

  /**
   * Augments every image of a batch [b, h, w, c] with its own random transform, then rescales;
   * returns a new tensor. Reads the pixels synchronously: on a GPU backend in Node use
   * {@link augmentAsync}.
   */
  augment(images: tf.Tensor4D): tf.Tensor4D {
    return this.transformPixels(images.dataSync() as Float32Array, images.shape);
  }

  /** {@link augment}, reading the pixels asynchronously (the only way a GPU backend in Node can). */
  async augmentAsync(images: tf.Tensor4D): Promise<tf.Tensor4D> {
    return this.transformPixels((await images.data()) as Float32Array, images.shape);
  }

  private transformPixels(data: Float32Array, shape: readonly [number, number, number, number]): tf.Tensor4D {
    const [b, h, w, c] = shape;
    const out = new Float32Array(data.length);
    const frame = h * w * c;
    const scale = this.options.rescale ?? 1;
    for (let n = 0; n < b; n++) {
      const img = applyTransform(
        data.subarray(n * frame, (n + 1) * frame),
        h,
        w,
        c,
        this.randomTransform(h, w),
        this.options.fillMode ?? "nearest",
        this.options.cval ?? 0,
      );
      for (let i = 0; i < frame; i++) out[n * frame + i] = img[i]! * scale;
    }
    return tf.tensor4d(out, [b, h, w, c]);
  }

  /**
   * Augmented batches from in-memory images and labels (Keras `flow`); shuffled with the generator's seed when asked.
   */
  *flow(
    images: tf.Tensor4D,
    labels?: tf.Tensor,
    options: { readonly batchSize?: number; readonly shuffle?: boolean } = {},
  ): Generator<{ images: tf.Tensor4D; labels?: tf.Tensor }> {
    const n = images.shape[0];
    const batchSize = options.batchSize ?? 32;
    const order = options.shuffle === false ? [...Array(n).keys()] : shuffle([...Array(n).keys()], this.random);
    for (let start = 0; start < n; start += batchSize) {
      const idx = tf.tensor1d(order.slice(start, start + batchSize), "int32");
      const raw = tf.gather(images, idx) as tf.Tensor4D;
      const batchImages = this.augment(raw);
      raw.dispose();
      const batchLabels = labels === undefined ? undefined : tf.gather(labels, idx);
      idx.dispose();
      yield batchLabels === undefined ? { images: batchImages } : { images: batchImages, labels: batchLabels };
    }
  }

  /**
   * Augmented batches from an image folder (Keras `flow_from_directory`: targetSize, classMode, …):
   * indexed with imageDatasetFromDirectory, each decoded batch transformed, then rescaled.
   */
  async *flowFromDirectory(dir: string, options: Omit<ImageFolderOptions, "rescale"> = {}): AsyncGenerator<ImageBatch> {
    const dataset = imageDatasetFromDirectory(dir, { ...options, rescale: 1 });
    for await (const batch of dataset) {
      const images = await this.augmentAsync(batch.images);
      batch.images.dispose();
      yield { ...batch, images };
    }
  }
}

/** Options of {@link RandomCrop}: the output size, and an optional border added before cropping. */
export interface RandomCropOptions {
  /** Output height in pixels. */
  readonly height: number;
  /** Output width in pixels. */
  readonly width: number;
  /**
   * Pixels added on every side before the crop (torchvision's `padding`), so a crop of the input's own size still moves
   * it.
   */
  readonly padding?: number;
  /** How the border is filled (default `constant`). */
  readonly fillMode?: FillMode;
  /** Fill value for `constant` mode, in the input's units. */
  readonly cval?: number;
  readonly seed?: number;
}

/**
 * Random crop: each image of a batch gets its own
 * height×width window, drawn uniformly among all windows of the (padded) image, as Keras' RandomCrop
 * layer and torchvision's RandomCrop do; pixels are copied, never resampled.
 */
export class RandomCrop {
  private readonly random: Random;

  /** Checks that the sizes are positive integers and the padding a non-negative one. */
  constructor(readonly options: RandomCropOptions) {
    for (const key of ["height", "width"] as const) {
      const v = options[key];
      if (!Number.isInteger(v) || v < 1)
        throw new CleaningError(`RandomCrop: ${key} must be a positive integer, got ${v}`);
    }
    const padding = options.padding ?? 0;
    if (!Number.isInteger(padding) || padding < 0)
      throw new CleaningError(`RandomCrop: padding must be a non-negative integer, got ${padding}`);
    this.random = seededRandom(options.seed ?? 1337);
  }

  /** Draws one window's top-left corner, in padded coordinates, for an h×w image. */
  randomOffset(height: number, width: number): { readonly top: number; readonly left: number } {
    const padding = this.options.padding ?? 0;
    const rows = height + 2 * padding - this.options.height;
    const cols = width + 2 * padding - this.options.width;
    if (rows < 0 || cols < 0) {
      throw new CleaningError(
        `RandomCrop: a ${this.options.height}×${this.options.width} window does not fit a ${height}×${width} image padded by ${padding}`,
      );
    }
    return { top: this.random.int(rows + 1), left: this.random.int(cols + 1) };
  }

  /** Crops every image of a batch [b, h, w, c] at its own random window; returns a new [b, height, width, c] tensor. */
  crop(images: tf.Tensor4D): tf.Tensor4D {
    const [b, h, w, c] = images.shape;
    const { height, width } = this.options;
    const padding = this.options.padding ?? 0;
    const fillMode = this.options.fillMode ?? "constant";
    const cval = this.options.cval ?? 0;
    const data = images.dataSync();
    const out = new Float32Array(b * height * width * c);
    for (let n = 0; n < b; n++) {
      const { top, left } = this.randomOffset(h, w);
      for (let i = 0; i < height; i++) {
        const r = place(top + i - padding, h, fillMode);
        for (let j = 0; j < width; j++) {
          const col = place(left + j - padding, w, fillMode);
          const base = ((n * height + i) * width + j) * c;
          for (let k = 0; k < c; k++)
            out[base + k] =
              r === null || col === null ? cval : data[((n * h + Math.round(r)) * w + Math.round(col)) * c + k]!;
        }
      }
    }
    return tf.tensor4d(out, [b, height, width, c]);
  }
}
