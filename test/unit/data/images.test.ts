import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  affineMatrix,
  applyTransform,
  IDENTITY_TRANSFORM,
  ImageDataGenerator,
  RandomCrop,
} from "../../../src/data/augment";
import { ImageFileError } from "../../../src/data/errors";
import { imageDatasetFromDirectory, type ImageFolderOptions } from "../../../src/data/image-folder";

const FOLDER = join(__dirname, "../../../data/fashion-mnist-png");
const CLASSES = [
  "ankle-boot",
  "bag",
  "coat",
  "dress",
  "pullover",
  "sandal",
  "shirt",
  "sneaker",
  "t-shirt-top",
  "trouser",
];

/** The folder read as grey images in [0, 1] with one-hot labels, at the given size, batch size and shuffle seed. */
const greyOneHot = (options: Pick<ImageFolderOptions, "imageSize" | "batchSize" | "seed">) =>
  imageDatasetFromDirectory(FOLDER, {
    colorMode: "grayscale",
    labelMode: "categorical",
    rescale: 1 / 255,
    ...options,
  });

describe("imageDatasetFromDirectory (Keras semantics)", () => {
  it("classes are sorted folder names; a seeded split is disjoint, covers the folder and repeats", () => {
    const opts = { imageSize: [28, 28] as const, validationSplit: 0.2, seed: 7, colorMode: "grayscale" as const };
    const train = imageDatasetFromDirectory(FOLDER, { ...opts, subset: "training" });
    const val = imageDatasetFromDirectory(FOLDER, { ...opts, subset: "validation" });
    expect(train.classNames).toEqual(CLASSES);
    expect(train.size).toBe(160);
    expect(val.size).toBe(40);
    expect(new Set([...train.filePaths, ...val.filePaths]).size).toBe(200);
    expect(imageDatasetFromDirectory(FOLDER, { ...opts, subset: "validation" }).filePaths).toEqual(val.filePaths);
    expect(imageDatasetFromDirectory(FOLDER, { ...opts, seed: 8, subset: "validation" }).filePaths).not.toEqual(
      val.filePaths,
    );
    val.filePaths.forEach((p, i) => expect(CLASSES[val.labels[i]!]).toBe(basename(dirname(p))));
  });

  it("streams batches of decoded, resized, rescaled images with labels, no tensor left behind", async () => {
    const before = tf.memory().numTensors;
    const data = greyOneHot({ imageSize: [14, 14], batchSize: 64, seed: 3 });
    expect(data.numBatches).toBe(4);
    const sizes: number[] = [];
    for await (const batch of data) {
      sizes.push(batch.images.shape[0]);
      expect(batch.images.shape.slice(1)).toEqual([14, 14, 1]);
      expect(batch.labels?.shape).toEqual([batch.images.shape[0], 10]);
      const [min, max] = tf.tidy(() => [batch.images.min().dataSync()[0]!, batch.images.max().dataSync()[0]!]);
      expect(min).toBeGreaterThanOrEqual(0);
      expect(max).toBeLessThanOrEqual(1);
      expect(max).toBeGreaterThan(0.5);
      tf.dispose([batch.images, batch.labels!]);
    }
    expect(sizes).toEqual([64, 64, 64, 8]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("rgb decoding gives 3 equal channels for grey PNGs and the same pixels as the idx bytes", async () => {
    const data = imageDatasetFromDirectory(FOLDER, { imageSize: [28, 28], shuffle: false });
    const path = data.filePaths[0]!;
    const rgb = await data.decode(path);
    expect(rgb.length).toBe(28 * 28 * 3);
    for (let i = 0; i < 28 * 28; i++) expect(rgb[3 * i]).toBe(rgb[3 * i + 1]);
    const { readFashionMnistBytes } = await import("../../../src/data/fashion-mnist");
    const index = Number(/test-(\d+)\.png$/.exec(path)![1]);
    const bytes = readFashionMnistBytes({ split: "test", limit: index + 1 });
    const original = bytes.pixels.subarray(index * 784, (index + 1) * 784);
    for (let i = 0; i < 784; i++) expect(rgb[3 * i]).toBe(original[i]);
  });

  it("a corrupt file fails with its path, or is skipped and listed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lepton-imgs-"));
    cpSync(join(FOLDER, "bag"), join(dir, "bag"), { recursive: true });
    cpSync(join(FOLDER, "coat"), join(dir, "coat"), { recursive: true });
    const bad = join(dir, "coat", "broken.png");
    writeFileSync(bad, "this is not a png");
    writeFileSync(join(dir, "coat", "notes.txt"), "ignored like Keras does");
    const strict = imageDatasetFromDirectory(dir, { imageSize: [28, 28], batchSize: 50, labelMode: "binary" });
    expect(strict.size).toBe(41);
    const drain = async () => {
      for await (const b of strict) tf.dispose([b.images, b.labels!]);
    };
    await expect(drain()).rejects.toThrow(ImageFileError);
    await expect(imageDatasetFromDirectory(dir, { imageSize: [28, 28], batchSize: 50 }).decode(bad)).rejects.toThrow(
      bad,
    );
    const lenient = imageDatasetFromDirectory(dir, {
      imageSize: [28, 28],
      batchSize: 50,
      labelMode: "binary",
      onBadFile: "skip",
    });
    let count = 0;
    for await (const b of lenient) {
      count += b.images.shape[0];
      expect(b.labels?.shape).toEqual([b.images.shape[0], 1]);
      tf.dispose([b.images, b.labels!]);
    }
    expect(count).toBe(40);
    expect(lenient.skipped.map((s) => s.path)).toEqual([bad]);
  });

  it("explains bad folders and options", () => {
    expect(() => imageDatasetFromDirectory("/nonexistent/folder")).toThrow(/\/nonexistent\/folder: folder not found/);
    expect(() => imageDatasetFromDirectory(FOLDER, { labelMode: "binary" })).toThrow(
      /exactly 2 class folders, found 10/,
    );
    expect(() => imageDatasetFromDirectory(FOLDER, { validationSplit: 0.2 })).toThrow(/subset/);
  });
});

describe("ImageDataGenerator (Keras apply_affine_transform semantics)", () => {
  const n = 5;
  const ramp = Float32Array.from({ length: n * n }, (_, k) => k);
  const at = (img: Float32Array, i: number, j: number) => img[i * n + j];

  it("identity leaves the image unchanged", () => {
    expect(Array.from(applyTransform(ramp, n, n, 1, IDENTITY_TRANSFORM))).toEqual(Array.from(ramp));
  });

  it("90° rotation is an exact quarter turn: out[i][j] = in[n−1−j][i]", () => {
    const out = applyTransform(ramp, n, n, 1, { ...IDENTITY_TRANSFORM, theta: 90 });
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) expect(at(out, i, j)).toBeCloseTo(at(ramp, n - 1 - j, i)!, 4);
  });

  it("integer shifts move rows/columns and fill by mode; flips mirror", () => {
    const constant = applyTransform(ramp, n, n, 1, { ...IDENTITY_TRANSFORM, tx: 2 }, "constant", -1);
    for (let j = 0; j < n; j++) {
      expect(at(constant, 0, j)).toBe(at(ramp, 2, j));
      expect(at(constant, n - 1, j)).toBe(-1);
    }
    const nearest = applyTransform(ramp, n, n, 1, { ...IDENTITY_TRANSFORM, ty: -1 }, "nearest");
    for (let i = 0; i < n; i++) expect(at(nearest, i, 0)).toBe(at(ramp, i, 0));
    const wrap = applyTransform(ramp, n, n, 1, { ...IDENTITY_TRANSFORM, ty: 1 }, "wrap");
    for (let i = 0; i < n; i++) expect(at(wrap, i, n - 1)).toBe(at(ramp, i, 0));
    const reflect = applyTransform(ramp, n, n, 1, { ...IDENTITY_TRANSFORM, ty: 2 }, "reflect");
    for (let i = 0; i < n; i++)
      expect([at(reflect, i, n - 2), at(reflect, i, n - 1)]).toEqual([at(ramp, i, n - 1), at(ramp, i, n - 2)]);
    const flipped = applyTransform(ramp, n, n, 1, { ...IDENTITY_TRANSFORM, flipHorizontal: true });
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(at(flipped, i, j)).toBe(at(ramp, i, n - 1 - j));
  });

  it("zoom and shear follow the composed matrix, sampled bilinearly", () => {
    const params = { ...IDENTITY_TRANSFORM, shear: 20, zx: 0.8, zy: 1.1 };
    const m = affineMatrix(params, n, n);
    const s = (20 * Math.PI) / 180;
    const o = n / 2 - 0.5;
    // shear · zoom about the centre: row = zx(i−o) − sin(s)·zy(j−o) + o, col = cos(s)·zy(j−o) + o
    expect(m[0]).toBeCloseTo(0.8, 12);
    expect(m[1]).toBeCloseTo(-Math.sin(s) * 1.1, 12);
    expect(m[4]).toBeCloseTo(Math.cos(s) * 1.1, 12);
    const out = applyTransform(ramp, n, n, 1, params, "nearest");
    const [i, j] = [1, 3];
    const r = 0.8 * (i - o) - Math.sin(s) * 1.1 * (j - o) + o;
    const c = Math.cos(s) * 1.1 * (j - o) + o;
    // on a ramp (value = 5·row + col) bilinear interpolation is exact
    expect(at(out, i, j)).toBeCloseTo(5 * r + c, 4);
  });

  it("random transforms stay in Keras' ranges, repeat with the seed, and augment batches without leaks", () => {
    // Keras' classic augmentation settings; a second generator with the same seed must draw the same transforms
    const kerasAugmentation = {
      rotationRange: 40,
      widthShiftRange: 0.2,
      heightShiftRange: 0.2,
      shearRange: 0.2,
      zoomRange: 0.2,
      horizontalFlip: true,
      seed: 5,
    };
    const gen = new ImageDataGenerator(kerasAugmentation);
    const draws = Array.from({ length: 200 }, () => gen.randomTransform(150, 150));
    for (const d of draws) {
      expect(Math.abs(d.theta)).toBeLessThanOrEqual(40);
      expect(Math.abs(d.tx)).toBeLessThanOrEqual(30);
      expect(Math.abs(d.ty)).toBeLessThanOrEqual(30);
      expect(Math.abs(d.shear)).toBeLessThanOrEqual(0.2);
      expect(d.zx).toBeGreaterThanOrEqual(0.8);
      expect(d.zy).toBeLessThanOrEqual(1.2);
      expect(d.flipVertical).toBe(false);
    }
    const flips = draws.filter((d) => d.flipHorizontal).length;
    expect(flips).toBeGreaterThan(60);
    expect(flips).toBeLessThan(140);
    const again = new ImageDataGenerator(kerasAugmentation);
    expect(again.randomTransform(150, 150)).toEqual(draws[0]);
    const before = tf.memory().numTensors;
    const images = tf.randomUniform([3, 8, 8, 2]) as tf.Tensor4D;
    const out = new ImageDataGenerator({ rotationRange: 30, rescale: 0.5, seed: 1 }).augment(images);
    expect(out.shape).toEqual([3, 8, 8, 2]);
    tf.dispose([images, out]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("flowFromDirectory yields augmented, rescaled batches", async () => {
    const gen = new ImageDataGenerator({
      rotationRange: 40,
      zoomRange: 0.2,
      horizontalFlip: true,
      rescale: 1 / 255,
      seed: 2,
    });
    let seen = 0;
    for await (const b of gen.flowFromDirectory(FOLDER, {
      imageSize: [28, 28],
      batchSize: 100,
      colorMode: "grayscale",
      labelMode: "categorical",
    })) {
      const max = tf.tidy(() => b.images.max().dataSync()[0]!);
      expect(max).toBeLessThanOrEqual(1 + 1e-6);
      seen += b.images.shape[0];
      tf.dispose([b.images, b.labels!]);
    }
    expect(seen).toBe(200);
    expect(() => new ImageDataGenerator({ zoomRange: [1.2, 0.8] })).toThrow(/zoomRange/);
  });
});

describe("image folder as a tf.data.Dataset", () => {
  it("yields {xs, ys} batches for fitDataset, a fresh pass each time", async () => {
    const data = greyOneHot({ imageSize: [8, 8], batchSize: 128, seed: 1 });
    const dataset = data.toTfDataset();
    for (let pass = 0; pass < 2; pass++) {
      const sizes: number[] = [];
      await dataset.forEachAsync((batch) => {
        sizes.push(batch.xs.shape[0]);
        expect(batch.ys.shape).toEqual([batch.xs.shape[0], 10]);
        tf.dispose([batch.xs, batch.ys]);
      });
      expect(sizes).toEqual([128, 72]);
    }
  });
});

describe("RandomCrop (Seed 000 §3.1)", () => {
  // A ramp image (value = 10·row + col) tells from any output pixel where it came from.
  const ramp = (n: number, h: number, w: number) =>
    tf.tensor4d(
      Float32Array.from({ length: n * h * w }, (_, k) => 10 * Math.floor((k % (h * w)) / w) + (k % w)),
      [n, h, w, 1],
    );

  it("cuts each image's own window, copied pixel for pixel, and repeats with the seed", () => {
    const before = tf.memory().numTensors;
    const images = ramp(40, 6, 8);
    const out = new RandomCrop({ height: 3, width: 4, seed: 9 }).crop(images);
    expect(out.shape).toEqual([40, 3, 4, 1]);
    const values = out.arraySync() as number[][][][];
    const corners = new Set<string>();
    for (const crop of values) {
      const top = Math.floor(crop[0]![0]![0]! / 10);
      const left = crop[0]![0]![0]! % 10;
      expect(top).toBeLessThanOrEqual(3);
      expect(left).toBeLessThanOrEqual(4);
      for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) expect(crop[i]![j]![0]).toBe(10 * (top + i) + left + j);
      corners.add(`${top},${left}`);
    }
    expect(corners.size).toBeGreaterThan(5); // 20 windows possible; one window for all would be a bug
    const again = new RandomCrop({ height: 3, width: 4, seed: 9 }).crop(images);
    expect(again.arraySync()).toEqual(values);
    tf.dispose([images, out, again]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("with padding keeps the size and fills the border by the fill mode", () => {
    const images = ramp(30, 4, 4);
    const out = new RandomCrop({ height: 4, width: 4, padding: 2, cval: -1, seed: 3 }).crop(images);
    const values = out.arraySync() as number[][][][];
    expect(out.shape).toEqual([30, 4, 4, 1]);
    expect(values.some((crop) => crop.flat(2).includes(-1))).toBe(true);
    for (const crop of values) for (const v of crop.flat(2)) expect(v === -1 || (v >= 0 && v <= 33)).toBe(true);
    const nearest = new RandomCrop({ height: 4, width: 4, padding: 2, fillMode: "nearest", seed: 3 }).crop(images);
    expect(Math.min(...(nearest.dataSync() as Float32Array))).toBe(0);
    tf.dispose([images, out, nearest]);
  });

  it("refuses a window larger than the padded image and bad sizes, naming them", () => {
    const images = ramp(1, 4, 4);
    expect(() => new RandomCrop({ height: 5, width: 4 }).crop(images)).toThrow(
      /5×4 window does not fit a 4×4 image padded by 0/,
    );
    expect(() => new RandomCrop({ height: 0, width: 4 })).toThrow(/height must be a positive integer/);
    expect(() => new RandomCrop({ height: 2, width: 2, padding: 1.5 })).toThrow(/padding/);
    images.dispose();
  });
});
