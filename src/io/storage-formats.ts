/**
 * Storage formats for an image dataset (Seed 000 §2.4 storage optimisation: "数据压缩" data
 * compression): the same labelled 8-bit images written raw, gzip'd and brotli'd (node:zlib),
 * zstd'd (@bokuweb/zstd-wasm, WebAssembly) and as a Parquet table (nodejs-polars: one row per
 * image, its pixels a list column, zstd pages), each read back and checked byte for byte against what was written.
 *
 * The raw container: "LPTNIMG1" · count (u32 LE) · height (u16 LE) · width (u16 LE) · labels
 * (count bytes) · pixels (count·height·width bytes, row-major). The compressed formats compress
 * exactly these bytes.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, brotliDecompressSync, constants as zlibConstants, gunzipSync, gzipSync } from "node:zlib";
import * as zstd from "@bokuweb/zstd-wasm";
import pl from "nodejs-polars";
import { writeDurably } from "./durable-write";
import { NamedError } from "../errors";

/** Labelled 8-bit grey images, the shape Fashion-MNIST's bytes come in. */
export interface ImageBytes {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  /** count·height·width bytes, image after image. */
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
}

/** The formats compared, smallest effort first. */
export const STORAGE_FORMATS = ["raw", "gzip", "brotli", "zstd", "parquet"] as const;
/** One storage format. */
export type StorageFormat = (typeof STORAGE_FORMATS)[number];

/** What each format is, in words for a table. */
export const STORAGE_FORMAT_DETAIL: Readonly<Record<StorageFormat, string>> = {
  raw: "uncompressed bytes",
  gzip: "node:zlib gzip, level 9",
  brotli: "node:zlib brotli, quality 9",
  zstd: "@bokuweb/zstd-wasm, level 9",
  parquet: "nodejs-polars: a label column and a List(UInt8) pixels column, zstd pages",
};

/** Raised for a stored dataset that cannot be read or does not read back as written; names the file. */
export class StorageFormatError extends NamedError {}

const MAGIC = Buffer.from("LPTNIMG1", "ascii");
const HEADER_BYTES = MAGIC.length + 8;
const EXTENSIONS: Readonly<Record<StorageFormat, string>> = {
  raw: ".bin",
  gzip: ".bin.gz",
  brotli: ".bin.br",
  zstd: ".bin.zst",
  parquet: ".parquet",
};

let zstdReady: Promise<void> | undefined;
/** zstd's WebAssembly module is instantiated once, on first use. */
function zstdInit(): Promise<void> {
  zstdReady ??= zstd.init();
  return zstdReady;
}

function checkImages(images: ImageBytes): void {
  const { count, height, width } = images;
  if (![count, height, width].every((n) => Number.isSafeInteger(n) && n > 0) || height > 0xffff || width > 0xffff) {
    throw new RangeError(
      `image count and size must be positive integers (height and width below 65536), got ${count}×${height}×${width}`,
    );
  }
  if (images.pixels.length !== count * height * width)
    throw new RangeError(`${images.pixels.length} pixel bytes for ${count} images of ${height}×${width}`);
  if (images.labels.length !== count) throw new RangeError(`${images.labels.length} labels for ${count} images`);
}

/** The raw container's bytes. */
export function packImages(images: ImageBytes): Buffer {
  checkImages(images);
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header);
  header.writeUInt32LE(images.count, MAGIC.length);
  header.writeUInt16LE(images.height, MAGIC.length + 4);
  header.writeUInt16LE(images.width, MAGIC.length + 6);
  return Buffer.concat([header, images.labels, images.pixels]);
}

/** Reads the raw container; `path` names the file in errors. */
export function unpackImages(bytes: Uint8Array, path: string): ImageBytes {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length < HEADER_BYTES || !data.subarray(0, MAGIC.length).equals(MAGIC))
    throw new StorageFormatError(path, `has no ${MAGIC.toString("ascii")} header`);
  const count = data.readUInt32LE(MAGIC.length);
  const height = data.readUInt16LE(MAGIC.length + 4);
  const width = data.readUInt16LE(MAGIC.length + 6);
  const expected = HEADER_BYTES + count * (1 + height * width);
  if (data.length !== expected)
    throw new StorageFormatError(
      path,
      `holds ${data.length} bytes, its header (${count} images of ${height}×${width}) needs ${expected}`,
    );
  const labels = data.subarray(HEADER_BYTES, HEADER_BYTES + count);
  return { count, height, width, labels, pixels: data.subarray(HEADER_BYTES + count) };
}

function parquetBytes(images: ImageBytes): Buffer {
  const frame = images.height * images.width;
  const rows: number[][] = [];
  for (let i = 0; i < images.count; i++) rows.push(Array.from(images.pixels.subarray(i * frame, (i + 1) * frame)));
  // nodejs-polars takes typed arrays at run time (not Buffer views); its typings only name plain arrays.
  const labels = pl.Series("label", Uint8Array.from(images.labels) as unknown as number[], pl.UInt8);
  return pl.DataFrame([labels, pl.Series("pixels", rows, pl.List(pl.UInt8))]).writeParquet({ compression: "zstd" });
}

function parquetImages(bytes: Buffer, path: string, height: number, width: number): ImageBytes {
  let df: pl.DataFrame;
  try {
    df = pl.readParquet(bytes);
  } catch (error) {
    throw new StorageFormatError(path, `is not a readable Parquet file (${(error as Error).message.split("\n")[0]})`);
  }
  if (df.columns.join(",") !== "label,pixels")
    throw new StorageFormatError(path, `has columns ${JSON.stringify(df.columns)}, expected ["label","pixels"]`);
  const count = df.height;
  const pixels = df.getColumn("pixels").explode().toTypedArray() as Uint8Array;
  if (pixels.length !== count * height * width)
    throw new StorageFormatError(
      path,
      `holds ${pixels.length} pixels for ${count} rows, images of ${height}×${width} need ${count * height * width}`,
    );
  return { count, height, width, labels: df.getColumn("label").toTypedArray() as Uint8Array, pixels };
}

/** Encodes the images in one format. */
export async function encodeImages(images: ImageBytes, format: StorageFormat): Promise<Buffer> {
  if (format === "parquet") {
    checkImages(images);
    return parquetBytes(images);
  }
  const raw = packImages(images);
  switch (format) {
    case "raw":
      return raw;
    case "gzip":
      return gzipSync(raw, { level: 9 });
    case "brotli":
      return brotliCompressSync(raw, {
        params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: raw.length },
      });
    case "zstd":
      await zstdInit();
      return Buffer.from(zstd.compress(raw, 9));
  }
}

/**
 * Decodes bytes of one format back to images; `path` names the file in errors and `shape` gives
 * Parquet's image size (a table has rows and columns, not a height and a width).
 */
export async function decodeImages(
  bytes: Buffer,
  format: StorageFormat,
  path: string,
  shape: { readonly height: number; readonly width: number },
): Promise<ImageBytes> {
  if (format === "parquet") return parquetImages(bytes, path, shape.height, shape.width);
  let raw: Uint8Array;
  try {
    if (format === "zstd") await zstdInit();
    raw =
      format === "raw"
        ? bytes
        : format === "gzip"
          ? gunzipSync(bytes)
          : format === "brotli"
            ? brotliDecompressSync(bytes)
            : zstd.decompress(bytes);
  } catch (error) {
    throw new StorageFormatError(path, `cannot be decompressed as ${format} (${(error as Error).message})`);
  }
  return unpackImages(raw, path);
}

/** One format's file, size and timings. */
export interface StoredImages {
  readonly format: StorageFormat;
  readonly path: string;
  readonly bytes: number;
  /** Raw size / this size. */
  readonly ratio: number;
  readonly writeMs: number;
  /** Median over the reads of reading the file and decoding it to pixel bytes. */
  readonly readMs: number;
}

function sameImages(a: ImageBytes, b: ImageBytes): boolean {
  return (
    a.count === b.count &&
    a.height === b.height &&
    a.width === b.width &&
    Buffer.compare(a.labels, b.labels) === 0 &&
    Buffer.compare(a.pixels, b.pixels) === 0
  );
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Writes the images in every format into `dir` (`<name>.bin`, `.bin.gz`, …), reads each back
 * `reads` times (default 3) and checks it against the original; a format that does not round-trip
 * is a StorageFormatError naming its file.
 */
export async function compareStorageFormats(
  images: ImageBytes,
  dir: string,
  options: { readonly name?: string; readonly reads?: number; readonly formats?: readonly StorageFormat[] } = {},
): Promise<StoredImages[]> {
  const reads = options.reads ?? 3;
  const rawBytes = HEADER_BYTES + images.labels.length + images.pixels.length;
  const out: StoredImages[] = [];
  for (const format of options.formats ?? STORAGE_FORMATS) {
    const path = join(dir, `${options.name ?? "images"}${EXTENSIONS[format]}`);
    const writeStart = performance.now();
    writeDurably(path, await encodeImages(images, format), 0o644);
    const writeMs = performance.now() - writeStart;
    const times: number[] = [];
    for (let r = 0; r < reads; r++) {
      const start = performance.now();
      const decoded = await decodeImages(readFileSync(path), format, path, images);
      times.push(performance.now() - start);
      if (r === 0 && !sameImages(decoded, images))
        throw new StorageFormatError(path, `does not read back as the images written (${format})`);
    }
    const bytes = statSync(path).size;
    out.push({ format, path, bytes, ratio: rawBytes / bytes, writeMs, readMs: median(times) });
  }
  return out;
}
