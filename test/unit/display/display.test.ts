import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  figure,
  html,
  image,
  imageGrid,
  lineTrace,
  markdown,
  PLOTLY_MIME,
  progressBar,
  show,
  table,
  toMimeBundle,
  type MimeBundle,
} from "../../../src/display";
import { installSink, type DisplayOptions, type DisplaySink } from "../../../src/display/sink";

interface Recorded {
  kind: "display" | "update" | "clear";
  bundle?: MimeBundle;
  options?: DisplayOptions;
}

function recordingSink(): { sink: DisplaySink; calls: Recorded[] } {
  const calls: Recorded[] = [];
  return {
    calls,
    sink: {
      display: (bundle, options) => void calls.push({ kind: "display", bundle, options }),
      update: (bundle, options) => void calls.push({ kind: "update", bundle, options }),
      clear: () => void calls.push({ kind: "clear" }),
    },
  };
}

function expectWellFormed(bundle: MimeBundle | undefined): asserts bundle is MimeBundle {
  expect(bundle).toBeDefined();
  expect(typeof bundle!["text/plain"]).toBe("string");
  for (const [mime, data] of Object.entries(bundle!)) {
    if (mime.endsWith("json")) expect(typeof data).toBe("object");
    else expect(typeof data).toBe("string");
  }
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});
afterEach(() => {
  installSink(undefined);
  vi.restoreAllMocks();
});

describe("toMimeBundle", () => {
  it("honours Symbol.for('Jupyter.display'), sync and async, parsing JSON sent as strings", async () => {
    const sync = { [Symbol.for("Jupyter.display")]: () => ({ "text/html": "<i>x</i>" }) };
    const async = { [Symbol.for("Jupyter.display")]: async () => ({ "application/json": '{"a":1}', "text/plain": "a" }) };
    const first = await toMimeBundle(sync);
    expectWellFormed(first);
    expect(first["text/html"]).toBe("<i>x</i>");
    const second = await toMimeBundle(async);
    expectWellFormed(second);
    expect(second["application/json"]).toEqual({ a: 1 });
  });

  it("returns undefined for values with nothing richer than text", async () => {
    expect(await toMimeBundle(42)).toBeUndefined();
    expect(await toMimeBundle("text")).toBeUndefined();
    expect(await toMimeBundle([1, 2])).toBeUndefined();
  });

  it("summarises a tensor without leaking tensors", async () => {
    const t = tf.tensor2d([[1, -2], [3, 10]]);
    const before = tf.memory().numTensors;
    const bundle = await toMimeBundle(t);
    expect(tf.memory().numTensors).toBe(before);
    expectWellFormed(bundle);
    expect(bundle["text/plain"]).toContain("Tensor [2, 2] float32");
    expect(bundle["text/plain"]).toContain("min -2 · max 10 · mean 3");
    t.dispose();
  });

  it("tables records with escaped cells, head and tail", async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ id: i, name: i === 0 ? "<script>" : `row ${i}` }));
    const bundle = await toMimeBundle(rows);
    expectWellFormed(bundle);
    const htmlText = String(bundle["text/html"]);
    expect(htmlText).toContain("&lt;script&gt;");
    expect(htmlText).not.toContain("<script>");
    expect(htmlText).toContain("30 rows × 2 columns");
    expect(htmlText).toContain(">29<");
    expect(htmlText).not.toContain(">row 15<");
  });

  it("tables a danfojs DataFrame with shape, dtypes, head and tail", async () => {
    const dfd = await import("danfojs-node");
    const df = new dfd.DataFrame({ species: Array.from({ length: 12 }, (_, i) => (i % 2 ? "Adelie" : "<Gentoo>")), mass: Array.from({ length: 12 }, (_, i) => 3000 + i) });
    const bundle = await toMimeBundle(df);
    expectWellFormed(bundle);
    const htmlText = String(bundle["text/html"]);
    expect(htmlText).toContain("12 rows × 2 columns");
    expect(htmlText).toContain("<i>string</i>");
    expect(htmlText).toContain("&lt;Gentoo&gt;");
    expect(htmlText).toContain("…");
    expect(String(bundle["text/plain"])).toContain("[12 rows × 2 columns]");
  });
});

describe("plotly figures", () => {
  it("send the figure as a JSON object, and embed plotly.js only in the first figure", async () => {
    const first = await toMimeBundle(figure([lineTrace([0, 1], [1, 0], "loss")], { title: "curve" }));
    const second = await toMimeBundle(figure([lineTrace([0, 1], [2, 3])]));
    expectWellFormed(first);
    expectWellFormed(second);
    expect(first[PLOTLY_MIME]).toEqual({ data: [{ type: "scatter", mode: "lines", x: [0, 1], y: [1, 0], name: "loss" }], layout: { title: "curve" }, config: { responsive: true } });
    expect(String(first["text/html"]).length).toBeGreaterThan(1_000_000);
    expect(String(second["text/html"]).length).toBeLessThan(10_000);
    expect(String(second["text/html"])).toContain("Plotly.newPlot");
    expect(first["text/plain"]).toBe('Plotly figure "curve": 1 trace(s) (scatter)');
  });
});

describe("images", () => {
  it("encode a [h, w, 3] float tensor as a PNG of the right size, scaled", async () => {
    const t = tf.fill([4, 6, 3], 0.5);
    const bundle = await toMimeBundle(image(t, { scale: 2 }));
    expectWellFormed(bundle);
    const meta = await sharp(Buffer.from(String(bundle["image/png"]), "base64")).metadata();
    expect(meta).toMatchObject({ format: "png", width: 12, height: 8 });
    t.dispose();
  });

  it("refuse a tensor that is not an image, naming its shape", async () => {
    const t = tf.zeros([2, 2, 2]);
    await expect(toMimeBundle(image(t))).rejects.toThrow(/\[2, 2, 2\]/);
    t.dispose();
  });

  it("lay a batch out as a captioned grid without leaking tensors", async () => {
    const batch = tf.randomUniform([3, 5, 5, 1]);
    const before = tf.memory().numTensors;
    const bundle = await toMimeBundle(imageGrid(batch, { labels: ["a", "b", "<c>"] }));
    expect(tf.memory().numTensors).toBe(before);
    expectWellFormed(bundle);
    expect(String(bundle["text/html"]).match(/<img /g)).toHaveLength(3);
    expect(String(bundle["text/html"])).toContain("&lt;c&gt;");
    batch.dispose();
  });
});

describe("show and progress", () => {
  it("displays through the installed sink", async () => {
    const { sink, calls } = recordingSink();
    installSink(sink);
    await show(markdown("# hi"));
    await show(table([{ a: 1 }]));
    await show(html("<b>x</b>", "x"));
    expect(calls.map((c) => Object.keys(c.bundle!).sort())).toEqual([
      ["text/markdown", "text/plain"],
      ["text/html", "text/plain"],
      ["text/html", "text/plain"],
    ]);
  });

  it("prints plain text when no kernel is present", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    await show(markdown("plain words"));
    await show({ a: 1 });
    expect(log.mock.calls.map((c) => c[0])).toEqual(["plain words", "{ a: 1 }"]);
  });

  it("updates one output in place inside a kernel", () => {
    const { sink, calls } = recordingSink();
    installSink(sink);
    const bar = progressBar({ total: 4, label: "epoch" });
    for (let i = 1; i <= 4; i += 1) bar.update(i, `loss ${1 / i}`);
    bar.finish("done");
    const displayId = calls[0]!.options?.displayId;
    expect(calls[0]!.kind).toBe("display");
    expect(displayId).toMatch(/^lepton-progress-/);
    expect(calls.slice(1).every((c) => c.kind === "update" && c.options?.displayId === displayId)).toBe(true);
    expect(String(calls.at(-1)!.bundle!["text/plain"])).toContain("4/4");
    expect(String(calls.at(-1)!.bundle!["text/plain"])).toContain("done");
  });

  it("prints a few plain lines outside a kernel, not one per step", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const bar = progressBar({ total: 1000, label: "steps" });
    for (let i = 1; i <= 1000; i += 1) bar.update(i);
    bar.finish();
    expect(log.mock.calls.length).toBeLessThanOrEqual(12);
    expect(String(log.mock.calls.at(-1)![0])).toContain("1000/1000");
  });
});
