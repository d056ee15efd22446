/**
 * `show(x)` (DESIGN.md "src/display: show()"): displays any value through the kernel when one is
 * present, and prints its plain text otherwise — so the same code runs in a notebook, a script
 * and a test.
 */
import { inspect } from "node:util";
import { toMimeBundle } from "./bundle";
import { currentSink, type MimeBundle } from "./sink";

/** The bundle `show` would display for `value`. */
export async function bundleFor(value: unknown): Promise<MimeBundle> {
  return (await toMimeBundle(value)) ?? { "text/plain": typeof value === "string" ? value : inspect(value, { depth: 4 }) };
}

/** Displays a value: plotly figures, images, tables, tensors, markdown — or its text. */
export async function show(value: unknown): Promise<void> {
  const bundle = await bundleFor(value);
  const sink = currentSink();
  if (sink === undefined) console.log(String(bundle["text/plain"]));
  else sink.display(bundle);
}

/** Clears the cell's outputs (inside a kernel; a no-op elsewhere), e.g. to redraw a live plot. */
export function clearOutput(options: { wait?: boolean } = {}): void {
  currentSink()?.clear(options.wait ?? false);
}
