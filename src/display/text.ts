/**
 * Markdown and HTML wrappers: text a notebook shows rendered, with a
 * plain-text fallback for scripts, tests and text-only front ends.
 */
import { displayable, type Displayable } from "./displayable";

/** Markdown rendered by the front end (`text/markdown`), its source as `text/plain`. */
export function markdown(text: string): Displayable {
  return displayable(() => ({ "text/markdown": text, "text/plain": text }), text);
}

/**
 * Raw HTML: the caller's own markup, shown as is (escape user data with
 * `escapeHtml` first), with `plain` as the text fallback.
 */
export function html(markup: string, plain = "[HTML]"): Displayable {
  return displayable(() => ({ "text/html": markup, "text/plain": plain }), plain);
}
