/**
 * `show(x)`: displays any value through the kernel's sink when
 * one is installed, and prints its plain text otherwise — so the same code runs in a notebook, a
 * script and a test.
 */
import { inspect } from "node:util";
import { toMimeBundle } from "./bundle";
import { forgetPlotlyLibrary, isPlotlyFigure, plotlyBundle, plotlyLibrarySent, plotlyLoaderBundle } from "./plotly";
import { currentSink, type MimeBundle } from "./sink";
import { LeptonError } from "../errors";

/** Options of `show`: a display id names an output that a later `show(…, {displayId, update: true})` replaces. */
export interface ShowOptions {
  readonly displayId?: string;
  /** Replace the output shown earlier under `displayId` instead of adding one. */
  readonly update?: boolean;
  readonly metadata?: Record<string, unknown>;
}

/** Raised for `show` options that cannot work, e.g. an update without a display id. */
export class ShowOptionsError extends LeptonError {}

/** The bundle `show` displays for `value`: its rich bundle, or its text. */
export async function bundleFor(value: unknown): Promise<MimeBundle> {
  return (
    (await toMimeBundle(value)) ?? { "text/plain": typeof value === "string" ? value : inspect(value, { depth: 4 }) }
  );
}

/**
 * Displays a value — plotly figures, images, tables, DataFrames, tensors, markdown — or prints
 * its text when no kernel is present. A figure shown under a
 * display id (a live plot, updated in place) never carries plotly.js itself: if the page lacks
 * it, a separate loader output is sent first, so updates stay small.
 */
export function show(value: unknown, options: ShowOptions = {}): Promise<void> {
  const work = display(value, options);
  currentSink()?.pending?.(work);
  return work;
}

async function display(value: unknown, options: ShowOptions): Promise<void> {
  const { displayId, update = false, metadata } = options;
  if (update && displayId === undefined)
    throw new ShowOptionsError("show(value, {update: true}) needs the displayId of the output to replace");
  const sink = currentSink();
  if (sink === undefined) {
    console.log(isPlotlyFigure(value) ? value.toString() : String((await bundleFor(value))["text/plain"]));
    return;
  }
  let bundle: MimeBundle;
  if (isPlotlyFigure(value) && displayId !== undefined) {
    if (!plotlyLibrarySent()) sink.display(plotlyLoaderBundle());
    bundle = plotlyBundle(value, { embedLibrary: false });
  } else {
    bundle = await bundleFor(value);
  }
  if (update) sink.update(bundle, { displayId: displayId!, metadata });
  else sink.display(bundle, { displayId, metadata });
}

/**
 * Clears the cell's outputs; a no-op outside a kernel. The
 * cleared outputs may have carried plotly.js, so the next figure carries it again.
 */
export function clearOutput(options: { readonly wait?: boolean } = {}): void {
  const sink = currentSink();
  if (sink === undefined) return;
  sink.clear(options.wait ?? false);
  forgetPlotlyLibrary();
}
