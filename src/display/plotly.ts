/**
 * Plotly figures (Seed 000 §5.2.3 training
 * curves and every plot of the workbook). A figure renders as
 * - `application/vnd.plotly.v1+json`: a JSON object {data, layout, config}, which JupyterLab and
 *   VS Code draw with their plotly renderer when one is installed;
 * - `text/html`: a div drawn by `Plotly.newPlot`, for front ends without that renderer, nbconvert
 *   HTML and a notebook reopened later. plotly.js itself (4.5 MB) travels ONCE per kernel process
 *   (one kernel per notebook, so once per notebook file): in the text/html of the first figure;
 *   later figures use the `window.Plotly` it defined (the page runs outputs in order);
 * - `image/png`, also inside the div until the script replaces it: the figure drawn by plotly.js
 *   in a headless Chromium, so it shows where scripts cannot run (a notebook reopened untrusted,
 *   static viewers) or the library is missing;
 * - `text/plain`: a one-line summary.
 */
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { inspect } from "node:util";
import { escapeHtml, scriptSafeJson } from "./escape";
import { figurePng } from "./static-image";
import { currentSink, JUPYTER_DISPLAY, type MimeBundle, type OutputCell } from "./sink";
import type { Displayable } from "./displayable";
import { LeptonError } from "../errors";

/** The MIME type of plotly's renderers (JupyterLab, VS Code): a JSON object {data, layout, config}. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** Numbers a trace accepts: a plain array or a typed array such as `await tensor.data()`. */
export type NumericArray = readonly number[] | Float32Array | Float64Array | Int32Array | Uint8Array;

/** One plotly trace: `type` and `name` typed, every other plotly attribute passed through. */
export interface PlotlyTrace {
  readonly type?: string;
  readonly name?: string;
  readonly [attribute: string]: unknown;
}

/** A plotly layout: the attributes src/display reads typed, the rest passed through. */
export interface PlotlyLayout {
  readonly title?: string | { readonly text?: string };
  readonly height?: number;
  readonly [attribute: string]: unknown;
}

/** plotly.js config (`responsive`, `displayModeBar`, …). */
export type PlotlyConfig = Readonly<Record<string, unknown>>;

/** Raised when a figure holds something JSON cannot carry (a tensor, a function); names the trace and attribute. */
export class PlotlyDataError extends LeptonError {}

/** A plotly figure that displays itself; make one with `figure()`. */
export class PlotlyFigure implements Displayable {
  constructor(
    readonly data: readonly PlotlyTrace[],
    readonly layout: PlotlyLayout = {},
    readonly config: PlotlyConfig = { responsive: true },
  ) {}

  /** The figure's MIME bundle with its static image (the first figure of the process carries plotly.js). */
  [JUPYTER_DISPLAY](): Promise<MimeBundle> {
    return plotlyBundleWithImage(this);
  }

  /** The one-line summary (`text/plain`). */
  toString(): string {
    return figureSummary(this);
  }

  /** What console.log prints in a script. */
  [inspect.custom](): string {
    return figureSummary(this);
  }
}

/** Makes a plotly figure from traces and an optional layout and config. */
export function figure(
  data: readonly PlotlyTrace[],
  layout: PlotlyLayout = {},
  config: PlotlyConfig = { responsive: true },
): PlotlyFigure {
  return new PlotlyFigure(data, layout, config);
}

/** Whether `value` is a figure made by `figure()`. */
export function isPlotlyFigure(value: unknown): value is PlotlyFigure {
  return value instanceof PlotlyFigure;
}

/** Attributes any trace helper accepts on top of its data: a name and any plotly attribute. */
export interface TraceOptions {
  readonly name?: string;
  readonly [attribute: string]: unknown;
}

/** A trace's name alone, or its options. */
export type NameOrOptions = string | TraceOptions;

function traceOptions(options: NameOrOptions | undefined): TraceOptions {
  return typeof options === "string" ? { name: options } : (options ?? {});
}

/** A line through (x, y), e.g. a loss curve per epoch. */
export function lineTrace(x: NumericArray | readonly string[], y: NumericArray, options?: NameOrOptions): PlotlyTrace {
  return { type: "scatter", mode: "lines", x, y, ...traceOptions(options) };
}

/** Points at (x, y), e.g. a regression's data (Seed 000 §4 house prices). */
export function scatterTrace(
  x: NumericArray | readonly string[],
  y: NumericArray,
  options?: NameOrOptions,
): PlotlyTrace {
  return { type: "scatter", mode: "markers", x, y, ...traceOptions(options) };
}

/** Bars of y over categories x, e.g. per-class recall (Seed 001 §5). */
export function barTrace(x: NumericArray | readonly string[], y: NumericArray, options?: NameOrOptions): PlotlyTrace {
  return { type: "bar", x, y, ...traceOptions(options) };
}

/** A histogram of values, e.g. a feature's distribution before and after cleaning (Seed 000 §3.1). */
export function histogramTrace(values: NumericArray, options?: NameOrOptions): PlotlyTrace {
  return { type: "histogram", x: values, ...traceOptions(options) };
}

/** Options of a heatmap: column labels x, row labels y, and any plotly attribute. */
export interface HeatmapOptions extends TraceOptions {
  readonly x?: readonly (string | number)[];
  readonly y?: readonly (string | number)[];
}

/** A heatmap of a matrix z (rows × columns), e.g. a confusion matrix. */
export function heatmapTrace(z: readonly NumericArray[], options: HeatmapOptions = {}): PlotlyTrace {
  return { type: "heatmap", z, ...options };
}

/** A surface z[i][j] over the grid (x[j], y[i]), e.g. a loss surface. */
export function surfaceTrace(
  x: NumericArray,
  y: NumericArray,
  z: readonly NumericArray[],
  options?: NameOrOptions,
): PlotlyTrace {
  return { type: "surface", x, y, z, ...traceOptions(options) };
}

const LIBRARY_STATE = Symbol.for("lepton.display.plotlyLibrary");

/** Process-wide (a global symbol: one state even if two copies of this module load) record of plotly.js in the page. */
interface LibraryState {
  embedded: boolean;
  /** The output that carries it: re-running that cell replaces the output, so the library must go again. */
  carrier?: OutputCell | undefined;
}

function libraryState(): LibraryState {
  const holder = globalThis as { [LIBRARY_STATE]?: LibraryState };
  holder[LIBRARY_STATE] ??= { embedded: false };
  return holder[LIBRARY_STATE];
}

/** Whether plotly.js has already been sent to the page by this process. */
export function plotlyLibrarySent(): boolean {
  return libraryState().embedded;
}

/**
 * Forgets that plotly.js was sent: `clearOutput()` calls it,
 * since the cleared output may have been the one carrying the library; the next figure embeds it again.
 */
export function forgetPlotlyLibrary(): void {
  libraryState().embedded = false;
}

/**
 * The `<script>` defining `window.Plotly` (once per process; "" after). The library's UMD header
 * would register an anonymous AMD module where require.js is present (classic Notebook), so
 * `define`, `module` and `exports` are hidden from it and it falls through to the global.
 */
function plotlyLibraryScript(): string {
  const state = libraryState();
  const here = currentSink()?.outputCell?.();
  const carrierRerun =
    here?.cellId !== undefined && state.carrier?.cellId === here.cellId && state.carrier.requestId !== here.requestId;
  if (state.embedded && !carrierRerun) return "";
  state.carrier = here;
  const source = readFileSync(require.resolve("plotly.js-dist-min/plotly.min.js"), "utf8").replace(
    /<\/(script)/gi,
    "<\\/$1",
  );
  state.embedded = true;
  return `<script type="text/javascript">(function(define, module, exports){\n${source}\n}).call(window);</script>`;
}

/**
 * A bundle that only loads plotly.js (for `show(figure, {displayId})`, whose later updates must not carry 4.5 MB each).
 */
export function plotlyLoaderBundle(): MimeBundle {
  const script = plotlyLibraryScript();
  return { "text/html": script, "text/plain": "plotly.js loaded for this notebook's figures" };
}

function titleText(layout: PlotlyLayout): string {
  const title = layout.title;
  if (typeof title === "string") return title;
  return typeof title?.text === "string" ? title.text : "";
}

function figureSummary(fig: PlotlyFigure): string {
  const title = titleText(fig.layout);
  const types = [...new Set(fig.data.map((trace) => trace.type ?? "scatter"))].join(", ");
  return `Plotly figure${title ? ` "${title}"` : ""}: ${fig.data.length} trace${fig.data.length === 1 ? "" : "s"} (${types || "none"})`;
}

function isTensorLike(value: object): boolean {
  const candidate = value as { dataSync?: unknown; shape?: unknown };
  return typeof candidate.dataSync === "function" && Array.isArray(candidate.shape);
}

/** Plain JSON of a figure part: typed arrays become arrays, non-finite numbers null, dates ISO strings. */
function plainJson(value: unknown, where: string): unknown {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" || typeof value === "boolean" || value === null) return value;
  if (value === undefined) return null;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number | bigint>, (v) =>
      typeof v === "bigint" ? Number(v) : Number.isFinite(v) ? v : null,
    );
  }
  if (Array.isArray(value)) return value.map((item, i) => plainJson(item, `${where}[${i}]`));
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") {
    if (isTensorLike(value))
      throw new PlotlyDataError(`${where} is a tensor: pass \`await t.array()\` or \`await t.data()\` instead`);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      if (item !== undefined) out[key] = plainJson(item, `${where}.${key}`);
    return out;
  }
  throw new PlotlyDataError(`${where} is a ${typeof value}, which a plotly figure cannot carry`);
}

/** The figure as the plain JSON object plotly renderers read: {data, layout, config}. */
function plotlySpec(fig: PlotlyFigure): {
  data: unknown[];
  layout: Record<string, unknown>;
  config: Record<string, unknown>;
} {
  return {
    data: fig.data.map((trace, i) => plainJson(trace, `figure trace ${i}`)),
    layout: plainJson(fig.layout, "figure layout") as Record<string, unknown>,
    config: plainJson(fig.config, "figure config") as Record<string, unknown>,
  };
}

const MISSING_LIBRARY_NOTE = "plotly.js is not loaded in this page, and this figure was saved without a static image.";

/** Width of the static image: the notebook column's usual width. */
const STATIC_WIDTH = 900;

const figureHeight = (fig: PlotlyFigure) => (typeof fig.layout.height === "number" ? fig.layout.height : 450);

/**
 * The figure's bundle. With `embedLibrary` (the default) the first figure of the process carries
 * plotly.js in its text/html; pass false when a loader output was sent instead. `png` (base64)
 * is shown inside the div until plotly.js draws over it, and as `image/png`.
 */
export function plotlyBundle(fig: PlotlyFigure, options: { embedLibrary?: boolean; png?: string } = {}): MimeBundle {
  const spec = plotlySpec(fig);
  const divId = `lepton-plot-${randomUUID()}`;
  const height = figureHeight(fig);
  const library = options.embedLibrary === false ? "" : plotlyLibraryScript();
  const picture =
    options.png === undefined
      ? ""
      : `<img class="lepton-plotly-static" alt="${escapeHtml(figureSummary(fig))}" style="max-width:100%" src="data:image/png;base64,${options.png}">`;
  const draw =
    `<script type="text/javascript">(function(){var spec=${scriptSafeJson(spec)},id=${scriptSafeJson(divId)},tries=0;` +
    `function draw(){var el=document.getElementById(id);if(!el)return;` +
    `if(window.Plotly){el.innerHTML="";el.style.height="${height}px";window.Plotly.newPlot(el,spec.data,spec.layout,spec.config);return;}` +
    `if(++tries>100){if(!el.querySelector("img"))el.textContent=${scriptSafeJson(MISSING_LIBRARY_NOTE)};return;}setTimeout(draw,50);}draw();})();</script>`;
  const html = `${library}<div id="${escapeHtml(divId)}" class="lepton-plotly" style="width:100%">${picture}</div>${draw}`;
  return {
    [PLOTLY_MIME]: spec,
    "text/html": html,
    ...(options.png === undefined ? {} : { "image/png": options.png }),
    "text/plain": figureSummary(fig),
  };
}

/** {@link plotlyBundle} with the figure's static image, drawn in a headless Chromium when one is present. */
export async function plotlyBundleWithImage(
  fig: PlotlyFigure,
  options: { embedLibrary?: boolean } = {},
): Promise<MimeBundle> {
  const width = typeof fig.layout.width === "number" ? fig.layout.width : STATIC_WIDTH;
  const png = await figurePng(plotlySpec(fig), width, figureHeight(fig));
  return plotlyBundle(fig, { ...options, ...(png === undefined ? {} : { png }) });
}
