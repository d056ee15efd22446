/**
 * Image folders with Keras' `image_dataset_from_directory` semantics (seed 001 §5.2 step 1; seed 000
 * §5.2.1 flow_from_directory): classes are the sorted subfolder names, files are indexed (not loaded),
 * shuffled with the seed and split — the last `validationSplit` fraction is validation — and batches are
 * decoded with sharp only when iterated. A corrupt file fails with its path, or is skipped and listed.
 */
import { readdirSync, statSync } from "node:fs";
import { extname, join, relative } from "node:path";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { stopReason, stopSignals, type StopPoint } from "../cancellation";
import { DatasetError, ImageFileError } from "./errors";
import type { DecodedImageCache } from "./image-cache";
import { deriveSeed, seededRandom, shuffle } from "../random";

/** File extensions Keras indexes. */
export const IMAGE_EXTENSIONS = [".bmp", ".gif", ".jpeg", ".jpg", ".png"] as const;

/** Options, named and defaulted as Keras' image_dataset_from_directory (camelCase). */
export interface ImageFolderOptions {
  /** [height, width] every image is resized to (bilinear); default [256, 256]. */
  readonly imageSize?: readonly [number, number];
  readonly batchSize?: number;
  /**
   * `int` (int32 [b]), `categorical` (one-hot float32 [b, k]), `binary` (float32 [b, 1], two classes), or null (no
   * labels).
   */
  readonly labelMode?: "int" | "categorical" | "binary" | null;
  /** Fraction kept for validation (0 ≤ x < 1). */
  readonly validationSplit?: number;
  /** Which part of the split to return; required with validationSplit. */
  readonly subset?: "training" | "validation";
  /** Seed of the shuffle that decides the split and the batch order; default 1337 (needed for a split). */
  readonly seed?: number;
  /** Shuffle files (and reshuffle every pass); default true. */
  readonly shuffle?: boolean;
  readonly colorMode?: "grayscale" | "rgb" | "rgba";
  /** Multiply pixel values (0–255) by this, e.g. 1/255 as the documents' rescale; default 1 (Keras' default). */
  readonly rescale?: number;
  /**
   * `throw` (default): a bad file stops iteration with ImageFileError; `skip`: it is left out and listed in `skipped`.
   */
  readonly onBadFile?: "throw" | "skip";
  /**
   * Decoded pixels kept between passes (Seed 000 §2.4 data caching); shared caches key by path, size, colour mode and
   * rescale.
   */
  readonly cache?: DecodedImageCache;
}

/** One batch: images [b, h, w, c] float32, labels as labelMode says (absent when labelMode is null). Dispose both. */
export interface ImageBatch {
  readonly images: tf.Tensor4D;
  readonly labels?: tf.Tensor;
  /** Paths of the images in this batch, in order. */
  readonly paths: readonly string[];
}

/** A file left out because it could not be decoded. */
export interface SkippedFile {
  readonly path: string;
  readonly reason: string;
}

interface Resolved {
  readonly height: number;
  readonly width: number;
  readonly batchSize: number;
  readonly labelMode: "int" | "categorical" | "binary" | null;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly channels: 1 | 3 | 4;
  readonly colorMode: "grayscale" | "rgb" | "rgba";
  readonly rescale: number;
  readonly onBadFile: "throw" | "skip";
  readonly cache: DecodedImageCache | undefined;
}

function listImages(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  )) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listImages(path));
    else if ((IMAGE_EXTENSIONS as readonly string[]).includes(extname(entry.name).toLowerCase())) out.push(path);
  }
  return out;
}

/** An indexed image folder: file list and labels now, pixels only when batches are iterated. */
export class ImageFolderDataset {
  /** Files left out so far (onBadFile: "skip"). */
  readonly skipped: SkippedFile[] = [];
  /**
   * Where and why the last pass stopped on a signal or an interrupt (0-based pass and batch); undefined when it went to
   * the end.
   */
  stopped: StopPoint | undefined;
  private passes = 0;

  /** Use imageDatasetFromDirectory(). */
  constructor(
    readonly directory: string,
    readonly classNames: readonly string[],
    readonly filePaths: readonly string[],
    readonly labels: readonly number[],
    private readonly options: Resolved,
  ) {}

  /** Number of images in this subset. */
  get size(): number {
    return this.filePaths.length;
  }

  /** Number of batches per pass (the last may be smaller). */
  get numBatches(): number {
    return Math.ceil(this.filePaths.length / this.options.batchSize);
  }

  /**
   * Decodes one file to float32 HWC pixels (resized, colour mode applied, rescaled); ImageFileError
   * names the file. With a cache, a file decoded before is a copy of the cached pixels.
   */
  async decode(path: string): Promise<Float32Array> {
    const { cache, height, width, colorMode, rescale } = this.options;
    if (cache === undefined) return this.decodeFile(path);
    const key = `${path}\0${height}×${width}\0${colorMode}\0${rescale}`;
    const cached = cache.get(key);
    if (cached !== undefined) return cached.slice();
    const pixels = await this.decodeFile(path);
    cache.set(key, pixels.slice());
    return pixels;
  }

  private async decodeFile(path: string): Promise<Float32Array> {
    const { height, width, channels, colorMode, rescale } = this.options;
    let pixels: Buffer;
    try {
      let image = sharp(path, { failOn: "error" }).resize(width, height, { fit: "fill", kernel: "linear" });
      image =
        colorMode === "grayscale"
          ? image.toColourspace("b-w")
          : colorMode === "rgb"
            ? image.removeAlpha().toColourspace("srgb")
            : image.ensureAlpha().toColourspace("srgb");
      const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
      if (info.channels !== channels) throw new Error(`decoded ${info.channels} channel(s), expected ${channels}`);
      pixels = data;
    } catch (error) {
      throw new ImageFileError(path, `cannot be read as an image (${(error as Error).message})`);
    }
    const out = new Float32Array(pixels.length);
    for (let i = 0; i < pixels.length; i++) out[i] = pixels[i]! * rescale;
    return out;
  }

  private order(pass: number): number[] {
    const indices = this.filePaths.map((_, i) => i);
    if (!this.options.shuffle) return indices;
    return shuffle(indices, seededRandom(deriveSeed(this.options.seed, pass)));
  }

  private labelTensor(labels: readonly number[]): tf.Tensor | undefined {
    const mode = this.options.labelMode;
    if (mode === null) return undefined;
    if (mode === "int") return tf.tensor1d([...labels], "int32");
    if (mode === "binary") return tf.tensor2d([...labels], [labels.length, 1], "float32");
    return tf.tidy(() => tf.oneHot(tf.tensor1d([...labels], "int32"), this.classNames.length).toFloat());
  }

  /**
   * Batches of one pass over the subset, decoded as they are reached (a new shuffle each pass).
   * The pass ends before decoding the next batch when `signal` is aborted, or the kernel interrupts
   * the cell that started it; {@link stopped} says where.
   */
  async *batches(options: { readonly signal?: AbortSignal } = {}): AsyncGenerator<ImageBatch> {
    const { height, width, channels, batchSize } = this.options;
    const signals = stopSignals(options.signal);
    const pass = this.passes++;
    const order = this.order(pass);
    const frame = height * width * channels;
    this.stopped = undefined;
    for (let start = 0; start < order.length; start += batchSize) {
      const reason = stopReason(signals);
      if (reason !== undefined) {
        this.stopped = { epoch: pass, batch: start / batchSize, reason };
        return;
      }
      const chosen = order.slice(start, start + batchSize);
      const decoded: { path: string; label: number; pixels: Float32Array }[] = [];
      for (const index of chosen) {
        const path = this.filePaths[index]!;
        try {
          decoded.push({ path, label: this.labels[index]!, pixels: await this.decode(path) });
        } catch (error) {
          if (this.options.onBadFile === "throw" || !(error instanceof ImageFileError)) throw error;
          this.skipped.push({ path, reason: error.message });
        }
      }
      if (decoded.length === 0) continue;
      const buffer = new Float32Array(decoded.length * frame);
      decoded.forEach((d, k) => buffer.set(d.pixels, k * frame));
      const images = tf.tensor4d(buffer, [decoded.length, height, width, channels]);
      const labels = this.labelTensor(decoded.map((d) => d.label));
      yield { images, paths: decoded.map((d) => d.path), ...(labels === undefined ? {} : { labels }) };
    }
  }

  /**
   * Every image of one pass in memory — images [n, h, w, c] and labels as labelMode says, with the
   * paths in the same order — for training helpers that shuffle in memory (src/training fit). Dispose both.
   */
  async toTensors(options: { readonly signal?: AbortSignal } = {}): Promise<ImageBatch> {
    const images: tf.Tensor4D[] = [];
    const labels: tf.Tensor[] = [];
    const paths: string[] = [];
    for await (const batch of this.batches(options)) {
      images.push(batch.images);
      if (batch.labels !== undefined) labels.push(batch.labels);
      paths.push(...batch.paths);
    }
    if (this.stopped !== undefined) {
      tf.dispose([...images, ...labels]);
      throw new DatasetError(
        this.directory,
        `loading stopped after ${this.stopped.batch} of ${this.numBatches} batches: ${this.stopped.reason}`,
      );
    }
    if (images.length === 0) throw new DatasetError(this.directory, "no image could be read");
    const all = tf.concat(images, 0);
    const allLabels = labels.length === 0 ? undefined : tf.concat(labels, 0);
    tf.dispose([...images, ...labels]);
    return { images: all, paths, ...(allLabels === undefined ? {} : { labels: allLabels }) };
  }

  /** [Symbol.asyncIterator]: `for await (const batch of dataset)`. */
  [Symbol.asyncIterator](): AsyncGenerator<ImageBatch> {
    return this.batches();
  }

  /** As a tf.data.Dataset of {xs, ys} batches, for `model.fitDataset` (each epoch a fresh pass). */
  toTfDataset(): tf.data.Dataset<{ xs: tf.Tensor4D; ys: tf.Tensor }> {
    if (this.options.labelMode === null)
      throw new DatasetError(this.directory, "toTfDataset needs labels (labelMode is null)");
    // tf.data.generator accepts a generator whose next() returns promises; fitDataset awaits each.
    const make = () => {
      const it = this.batches();
      return {
        next: async () => {
          const r = await it.next();
          return r.done === true
            ? { done: true, value: undefined }
            : { done: false, value: { xs: r.value.images, ys: r.value.labels as tf.Tensor } };
        },
      };
    };
    return tf.data.generator(make as unknown as () => Iterator<{ xs: tf.Tensor4D; ys: tf.Tensor }>);
  }
}

function resolveOptions(dir: string, options: ImageFolderOptions): Resolved {
  const [height, width] = options.imageSize ?? [256, 256];
  const batchSize = options.batchSize ?? 32;
  if (![height, width, batchSize].every((n) => Number.isSafeInteger(n) && n > 0)) {
    throw new DatasetError(
      dir,
      `imageSize and batchSize must be positive integers, got [${height}, ${width}] and ${batchSize}`,
    );
  }
  const colorMode = options.colorMode ?? "rgb";
  return {
    height,
    width,
    batchSize,
    colorMode,
    labelMode: options.labelMode === undefined ? "int" : options.labelMode,
    shuffle: options.shuffle ?? true,
    seed: options.seed ?? 1337,
    channels: colorMode === "grayscale" ? 1 : colorMode === "rgb" ? 3 : 4,
    rescale: options.rescale ?? 1,
    onBadFile: options.onBadFile ?? "throw",
    cache: options.cache,
  };
}

/**
 * Indexes an image folder as Keras' `image_dataset_from_directory` does:
 * one class per sorted subfolder, files shuffled with `seed` (when `shuffle`), then split so that the
 * last ⌊validationSplit·n⌋ files are validation — the same seed gives disjoint training and
 * validation subsets that cover the folder. Pixels are read only when batches are iterated.
 */
export function imageDatasetFromDirectory(dir: string, options: ImageFolderOptions = {}): ImageFolderDataset {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new DatasetError(dir, "folder not found");
  }
  if (!isDir) throw new DatasetError(dir, "is not a folder");
  const resolved = resolveOptions(dir, options);
  const classNames = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  if (classNames.length === 0)
    throw new DatasetError(dir, "has no class subfolders (expected one folder of images per class)");
  if (resolved.labelMode === "binary" && classNames.length !== 2) {
    throw new DatasetError(
      dir,
      `labelMode "binary" needs exactly 2 class folders, found ${classNames.length}: ${classNames.join(", ")}`,
    );
  }
  let paths: string[] = [];
  let labels: number[] = [];
  classNames.forEach((name, label) => {
    const files = listImages(join(dir, name));
    paths.push(...files);
    labels.push(...files.map(() => label));
  });
  if (paths.length === 0)
    throw new DatasetError(
      dir,
      `no image files (${IMAGE_EXTENSIONS.join(" ")}) in ${classNames.map((c) => relative(dir, join(dir, c))).join(", ")}`,
    );
  if (resolved.shuffle) {
    const order = shuffle(
      paths.map((_, i) => i),
      seededRandom(resolved.seed),
    );
    paths = order.map((i) => paths[i]!);
    labels = order.map((i) => labels[i]!);
  }
  const split = options.validationSplit ?? 0;
  if (!(split >= 0 && split < 1)) throw new DatasetError(dir, `validationSplit must be in [0, 1), got ${split}`);
  if (split > 0) {
    if (options.subset === undefined)
      throw new DatasetError(dir, 'validationSplit needs subset: "training" or "validation"');
    const numValidation = Math.floor(split * paths.length);
    const cut = paths.length - numValidation;
    const keep = options.subset === "training" ? [0, cut] : [cut, paths.length];
    paths = paths.slice(keep[0], keep[1]);
    labels = labels.slice(keep[0], keep[1]);
  } else if (options.subset !== undefined) {
    throw new DatasetError(dir, "subset needs a validationSplit above 0");
  }
  return new ImageFolderDataset(dir, classNames, paths, labels, resolved);
}
