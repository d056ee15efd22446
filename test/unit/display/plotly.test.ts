import * as tf from "@tensorflow/tfjs";
import vm from "node:vm";
import sharp from "sharp";
import { chromiumPath, closeFigureRenderer } from "../../../src/display/static-image";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  barTrace,
  clearOutput,
  figure,
  heatmapTrace,
  histogramTrace,
  lineTrace,
  PLOTLY_MIME,
  PlotlyDataError,
  scatterTrace,
  show,
  surfaceTrace,
  toMimeBundle,
} from "../../../src/display";
import { forgetPlotlyLibrary, plotlyLibrarySent } from "../../../src/display/plotly";
import { installSink } from "../../../src/display/sink";
import { expectWellFormed, recordingSink, text } from "./helpers";

/** The bodies of an HTML fragment's <script> elements. */
function scriptBodies(html: string): string[] {
  return [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
}

/** A marker that only the embedded plotly.js library contains. */
const LIBRARY_MARKER = "plotly.js v2.35.3";

beforeEach(() => forgetPlotlyLibrary());
afterAll(() => closeFigureRenderer());
afterEach(() => {
  installSink(undefined);
  vi.restoreAllMocks();
});

describe("plotly figure bundles", () => {
  it("send {data, layout, config} as a JSON object, with text/plain", async () => {
    const bundle = await toMimeBundle(figure([lineTrace([0, 1], [1, 0], "loss")], { title: "curve" }));
    expectWellFormed(bundle);
    expect(bundle[PLOTLY_MIME]).toEqual({
      data: [{ type: "scatter", mode: "lines", x: [0, 1], y: [1, 0], name: "loss" }],
      layout: { title: "curve" },
      config: { responsive: true },
    });
    expect(bundle["text/plain"]).toBe('Plotly figure "curve": 1 trace (scatter)');
  });

  it("embed plotly.js in the first figure only; later ones reference window.Plotly", async () => {
    expect(plotlyLibrarySent()).toBe(false);
    const first = await toMimeBundle(figure([lineTrace([0, 1], [1, 0])]));
    const second = await toMimeBundle(figure([scatterTrace([0, 1], [2, 3])]));
    const third = await toMimeBundle(figure([barTrace(["a", "b"], [2, 3])]));
    expectWellFormed(first);
    expectWellFormed(second);
    expectWellFormed(third);
    const [html1, html2, html3] = [text(first, "text/html"), text(second, "text/html"), text(third, "text/html")];
    expect(html1).toContain(LIBRARY_MARKER);
    expect(html1.length).toBeGreaterThan(1_000_000);
    for (const later of [html2, html3]) {
      expect(later).not.toContain(LIBRARY_MARKER);
      expect(later.replace(/data:image\/png;base64,[^"]+/, "").length).toBeLessThan(10_000);
      expect(later).toContain("window.Plotly.newPlot");
    }
    // The library script comes before the figure's div, so the page defines Plotly before drawing.
    expect(html1.indexOf(LIBRARY_MARKER)).toBeLessThan(html1.indexOf('class="lepton-plotly"'));
    // Every div id is distinct, so two figures never draw into one another.
    const ids = [html1, html2, html3].map((h) => /<div id="([^"]+)"/.exec(h)![1]);
    expect(new Set(ids).size).toBe(3);
  });

  it("wrap the library so require.js's define is hidden (classic Notebook gets window.Plotly), as valid scripts", async () => {
    const html = text((await toMimeBundle(figure([])))!, "text/html");
    expect(html).toMatch(/^<script type="text\/javascript">\(function\(define, module, exports\)\{/);
    const scripts = scriptBodies(html);
    expect(scripts).toHaveLength(2);
    for (const body of scripts) expect(() => new vm.Script(body)).not.toThrow();
  });

  it("draw with window.Plotly.newPlot(div, data, layout, config) when a page runs the output", async () => {
    await toMimeBundle(figure([])); // the library goes out first
    const bundle = (await toMimeBundle(figure([lineTrace([0, 1], [3, 4])], { title: "drawn" })))!;
    const html = text(bundle, "text/html");
    const divId = /<div id="([^"]+)"/.exec(html)![1]!;
    const element = {
      id: divId,
      textContent: "",
      innerHTML: "<img>",
      style: { height: "" },
      querySelector: () => ({}),
    };
    const newPlot = vi.fn();
    const page = {
      document: { getElementById: (id: string) => (id === divId ? element : null) },
      window: { Plotly: { newPlot } },
      setTimeout,
    };
    vm.runInNewContext(scriptBodies(html)[0]!, page);
    expect(newPlot).toHaveBeenCalledWith(
      element,
      ...["data", "layout", "config"].map((key) => (bundle[PLOTLY_MIME] as Record<string, unknown>)[key]),
    );
    expect(element.innerHTML).toBe(""); // the static picture makes way for the live figure
  });

  it.skipIf(chromiumPath() === undefined)(
    "carry a static PNG drawn by plotly.js in Chromium, shown in the div until the script runs",
    async () => {
      const bundle = (await toMimeBundle(figure([barTrace(["a", "b"], [2, 3])], { title: "static", height: 300 })))!;
      const png = Buffer.from(text(bundle, "image/png"), "base64");
      const meta = await sharp(png).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["png", 900, 300]);
      const stats = await sharp(png).stats();
      expect(stats.channels[0]!.min).toBeLessThan(200); // something was drawn, not a blank page
      expect(text(bundle, "text/html")).toContain(`<img class="lepton-plotly-static"`);
      expect(text(bundle, "text/html")).toContain(text(bundle, "image/png"));
    },
  );

  it("say in the div when the page lacks plotly.js instead of staying blank", async () => {
    await toMimeBundle(figure([]));
    const html = text((await toMimeBundle(figure([])))!, "text/html");
    const divId = /<div id="([^"]+)"/.exec(html)![1]!;
    const element = { textContent: "", style: { height: "" }, querySelector: () => null };
    const timers: (() => void)[] = [];
    const page = {
      document: { getElementById: (id: string) => (id === divId ? element : null) },
      window: {},
      setTimeout: (f: () => void) => timers.push(f),
    };
    vm.runInNewContext(scriptBodies(html)[0]!, page);
    while (timers.length > 0) timers.shift()!();
    expect(element.textContent).toMatch(/plotly\.js is not loaded in this page/);
  });

  it("turn typed arrays into arrays and non-finite numbers into null", async () => {
    const bundle = await toMimeBundle(
      figure([lineTrace(new Float32Array([0, 1, 2]), new Float32Array([0.5, NaN, Infinity]))], { height: 300 }),
    );
    expectWellFormed(bundle);
    const spec = bundle[PLOTLY_MIME] as { data: { x: unknown; y: unknown }[] };
    expect(spec.data[0]!.x).toEqual([0, 1, 2]);
    expect(spec.data[0]!.y).toEqual([0.5, null, null]);
    expect(text(bundle, "text/html")).toContain('el.style.height="300px"');
  });

  it("keep user text from closing the script: </script> in a title stays inside the JSON", async () => {
    await toMimeBundle(figure([])); // the library goes out first
    const bundle = await toMimeBundle(
      figure(
        [
          heatmapTrace(
            [
              [1, 2],
              [3, 4],
            ],
            { x: ["a", "b"], y: ["</script><b>", "c"] },
          ),
        ],
        { title: "</script><img src=x>" },
      ),
    );
    expectWellFormed(bundle);
    const html = text(bundle, "text/html");
    expect(html).not.toContain("</script><b>");
    expect(html).not.toContain("<img src=x>");
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(bundle["text/plain"]).toBe('Plotly figure "</script><img src=x>": 1 trace (heatmap)');
    expect((bundle[PLOTLY_MIME] as { layout: unknown }).layout).toEqual({ title: "</script><img src=x>" });
  });

  it("refuse a tensor inside a trace, naming the trace and attribute", async () => {
    const t = tf.tensor1d([1, 2]);
    await expect(toMimeBundle(figure([{ type: "scatter", x: [0, 1], y: t }]))).rejects.toThrow(PlotlyDataError);
    await expect(toMimeBundle(figure([{ type: "scatter", x: [0, 1], y: t }]))).rejects.toThrow(
      /figure trace 0\.y is a tensor/,
    );
    t.dispose();
  });

  it("build the convenience traces with their plotly types", () => {
    expect(histogramTrace([1, 2, 2], { name: "mass", nbinsx: 3 })).toEqual({
      type: "histogram",
      x: [1, 2, 2],
      name: "mass",
      nbinsx: 3,
    });
    expect(
      surfaceTrace(
        [0, 1],
        [0, 1],
        [
          [0, 1],
          [1, 2],
        ],
      ),
    ).toEqual({
      type: "surface",
      x: [0, 1],
      y: [0, 1],
      z: [
        [0, 1],
        [1, 2],
      ],
    });
    expect(scatterTrace([1], [2], { name: "points", marker: { size: 4 } })).toMatchObject({
      mode: "markers",
      marker: { size: 4 },
    });
  });
});

describe("show(figure) in and out of a kernel", () => {
  it("prints the summary without a kernel and does not use up the library", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    await show(figure([lineTrace([0], [0])], { title: { text: "t" } }));
    expect(log.mock.calls).toEqual([['Plotly figure "t": 1 trace (scatter)']]);
    expect(plotlyLibrarySent()).toBe(false);
  });

  it("sends a separate loader before a live figure, so its updates never carry the library", async () => {
    const { sink, calls } = recordingSink();
    installSink(sink);
    await show(figure([lineTrace([0], [1])]), { displayId: "curves" });
    await show(figure([lineTrace([0, 1], [1, 0.5])]), { displayId: "curves", update: true });
    expect(calls.map((c) => [c.kind, c.options?.displayId])).toEqual([
      ["display", undefined],
      ["display", "curves"],
      ["update", "curves"],
    ]);
    expect(text(calls[0]!.bundle!, "text/html")).toContain(LIBRARY_MARKER);
    for (const call of calls.slice(1)) {
      expectWellFormed(call.bundle);
      expect(text(call.bundle, "text/html")).not.toContain(LIBRARY_MARKER);
    }
  });

  it("embeds the library again after clearOutput, which may have removed it", async () => {
    const { sink, calls } = recordingSink();
    installSink(sink);
    await show(figure([]));
    await show(figure([]));
    clearOutput({ wait: true });
    await show(figure([]));
    const withLibrary = calls.map((c) => c.kind === "display" && text(c.bundle!, "text/html").includes(LIBRARY_MARKER));
    expect(withLibrary).toEqual([true, false, false, true]);
    expect(calls[2]).toEqual({ kind: "clear", wait: true });
  });
});
