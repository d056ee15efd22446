/**
 * Values that display themselves: anything
 * with a `[Symbol.for("Jupyter.display")]()` method returning a MIME bundle, sync or async, as
 * Deno's Jupyter kernel defines it. Every rich object of src/display is one, so a cell's last
 * value renders by itself and `show(x)` works on it.
 */
import { inspect } from "node:util";
import { JUPYTER_DISPLAY, type MimeBundle } from "./sink";

/** An object that renders itself as a MIME bundle, sync or async. */
export interface Displayable {
  [JUPYTER_DISPLAY](): MimeBundle | Promise<MimeBundle>;
}

/** Whether `value` displays itself through `[Symbol.for("Jupyter.display")]`. */
export function isDisplayable(value: unknown): value is Displayable {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as Partial<Displayable>)[JUPYTER_DISPLAY] === "function"
  );
}

/**
 * Wraps a bundle maker as a displayable whose `toString()` and `util.inspect` (console.log) give
 * `plain`, so it also reads well in a script.
 */
export function displayable(render: () => MimeBundle | Promise<MimeBundle>, plain: string): Displayable {
  return {
    [JUPYTER_DISPLAY]: render,
    toString: () => plain,
    [inspect.custom]: () => plain,
  } as Displayable;
}
