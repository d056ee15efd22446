/**
 * Fashion-MNIST (Zalando, MIT licence): 28×28 grey clothing images in 10 classes, the image data of
 * seed 001 §5.2 (its CNN) and the workbook's CNN / GAN notebooks. A subset ships in data/fashion-mnist
 * (first 6000 train, first 1000 test images, sha256 in data/README.md); the full set comes from
 * Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist) or LEPTON_FASHION_MNIST_DIR.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { DatasetError } from "./errors";
import { readIdx } from "./idx";

/** The ten class names in label order (Fashion-MNIST README). */
export const FASHION_MNIST_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
] as const;

/** Images per split in the full dataset and in the subset shipped under data/. */
export const FASHION_MNIST_SIZES = {
  full: { train: 60_000, test: 10_000 },
  shipped: { train: 6_000, test: 1_000 },
} as const;

/** Folder of the subset shipped with the repository. */
export const SHIPPED_FASHION_MNIST_DIR = resolve(__dirname, "../../data/fashion-mnist");
/** Folder where Debian's dataset-fashion-mnist installs the full set. */
export const DEBIAN_FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/** Options of loadFashionMnist. */
export interface FashionMnistOptions {
  readonly split: "train" | "test";
  /** First `limit` images (all of the chosen files by default). */
  readonly limit?: number;
  /**
   * A folder with the four idx files; default: env LEPTON_FASHION_MNIST_DIR, else the shipped subset when it has enough
   * images, else Debian's full set.
   */
  readonly dir?: string;
}

/** Images (float in [0, 1], NHWC), integer labels and class names. Dispose the tensors when done. */
export interface FashionMnist {
  readonly images: tf.Tensor4D;
  readonly labels: tf.Tensor1D;
  readonly classNames: readonly string[];
  /** The folder the files were read from. */
  readonly source: string;
}

/** Raw bytes of one split, before any tensor is made (for image folders and tests). */
export interface FashionMnistBytes {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
  readonly source: string;
}

function filePrefix(split: "train" | "test"): string {
  return split === "train" ? "train" : "t10k";
}

function chooseDir(options: FashionMnistOptions): string {
  if (options.dir !== undefined) return options.dir;
  const fromEnv = process.env.LEPTON_FASHION_MNIST_DIR;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const wanted = options.limit ?? FASHION_MNIST_SIZES.full[options.split];
  if (wanted <= FASHION_MNIST_SIZES.shipped[options.split]) return SHIPPED_FASHION_MNIST_DIR;
  if (existsSync(join(DEBIAN_FASHION_MNIST_DIR, `${filePrefix(options.split)}-images-idx3-ubyte.gz`)))
    return DEBIAN_FASHION_MNIST_DIR;
  throw new DatasetError(
    DEBIAN_FASHION_MNIST_DIR,
    `${wanted} ${options.split} images asked for, the shipped subset has ${FASHION_MNIST_SIZES.shipped[options.split]}; ` +
      "install Debian's dataset-fashion-mnist or set LEPTON_FASHION_MNIST_DIR to a folder with the idx files",
  );
}

/** Reads one split's bytes with every check (magic numbers, sizes, label range, image/label counts). */
export function readFashionMnistBytes(options: FashionMnistOptions): FashionMnistBytes {
  const dir = chooseDir(options);
  const prefix = filePrefix(options.split);
  const imagesPath = join(dir, `${prefix}-images-idx3-ubyte.gz`);
  const labelsPath = join(dir, `${prefix}-labels-idx1-ubyte.gz`);
  const images = readIdx(imagesPath, 3);
  const labels = readIdx(labelsPath, 1);
  const [count, height, width] = images.shape as [number, number, number];
  if (height !== 28 || width !== 28)
    throw new DatasetError(imagesPath, `images are ${height}×${width}, Fashion-MNIST's are 28×28`);
  if (labels.shape[0] !== count)
    throw new DatasetError(labelsPath, `${labels.shape[0]} labels for ${count} images in ${imagesPath}`);
  const limit = options.limit ?? count;
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new DatasetError(imagesPath, `limit must be a positive integer, got ${limit}`);
  if (limit > count) throw new DatasetError(imagesPath, `${limit} images asked for, the file has ${count}`);
  const labelBytes = labels.data.subarray(0, limit);
  const bad = labelBytes.findIndex((l) => l > 9);
  if (bad >= 0) throw new DatasetError(labelsPath, `label ${labelBytes[bad]} at index ${bad} is outside 0..9`);
  return {
    count: limit,
    height,
    width,
    pixels: images.data.subarray(0, limit * height * width),
    labels: labelBytes,
    source: dir,
  };
}

/**
 * Fashion-MNIST as tensors: images [n, 28, 28, 1] float32 in [0, 1] (the documents' rescale 1/255),
 * labels [n] int32 (Seed 001 §5.2 step 1; seed 000 §5.2.1 rescale).
 */
export function loadFashionMnist(options: FashionMnistOptions): FashionMnist {
  const bytes = readFashionMnistBytes(options);
  const images = tf.tidy(
    () =>
      tf.tensor4d(bytes.pixels, [bytes.count, bytes.height, bytes.width, 1], "int32").toFloat().div(255) as tf.Tensor4D,
  );
  const labels = tf.tensor1d(Int32Array.from(bytes.labels), "int32");
  return { images, labels, classNames: [...FASHION_MNIST_CLASSES], source: bytes.source };
}
