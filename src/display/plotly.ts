/**
 * Plotly figures (DESIGN.md "src/display: plots (plotly.js figures)"), Seed 000 §5.2.3's training
 * curves among them. A figure renders as `application/vnd.plotly.v1+json` (a JSON object, for
 * JupyterLab's plotly renderer), `text/html` (plotly.js embedded once per kernel process, then
 * reused — for classic Notebook, nbconvert HTML, and a notebook reopened later) and `text/plain`.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { displayable, type Displayable } from "./displayable";
import type { MimeBundle } from "./sink";

/** A plotly trace (`{type: "scatter", x, y, …}`); plotly's own schema, kept open. */
export type PlotlyTrace = Readonly<Record<string, unknown>>;
/** A plotly layout. */
export type PlotlyLayout = Readonly<Record<string, unknown>>;

/** A plotly figure as data: traces, layout, config. */
export interface PlotlyFigure extends Displayable {
  readonly data: readonly PlotlyTrace[];
  readonly layout: PlotlyLayout;
  readonly config: Readonly<Record<string, unknown>>;
}

/** The MIME type JupyterLab's plotly renderer reads. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

const LOADED_KEY = Symbol.for("lepton.display.plotlyLoaded");

function plotlyScript(): string {
  const holder = globalThis as { [LOADED_KEY]?: boolean };
  if (holder[LOADED_KEY] === true) return "";
  holder[LOADED_KEY] = true;
  const library = readFileSync(require.resolve("plotly.js-dist-min/plotly.min.js"), "utf8");
  // Define Plotly as a global even where the page has a module loader (require.js in classic Notebook).
  return `<script type="text/javascript">(function(){var define=undefined;var module=undefined;var exports=undefined;\n${library}\nwindow.Plotly=Plotly;})();</script>`;
}

function summary(figure: Pick<PlotlyFigure, "data" | "layout">): string {
  const title = figure.layout.title;
  const titleText = typeof title === "string" ? title : typeof title === "object" && title !== null ? String((title as { text?: unknown }).text ?? "") : "";
  const types = [...new Set(figure.data.map((trace) => String(trace.type ?? "scatter")))].join(", ");
  return `Plotly figure${titleText ? ` "${titleText}"` : ""}: ${figure.data.length} trace(s) (${types})`;
}

/** The bundle of a figure; the first figure of a process carries plotly.js itself. */
export function plotlyBundle(figure: Pick<PlotlyFigure, "data" | "layout" | "config">): MimeBundle {
  const id = `lepton-plot-${randomUUID()}`;
  const spec = { data: figure.data, layout: figure.layout, config: figure.config };
  const json = JSON.stringify(spec).replace(/</g, "\\u003c");
  const html =
    plotlyScript() +
    `<div id="${id}" style="width:100%;min-height:420px"></div>` +
    `<script type="text/javascript">(function(){var s=${json};function draw(){window.Plotly.newPlot("${id}",s.data,s.layout,s.config);}` +
    `if(window.Plotly){draw();}else{var t=setInterval(function(){if(window.Plotly){clearInterval(t);draw();}},50);}})();</script>`;
  return { [PLOTLY_MIME]: JSON.parse(JSON.stringify(spec)) as unknown, "text/html": html, "text/plain": summary(figure) };
}

/** Makes a plotly figure that displays itself (Seed 000 §5.2.3 curves, and every plot of the workbook). */
export function figure(data: readonly PlotlyTrace[], layout: PlotlyLayout = {}, config: Readonly<Record<string, unknown>> = { responsive: true }): PlotlyFigure {
  const fig = { data, layout, config } as const;
  return Object.assign(displayable(() => plotlyBundle(fig), summary(fig)), fig) as PlotlyFigure;
}

/** A line trace through (x, y) points. */
export function lineTrace(x: readonly number[], y: readonly number[], name?: string): PlotlyTrace {
  return { type: "scatter", mode: "lines", x, y, ...(name === undefined ? {} : { name }) };
}

/** A scatter (markers) trace. */
export function scatterTrace(x: readonly (number | string)[], y: readonly number[], name?: string): PlotlyTrace {
  return { type: "scatter", mode: "markers", x, y, ...(name === undefined ? {} : { name }) };
}

/** A heatmap trace of a matrix z (rows × columns), e.g. a confusion matrix. */
export function heatmapTrace(z: readonly (readonly number[])[], x?: readonly string[], y?: readonly string[]): PlotlyTrace {
  return { type: "heatmap", z, ...(x ? { x } : {}), ...(y ? { y } : {}) };
}

/** A surface trace of z over the grid (x, y), e.g. a loss surface. */
export function surfaceTrace(x: readonly number[], y: readonly number[], z: readonly (readonly number[])[]): PlotlyTrace {
  return { type: "surface", x, y, z };
}
