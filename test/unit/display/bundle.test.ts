import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { DisplayBundleError, html, markdown, toMimeBundle } from "../../../src/display";
import { expectWellFormed, text } from "./helpers";

const DISPLAY = Symbol.for("Jupyter.display");

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("toMimeBundle: values that display themselves", () => {
  it("honours a sync [Symbol.for('Jupyter.display')]()", async () => {
    const bundle = await toMimeBundle({ [DISPLAY]: () => ({ "text/html": "<i>x</i>", "text/plain": "x" }) });
    expectWellFormed(bundle);
    expect(bundle).toEqual({ "text/html": "<i>x</i>", "text/plain": "x" });
  });

  it("honours an async one, and a class method", async () => {
    class Card {
      constructor(private readonly title: string) {}
      async [DISPLAY]() {
        await new Promise((resolve) => setImmediate(resolve));
        return { "text/markdown": `**${this.title}**`, "text/plain": this.title };
      }
    }
    const bundle = await toMimeBundle(new Card("hello"));
    expectWellFormed(bundle);
    expect(bundle["text/markdown"]).toBe("**hello**");
  });

  it("parses JSON MIME types sent as strings into objects, keeps objects", async () => {
    const bundle = await toMimeBundle({
      [DISPLAY]: () => ({ "application/json": '{"a":1}', "application/vnd.vegalite.v5+json": { mark: "bar" } }),
    });
    expectWellFormed(bundle);
    expect(bundle["application/json"]).toEqual({ a: 1 });
    expect(bundle["application/vnd.vegalite.v5+json"]).toEqual({ mark: "bar" });
  });

  it("turns image bytes into base64 and strips a data: prefix", async () => {
    const png = await sharp({ create: { width: 2, height: 3, channels: 3, background: "red" } })
      .png()
      .toBuffer();
    const fromBytes = await toMimeBundle({ [DISPLAY]: () => ({ "image/png": new Uint8Array(png) }) });
    const fromDataUrl = await toMimeBundle({
      [DISPLAY]: () => ({ "image/png": `data:image/png;base64,${png.toString("base64")}` }),
    });
    expectWellFormed(fromBytes);
    expectWellFormed(fromDataUrl);
    expect(fromBytes["image/png"]).toBe(png.toString("base64"));
    expect(fromDataUrl["image/png"]).toBe(png.toString("base64"));
    expect(fromBytes["text/plain"]).toBe("[image/png]");
  });

  it("rejects what is not a well-formed bundle, naming the MIME type", async () => {
    await expect(toMimeBundle({ [DISPLAY]: () => "text" })).rejects.toThrow(DisplayBundleError);
    await expect(toMimeBundle({ [DISPLAY]: () => [1] })).rejects.toThrow(/got an array/);
    await expect(toMimeBundle({ [DISPLAY]: () => ({ "text/html": 3 }) })).rejects.toThrow(/text\/html as number/);
    await expect(toMimeBundle({ [DISPLAY]: () => ({ "application/json": "{oops" }) })).rejects.toThrow(
      /application\/json as a string that is not JSON/,
    );
  });
});

describe("toMimeBundle: the rest", () => {
  it("returns undefined for values with nothing richer than text", async () => {
    for (const value of [42, "text", null, undefined, [1, 2], [], { a: 1 }, new Map(), () => 1]) {
      expect(await toMimeBundle(value)).toBeUndefined();
    }
  });

  it("renders markdown and html wrappers", async () => {
    const md = await toMimeBundle(markdown("# Title"));
    expectWellFormed(md);
    expect(md).toEqual({ "text/markdown": "# Title", "text/html": "<h1>Title</h1>\n", "text/plain": "# Title" });
    const page = await toMimeBundle(html("<b>bold</b>", "bold"));
    expectWellFormed(page);
    expect(page).toEqual({ "text/html": "<b>bold</b>", "text/plain": "bold" });
  });

  it("renders markdown to HTML for untrusted views, keeping math spans for MathJax", async () => {
    const md = await toMimeBundle(markdown("| a | b |\n|---|---|\n| $x_i * y_j$ | **2** |\n\n$$\\sum_i x_i^2$$"));
    const rendered = String(md!["text/html"]);
    expect(rendered).toContain("<table>");
    expect(rendered).toContain("<td>$x_i * y_j$</td>");
    expect(rendered).toContain("<strong>2</strong>");
    expect(rendered).toContain("$$\\sum_i x_i^2$$");
  });

  it("encodes a sharp image as PNG", async () => {
    const picture = sharp({ create: { width: 5, height: 4, channels: 3, background: { r: 0, g: 128, b: 255 } } });
    const bundle = await toMimeBundle(picture);
    expectWellFormed(bundle);
    const meta = await sharp(Buffer.from(text(bundle, "image/png"), "base64")).metadata();
    expect(meta).toMatchObject({ format: "png", width: 5, height: 4 });
    expect(bundle["text/plain"]).toBe("image 5×4");
  });
});
