/**
 * Images (DESIGN.md "src/display: images"; Seed 000 §5.2.1 augmented images, Seed 001 §5.4
 * misclassified examples): a tensor or a sharp image as `image/png`, and a batch as a grid.
 * Tensor pixel rule: float tensors hold values in [0, 1], int32 tensors values in [0, 255];
 * anything outside is clipped. Shapes: [h, w], [h, w, 1], [h, w, 3] or [h, w, 4].
 */
import * as tf from "@tensorflow/tfjs";
import sharp, { type Sharp } from "sharp";
import { displayable, escapeHtml, type Displayable } from "./displayable";
import type { MimeBundle } from "./sink";

/** Raised for a tensor that is not an image; the message gives its shape and dtype. */
export class ImageShapeError extends Error {
  override name = "ImageShapeError";
}

/** Options for showing an image: an integer upscale factor (nearest neighbour) for tiny images. */
export interface ImageOptions {
  readonly scale?: number;
  readonly caption?: string;
}

async function tensorToRaw(image: tf.Tensor): Promise<{ pixels: Uint8Array; width: number; height: number; channels: 1 | 3 | 4 }> {
  const shape = image.shape;
  const channels = shape.length === 2 ? 1 : shape[2];
  if ((shape.length !== 2 && shape.length !== 3) || (channels !== 1 && channels !== 3 && channels !== 4)) {
    throw new ImageShapeError(`an image tensor must be [h, w] or [h, w, 1|3|4]; got shape [${shape.join(", ")}] (${image.dtype})`);
  }
  const scaled = tf.tidy(() => {
    const asFloat = image.toFloat();
    const to255 = image.dtype === "int32" ? asFloat : asFloat.mul(255);
    return to255.clipByValue(0, 255).round();
  });
  const values = await scaled.data();
  scaled.dispose();
  return { pixels: Uint8Array.from(values), width: shape[1]!, height: shape[0]!, channels };
}

function isSharp(value: unknown): value is Sharp {
  return typeof value === "object" && value !== null && typeof (value as Partial<Sharp>).png === "function" && typeof (value as Partial<Sharp>).metadata === "function";
}

/** PNG bytes of a tensor image or a sharp image. */
export async function toPng(source: tf.Tensor | Sharp, options: ImageOptions = {}): Promise<Buffer> {
  const scale = Math.max(1, Math.round(options.scale ?? 1));
  let pipeline: Sharp;
  let width: number | undefined;
  if (isSharp(source)) {
    pipeline = source.clone();
    width = scale > 1 ? (await source.metadata()).width : undefined;
  } else {
    const raw = await tensorToRaw(source);
    pipeline = sharp(Buffer.from(raw.pixels), { raw: { width: raw.width, height: raw.height, channels: raw.channels } });
    width = raw.width;
  }
  if (scale > 1 && width !== undefined) pipeline = pipeline.resize({ width: width * scale, kernel: "nearest" });
  return pipeline.png().toBuffer();
}

/** The bundle of an image: base64 PNG (no data: prefix) plus a plain description. */
export async function imageBundle(source: tf.Tensor | Sharp, options: ImageOptions = {}): Promise<MimeBundle> {
  const png = await toPng(source, options);
  const meta = await sharp(png).metadata();
  const plain = `${options.caption ? `${options.caption}: ` : ""}image ${meta.width}×${meta.height}`;
  return { "image/png": png.toString("base64"), "text/plain": plain };
}

/** An image to show (a tensor or a sharp image). */
export function image(source: tf.Tensor | Sharp, options: ImageOptions = {}): Displayable {
  return displayable(() => imageBundle(source, options), "[image]");
}

/** Options for a grid of images. */
export interface ImageGridOptions {
  readonly columns?: number;
  /** One caption per image (e.g. "true: shirt · predicted: T-shirt"). */
  readonly labels?: readonly string[];
  readonly scale?: number;
}

/** A batch [n, h, w, c] (or [n, h, w]) shown as a grid of captioned images. */
export function imageGrid(batch: tf.Tensor, options: ImageGridOptions = {}): Displayable {
  return displayable(async () => {
    if (batch.rank !== 3 && batch.rank !== 4) {
      throw new ImageShapeError(`an image batch must be [n, h, w] or [n, h, w, c]; got shape [${batch.shape.join(", ")}]`);
    }
    const count = batch.shape[0]!;
    const columns = Math.max(1, options.columns ?? Math.min(count, 8));
    const cells: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const one = tf.tidy(() => batch.slice(i, 1).squeeze([0]));
      const png = await toPng(one, { scale: options.scale ?? 2 });
      one.dispose();
      const label = options.labels?.[i];
      cells.push(
        `<figure style="margin:4px;text-align:center"><img src="data:image/png;base64,${png.toString("base64")}"/>` +
          (label === undefined ? "" : `<figcaption style="font-size:11px">${escapeHtml(label)}</figcaption>`) +
          "</figure>",
      );
    }
    const html = `<div style="display:grid;grid-template-columns:repeat(${columns},auto);justify-content:start">${cells.join("")}</div>`;
    return { "text/html": html, "text/plain": `image grid: ${count} images of ${batch.shape.slice(1).join("×")}` };
  }, `[image grid of ${batch.shape[0]}]`);
}
