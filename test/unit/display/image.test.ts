import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { image, imageGrid, ImageShapeError, toMimeBundle, toPng } from "../../../src/display";
import { expectWellFormed, text } from "./helpers";
import { failOnTensorLeaks } from "../tensor-leaks";

failOnTensorLeaks();

/** Decodes a base64 PNG back to its size, channels and raw pixels. */
async function decode(base64: string) {
  const png = Buffer.from(base64, "base64");
  const meta = await sharp(png).metadata();
  // sharp expands grey to sRGB when decoding; take the one channel back for a grey PNG.
  const decoder = meta.channels === 1 ? sharp(png).extractChannel(0) : sharp(png);
  const { data, info } = await decoder.raw().toBuffer({ resolveWithObject: true });
  return { format: meta.format, width: info.width, height: info.height, channels: meta.channels, pixels: [...data] };
}

/** Runs `body` with a tensor made by `make`, disposing it afterwards. */
async function withTensor<T>(make: () => tf.Tensor, body: (t: tf.Tensor) => Promise<T>): Promise<T> {
  const t = make();
  try {
    return await body(t);
  } finally {
    t.dispose();
  }
}

describe("image(tensor)", () => {
  it("encodes a [h, w, 3] float tensor in [0, 1] as an RGB PNG of the right size, scaled", async () => {
    const bundle = await withTensor(
      () => tf.fill([4, 6, 3], 0.5),
      (t) => toMimeBundle(image(t, { scale: 2 })),
    );
    expectWellFormed(bundle);
    const png = await decode(text(bundle, "image/png"));
    expect(png).toMatchObject({ format: "png", width: 12, height: 8, channels: 3 });
    expect(new Set(png.pixels)).toEqual(new Set([128]));
    expect(bundle["text/plain"]).toBe("image 12×8");
  });

  it.each([
    {
      what: "reads int32 as 0–255 and [h, w] as grey, clipping out-of-range values",
      make: () => tf.tensor2d([0, 100, 255, 300], [2, 2], "int32"),
      size: { width: 2, height: 2, channels: 1 },
      pixels: [0, 100, 255, 255],
    },
    {
      what: "keeps an alpha channel of [h, w, 4]",
      make: () => tf.tensor3d([0, 0.5, 1, 0.25], [1, 1, 4]),
      size: { width: 1, height: 1, channels: 4 },
      pixels: [0, 128, 255, 64],
    },
  ])("$what", async ({ make, size, pixels }) => {
    const bundle = await withTensor(make, (t) => toMimeBundle(image(t)));
    const png = await decode(text(bundle!, "image/png"));
    expect(png).toMatchObject(size);
    expect(png.pixels).toEqual(pixels);
  });

  it("rescales min…max or a given range (a GAN's tanh output in [-1, 1])", async () => {
    const minmax = await withTensor(
      () => tf.tensor2d([[-3, 1]]),
      (t) => toPng(t, { rescale: "minmax" }),
    );
    const tanh = await withTensor(
      () => tf.tensor2d([[-1, 0, 1]]),
      (t) => toPng(t, { rescale: [-1, 1] }),
    );
    expect((await decode(minmax.toString("base64"))).pixels).toEqual([0, 255]);
    expect((await decode(tanh.toString("base64"))).pixels).toEqual([0, 128, 255]);
  });

  it("refuses what is not an image, naming its shape", async () => {
    await withTensor(
      () => tf.zeros([2, 2, 2]),
      async (t) => {
        await expect(toMimeBundle(image(t))).rejects.toThrow(ImageShapeError);
        await expect(toMimeBundle(image(t))).rejects.toThrow("[2, 2, 2] float32");
      },
    );
    await withTensor(
      () => tf.zeros([1, 2, 2, 1]),
      (t) => expect(toPng(t)).rejects.toThrow(/use imageGrid/),
    );
    await withTensor(
      () => tf.zeros([2, 2]),
      (t) => expect(toPng(t, { scale: 1.5 })).rejects.toThrow(/scale must be a positive integer/),
    );
    await withTensor(
      () => tf.zeros([2, 2]),
      (t) => expect(toPng(t, { rescale: [1, 1] })).rejects.toThrow(/high > low/),
    );
  });

  it("upscales a sharp image", async () => {
    const source = sharp({ create: { width: 3, height: 2, channels: 3, background: "white" } });
    const bundle = await toMimeBundle(image(source, { scale: 3, caption: "white" }));
    expectWellFormed(bundle);
    expect(await decode(text(bundle, "image/png"))).toMatchObject({ width: 9, height: 6 });
    expect(bundle["text/plain"]).toBe("white: image 9×6");
  });
});

describe("imageGrid(batch)", () => {
  it("lays a batch out as one PNG grid and captioned HTML tiles, labels escaped", async () => {
    // 5 images of 3×4 in 2 columns: 3 rows; tiles 2 px apart; scale 2.
    const bundle = await withTensor(
      () => tf.tidy(() => tf.stack([0, 1, 2, 3, 4].map((i) => tf.fill([3, 4, 1], i / 4)))),
      (batch) => toMimeBundle(imageGrid(batch, { columns: 2, labels: ["a", "b", "<c>", "d", "e"], scale: 2 })),
    );
    expectWellFormed(bundle);
    const grid = await decode(text(bundle, "image/png"));
    expect(grid).toMatchObject({ width: (2 * 4 + 2) * 2, height: (3 * 3 + 2 * 2) * 2, channels: 1 });
    const html = text(bundle, "text/html");
    expect(html.match(/<img /g)).toHaveLength(5);
    expect(html).toContain("&lt;c&gt;");
    expect(html).not.toContain("<c>");
    expect(html).toContain("repeat(2,auto)");
    expect(text(bundle, "text/plain")).toContain("image grid: 5 images of 3×4×1, 2 per row");
    // The tiles hold the batch's own values: tile 4 (value 1.0) is white, tile 0 black.
    const tile = (i: number) => {
      const row = Math.floor(i / 2) * (3 + 2) * 2;
      const column = (i % 2) * (4 + 2) * 2;
      return grid.pixels.slice(
        (row * grid.width + column) * grid.channels,
        (row * grid.width + column) * grid.channels + 3,
      );
    };
    expect(tile(0)).toEqual([0, 0, 0]);
    expect(tile(4)).toEqual([255, 255, 255]);
    expect(tile(2)).toEqual([128, 128, 128]);
  });

  it("refuses labels that do not match the batch, and a batch that is not one", async () => {
    await withTensor(
      () => tf.zeros([2, 3, 3]),
      (batch) =>
        expect(toMimeBundle(imageGrid(batch, { labels: ["only one"] }))).rejects.toThrow("1 labels for 2 images"),
    );
    await withTensor(
      () => tf.zeros([3, 3]),
      (batch) => expect(toMimeBundle(imageGrid(batch))).rejects.toThrow(ImageShapeError),
    );
  });

  it("says so for an empty batch (no misclassified examples left)", async () => {
    const bundle = await withTensor(
      () => tf.zeros([0, 28, 28, 1]),
      (batch) => toMimeBundle(imageGrid(batch)),
    );
    expectWellFormed(bundle);
    expect(bundle).toEqual({ "text/plain": "image grid: no images (batch [0, 28, 28, 1])" });
  });
});
