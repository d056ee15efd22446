/**
 * The contract between src/display and whatever shows its output:
 * inside a kernel, the kernel layer installs a sink on `globalThis` that publishes Jupyter
 * `display_data` / `update_display_data` messages; with no sink installed (a script, a test),
 * src/display prints plain text instead. A global symbol keeps this working even when the
 * kernel and a notebook load two copies of this module.
 */

/** A Jupyter MIME bundle: MIME type → data (strings, or JSON objects for `+json` types). */
export type MimeBundle = Record<string, unknown>;

/** Options of one display message: `displayId` names an output that later updates replace. */
export interface DisplayOptions {
  readonly metadata?: Record<string, unknown>;
  readonly displayId?: string;
}

/** The execute request an output belongs to, and the notebook cell it came from when the front end says. */
export interface OutputCell {
  readonly requestId: string;
  readonly cellId?: string;
}

/** Where display output goes when a kernel is present. */
export interface DisplaySink {
  /** Publishes a new output (`display_data`). */
  display(bundle: MimeBundle, options?: DisplayOptions): void;
  /** Replaces the output shown earlier under `displayId` (`update_display_data`). */
  update(bundle: MimeBundle, options: DisplayOptions & { readonly displayId: string }): void;
  /** Clears the current cell's outputs (`clear_output`), at once or, with `wait`, at the next output. */
  clear(wait: boolean): void;
  /**
   * Told of a display being prepared (an image encoding, a figure rendering), so a kernel can
   * keep the cell busy until it is sent even when the cell does not await it.
   */
  pending?(work: Promise<unknown>): void;
  /** The request (and cell) the output being made now will be parented to. */
  outputCell?(): OutputCell | undefined;
}

const SINK_KEY = Symbol.for("lepton.display.sink");

type SinkHolder = { [SINK_KEY]?: DisplaySink };

/** The sink installed by the kernel layer, or `undefined` outside a kernel. */
export function currentSink(): DisplaySink | undefined {
  return (globalThis as SinkHolder)[SINK_KEY];
}

/** Installs (or, with `undefined`, removes) the sink; returns the one it replaced. */
export function installSink(sink: DisplaySink | undefined): DisplaySink | undefined {
  const holder = globalThis as SinkHolder;
  const previous = holder[SINK_KEY];
  if (sink === undefined) delete holder[SINK_KEY];
  else holder[SINK_KEY] = sink;
  return previous;
}

/** The symbol by which a value displays itself (as in Deno's Jupyter kernel). */
export const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");
