/**
 * Values that display themselves (DESIGN.md "src/display"): anything with a
 * `[Symbol.for("Jupyter.display")]()` method returning a MIME bundle, as Deno's kernel defines
 * it. Every rich object of src/display is one, so a cell's last value renders by itself.
 */
import { JUPYTER_DISPLAY, type MimeBundle } from "./sink";

/** An object that renders itself as a MIME bundle (sync or async). */
export interface Displayable {
  [JUPYTER_DISPLAY](): MimeBundle | Promise<MimeBundle>;
}

/** Whether `value` displays itself. */
export function isDisplayable(value: unknown): value is Displayable {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as Partial<Displayable>)[JUPYTER_DISPLAY] === "function"
  );
}

/** Wraps a bundle maker as a displayable object with a readable `toString`. */
export function displayable(render: () => MimeBundle | Promise<MimeBundle>, plain: string): Displayable {
  return { [JUPYTER_DISPLAY]: render, toString: () => plain } as Displayable;
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Markdown shown as rendered text (Jupyter `text/markdown`), with the source as plain text. */
export function markdown(text: string): Displayable {
  return displayable(() => ({ "text/markdown": text, "text/plain": text }), text);
}

/** Raw HTML (trusted: the caller's own markup) with a plain-text fallback. */
export function html(markup: string, plain = "[HTML]"): Displayable {
  return displayable(() => ({ "text/html": markup, "text/plain": plain }), plain);
}
