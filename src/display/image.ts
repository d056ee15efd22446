/**
 * Images (Seed 000 §5.2.1 augmented images, Seed 001 §5.4 misclassified examples, Seed 001 §4.3 GAN samples): a tensor
 * or a sharp image as `image/png`, and a batch as a grid with optional captions.
 *
 * Pixel rule for tensors: shape [h, w], [h, w, 1] (grey), [h, w, 3] (RGB) or [h, w, 4] (RGBA);
 * int32 values are 0–255, float32 values are 0–1 and bool values 0/1 — all mapped to 0–255 and
 * clipped. `rescale` changes the input range first: `"minmax"` stretches the image's own min…max
 * (feature maps), `[low, high]` maps that range (a GAN's tanh output: `[-1, 1]`).
 */
import * as tf from "@tensorflow/tfjs";
import sharp, { type Sharp } from "sharp";
import { displayable, type Displayable } from "./displayable";
import { escapeHtml } from "./escape";
import type { MimeBundle } from "./sink";
import { LeptonError } from "../errors";

/** Raised for a tensor that is not an image (or batch), or for bad image options; the message gives the shape. */
export class ImageShapeError extends LeptonError {}

/** How tensor values map to 0–255 before clipping (see the module's pixel rule). */
export type Rescale = "minmax" | readonly [low: number, high: number];

/** Options for showing an image. */
export interface ImageOptions {
  /** Integer upscale factor, nearest neighbour (tiny images such as 28×28 digits). Default 1. */
  readonly scale?: number;
  /** Input range mapping (see the module's pixel rule). */
  readonly rescale?: Rescale;
  /** A caption for the text/plain line. */
  readonly caption?: string;
}

/** An image source: a tfjs tensor following the pixel rule, or a sharp pipeline. */
export type ImageSource = tf.Tensor | Sharp;

interface RawImage {
  readonly pixels: Buffer;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
}

function channelsOf(shape: readonly number[], first: number): 1 | 3 | 4 | undefined {
  const rank = shape.length - first;
  if (rank === 2) return 1;
  const channels = shape[first + 2];
  return rank === 3 && (channels === 1 || channels === 3 || channels === 4) ? channels : undefined;
}

/** The tensor's values as bytes 0–255 (on the backend, one read, no tensor left). */
async function toBytes(values: tf.Tensor, rescale: Rescale | undefined): Promise<Buffer> {
  const bytes = tf.tidy(() => {
    const x = values.toFloat();
    let unit: tf.Tensor;
    if (rescale === "minmax") {
      const low = x.min();
      const span = x.max().sub(low);
      unit = x.sub(low).div(tf.maximum(span, 1e-12));
    } else if (rescale !== undefined) {
      const [low, high] = rescale;
      if (!(high > low)) throw new ImageShapeError(`rescale range must have high > low; got [${low}, ${high}]`);
      unit = x.sub(low).div(high - low);
    } else {
      unit = values.dtype === "int32" ? x.div(255) : x;
    }
    return unit.mul(255).clipByValue(0, 255).round().toInt();
  });
  try {
    return Buffer.from(Uint8Array.from(await bytes.data()));
  } finally {
    bytes.dispose();
  }
}

async function tensorToRaw(image: tf.Tensor, rescale: Rescale | undefined): Promise<RawImage> {
  const channels = channelsOf(image.shape, 0);
  if (channels === undefined) {
    const hint = image.rank === 4 ? " (a batch: use imageGrid)" : "";
    throw new ImageShapeError(
      `an image tensor must be [h, w] or [h, w, 1|3|4]; got [${image.shape.join(", ")}] ${image.dtype}${hint}`,
    );
  }
  return { pixels: await toBytes(image, rescale), width: image.shape[1]!, height: image.shape[0]!, channels };
}

/** Whether `value` is a sharp image pipeline. */
export function isSharpImage(value: unknown): value is Sharp {
  const candidate = value as Partial<Sharp> | null;
  return (
    typeof value === "object" &&
    candidate !== null &&
    typeof candidate.png === "function" &&
    typeof candidate.metadata === "function" &&
    typeof candidate.toBuffer === "function" &&
    typeof candidate.clone === "function"
  );
}

function checkScale(scale: number | undefined): number {
  const value = scale ?? 1;
  if (!Number.isInteger(value) || value < 1)
    throw new ImageShapeError(`image scale must be a positive integer; got ${value}`);
  return value;
}

async function rawToPng(raw: RawImage, scale: number): Promise<Buffer> {
  let pipeline = sharp(raw.pixels, { raw: { width: raw.width, height: raw.height, channels: raw.channels } });
  if (scale > 1)
    pipeline = pipeline.resize({ width: raw.width * scale, height: raw.height * scale, kernel: "nearest" });
  // sharp writes sRGB unless told otherwise; a grey image stays a one-channel PNG (a third of the bytes).
  if (raw.channels === 1) pipeline = pipeline.toColourspace("b-w");
  return pipeline.png().toBuffer();
}

async function scalePng(png: Buffer, scale: number): Promise<Buffer> {
  if (scale === 1) return png;
  const { width, height } = await sharp(png).metadata();
  return sharp(png)
    .resize({ width: width! * scale, height: height! * scale, kernel: "nearest" })
    .png()
    .toBuffer();
}

/** PNG bytes of a tensor image (pixel rule above) or a sharp image, optionally upscaled. */
export async function toPng(source: ImageSource, options: ImageOptions = {}): Promise<Buffer> {
  const scale = checkScale(options.scale);
  if (!isSharpImage(source)) return rawToPng(await tensorToRaw(source, options.rescale), scale);
  return scalePng(await source.clone().png().toBuffer(), scale);
}

/** The bundle of an image: base64 PNG without a data: prefix, and a plain description. */
export async function imageBundle(source: ImageSource, options: ImageOptions = {}): Promise<MimeBundle> {
  const png = await toPng(source, options);
  const { width, height } = await sharp(png).metadata();
  const plain = `${options.caption === undefined ? "" : `${options.caption}: `}image ${width}×${height}`;
  return { "image/png": png.toString("base64"), "text/plain": plain };
}

/** An image to show: a tensor (pixel rule above) or a sharp image. */
export function image(source: ImageSource, options: ImageOptions = {}): Displayable {
  return displayable(
    () => imageBundle(source, options),
    options.caption === undefined ? "[image]" : `[image: ${options.caption}]`,
  );
}

/** Options for a grid of images. */
export interface ImageGridOptions {
  /** Images per row; default min(n, 8). */
  readonly columns?: number;
  /** One caption per image (e.g. "true: shirt · predicted: T-shirt"); shown under each image in HTML. */
  readonly labels?: readonly string[];
  /** Integer upscale factor; default 2. */
  readonly scale?: number;
  /** Input range mapping; "minmax" takes one range over the whole batch, so tiles stay comparable. */
  readonly rescale?: Rescale;
}

/** Pixels between tiles of the grid PNG, before scaling. */
const GRID_GAP = 2;

/** The tiles side by side, `columns` per row, on white, GRID_GAP pixels apart. */
function layOut(tiles: readonly RawImage[], columns: number): RawImage {
  const { width, height, channels } = tiles[0]!;
  const rows = Math.ceil(tiles.length / columns);
  const gridWidth = columns * width + (columns - 1) * GRID_GAP;
  const gridHeight = rows * height + (rows - 1) * GRID_GAP;
  const pixels = Buffer.alloc(gridWidth * gridHeight * channels, 255);
  const rowBytes = width * channels;
  tiles.forEach((tile, i) => {
    const left = (i % columns) * (width + GRID_GAP);
    const top = Math.floor(i / columns) * (height + GRID_GAP);
    for (let y = 0; y < height; y += 1) {
      tile.pixels.copy(pixels, ((top + y) * gridWidth + left) * channels, y * rowBytes, (y + 1) * rowBytes);
    }
  });
  return { pixels, width: gridWidth, height: gridHeight, channels };
}

async function gridBundle(batch: tf.Tensor, options: ImageGridOptions): Promise<MimeBundle> {
  const channels = channelsOf(batch.shape, 1);
  if (batch.rank < 3 || channels === undefined) {
    throw new ImageShapeError(
      `an image batch must be [n, h, w] or [n, h, w, 1|3|4]; got [${batch.shape.join(", ")}] ${batch.dtype}`,
    );
  }
  const [count, height, width] = batch.shape as [number, number, number];
  if (options.labels !== undefined && options.labels.length !== count) {
    throw new ImageShapeError(
      `imageGrid got ${options.labels.length} labels for ${count} images of batch [${batch.shape.join(", ")}]`,
    );
  }
  if (count === 0) return { "text/plain": `image grid: no images (batch [${batch.shape.join(", ")}])` };
  const scale = checkScale(options.scale ?? 2);
  const columns = options.columns ?? Math.min(count, 8);
  if (!Number.isInteger(columns) || columns < 1)
    throw new ImageShapeError(`imageGrid columns must be a positive integer; got ${columns}`);
  const bytes = await toBytes(batch, options.rescale);
  const tileBytes = width * height * channels;
  const tiles = Array.from({ length: count }, (_, i): RawImage => ({
    pixels: bytes.subarray(i * tileBytes, (i + 1) * tileBytes),
    width,
    height,
    channels,
  }));

  const gridPng = await rawToPng(layOut(tiles, columns), scale);

  const cells = await Promise.all(
    tiles.map(async (tile, i) => {
      const src = `data:image/png;base64,${(await rawToPng(tile, scale)).toString("base64")}`;
      const label = options.labels?.[i];
      const caption =
        label === undefined
          ? ""
          : `<figcaption style="font-size:11px;max-width:${width * scale + 40}px">${escapeHtml(label)}</figcaption>`;
      return `<figure style="margin:4px;text-align:center"><img src="${src}" width="${width * scale}" height="${height * scale}" style="image-rendering:pixelated"/>${caption}</figure>`;
    }),
  );
  const html = `<div class="lepton-image-grid" style="display:grid;grid-template-columns:repeat(${columns},auto);justify-content:start">${cells.join("")}</div>`;
  const labels =
    options.labels === undefined ? "" : `\n${options.labels.map((label, i) => `  ${i}: ${label}`).join("\n")}`;
  return {
    "text/html": html,
    "image/png": gridPng.toString("base64"),
    "text/plain": `image grid: ${count} images of ${height}×${width}×${channels}, ${columns} per row${labels}`,
  };
}

/**
 * A batch [n, h, w] or [n, h, w, c] shown as a grid: text/html with one captioned image per tile,
 * image/png of the whole grid (no captions) for front ends without HTML.
 */
export function imageGrid(batch: tf.Tensor, options: ImageGridOptions = {}): Displayable {
  return displayable(() => gridBundle(batch, options), `[image grid: ${batch.shape[0] ?? 0} images]`);
}
