/**
 * Fashion-MNIST written out as a Keras-style image folder — one subfolder of PNGs per class — so the
 * documents' folder pipeline (Seed 000 §5.2.1 `flow_from_directory`; Seed 001 §5.2 step 1
 * `image_dataset_from_directory`) runs on real images. File names keep the split and the index in
 * the idx file (`test-0042.png`), so any image can be traced back to its source.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { DatasetError } from "./errors";
import { FASHION_MNIST_CLASSES, readFashionMnistBytes, type FashionMnistOptions } from "./fashion-mnist";

/** Options of {@link writeFashionMnistFolder}. */
export interface FashionMnistFolderOptions extends FashionMnistOptions {
  /** Where the class subfolders go (`dir`, as in loadFashionMnist, is where the idx files are read from). */
  readonly outDir: string;
  /** Class indices to write (default all ten). */
  readonly classes?: readonly number[];
  /** At most this many images per class, the first ones in file order. */
  readonly perClass: number;
  /** Indices in the idx file to leave out (e.g. images held back for a final check). */
  readonly exclude?: ReadonlySet<number>;
}

/** Folder name of a class: lower case, words joined by "-" ("T-shirt/top" → "t-shirt-top"). */
export function classFolderName(className: string): string {
  return className.toLowerCase().replace(/[^a-z0-9]+/g, "-");
}

/** Writes up to `perClass` PNGs of each chosen class and returns how many per folder. */
export async function writeFashionMnistFolder(options: FashionMnistFolderOptions): Promise<Record<string, number>> {
  const { outDir: out, perClass, exclude } = options;
  const classes = options.classes ?? FASHION_MNIST_CLASSES.map((_, i) => i);
  for (const c of classes)
    if (!Number.isInteger(c) || c < 0 || c >= FASHION_MNIST_CLASSES.length)
      throw new DatasetError(out, `class ${c} is not a Fashion-MNIST class index (0–9)`);
  if (!Number.isInteger(perClass) || perClass < 1)
    throw new DatasetError(out, `perClass must be a positive integer, got ${perClass}`);
  const bytes = readFashionMnistBytes(options);
  const written: Record<string, number> = Object.fromEntries(
    classes.map((c) => [classFolderName(FASHION_MNIST_CLASSES[c]!), 0]),
  );
  const size = bytes.height * bytes.width;
  const prefix = options.split;
  for (let i = 0; i < bytes.count; i++) {
    const label = bytes.labels[i]!;
    if (!classes.includes(label) || exclude?.has(i) === true) continue;
    const folder = classFolderName(FASHION_MNIST_CLASSES[label]!);
    if (written[folder]! >= perClass) continue;
    mkdirSync(join(out, folder), { recursive: true });
    await sharp(Buffer.from(bytes.pixels.subarray(i * size, (i + 1) * size)), {
      raw: { width: bytes.width, height: bytes.height, channels: 1 },
    })
      .toColourspace("b-w")
      .png({ compressionLevel: 9 })
      .toFile(join(out, folder, `${prefix}-${String(i).padStart(5, "0")}.png`));
    written[folder]! += 1;
    if (Object.values(written).every((n) => n >= perClass)) break;
  }
  return written;
}
