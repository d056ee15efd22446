/**
 * Builds data/fashion-mnist-png/ (a small Keras-style image folder: one subfolder of PNGs per class)
 * from the shipped Fashion-MNIST test subset: the first 20 images of each class (Seed 001 §5.2 step 1,
 * image_dataset_from_directory). Run: node -e 'require("tsx/cjs/api").register(); require("./data/make-fashion-png.ts")'
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { FASHION_MNIST_CLASSES, readFashionMnistBytes } from "../src/data/fashion-mnist";
import { classFolderName } from "../src/data/fashion-mnist-folder";

const PER_CLASS = 20;
const OUT = join(__dirname, "fashion-mnist-png");

async function main(): Promise<void> {
  const bytes = readFashionMnistBytes({ split: "test" });
  rmSync(OUT, { recursive: true, force: true });
  const taken = new Array<number>(FASHION_MNIST_CLASSES.length).fill(0);
  const size = bytes.height * bytes.width;
  for (let i = 0; i < bytes.count && taken.some((n) => n < PER_CLASS); i++) {
    const label = bytes.labels[i]!;
    if (taken[label]! >= PER_CLASS) continue;
    taken[label]! += 1;
    const dir = join(OUT, classFolderName(FASHION_MNIST_CLASSES[label]!));
    mkdirSync(dir, { recursive: true });
    const pixels = Buffer.from(bytes.pixels.subarray(i * size, (i + 1) * size));
    await sharp(pixels, { raw: { width: bytes.width, height: bytes.height, channels: 1 } })
      .toColourspace("b-w")
      .png({ compressionLevel: 9 })
      .toFile(join(dir, `test-${String(i).padStart(4, "0")}.png`));
  }
  console.log(`wrote ${taken.reduce((a, b) => a + b, 0)} PNGs to ${OUT}`);
}

void main();
