/**
 * Markdown and HTML wrappers: text a notebook shows rendered, with a
 * plain-text fallback for scripts, tests and text-only front ends.
 */
import { marked } from "marked";
import { displayable, type Displayable } from "./displayable";
import { escapeHtml } from "./escape";

const MATH = /\$\$[\s\S]+?\$\$|\$[^$\n]+?\$/g;

/**
 * Markdown as HTML, with `$…$` and `$$…$$` kept verbatim for the page's MathJax (markdown would
 * read their `_` and `*` as emphasis).
 */
export function markdownToHtml(text: string): string {
  const spans: string[] = [];
  const shielded = text.replace(MATH, (span) => `\u0000${spans.push(span) - 1}\u0000`);
  const rendered = marked.parse(shielded, { async: false, gfm: true });
  return rendered.replace(/\u0000(\d+)\u0000/g, (_, index: string) => escapeHtml(spans[Number(index)]!));
}

/**
 * Markdown: `text/markdown` for front ends that render it, the same rendered to `text/html` for
 * those that drop markdown from an untrusted notebook (the classic Notebook shows only plain text,
 * images and sanitised HTML there), and the source as `text/plain`.
 */
export function markdown(text: string): Displayable {
  return displayable(() => ({ "text/markdown": text, "text/html": markdownToHtml(text), "text/plain": text }), text);
}

/**
 * Raw HTML: the caller's own markup, shown as is (escape user data with
 * `escapeHtml` first), with `plain` as the text fallback.
 */
export function html(markup: string, plain = "[HTML]"): Displayable {
  return displayable(() => ({ "text/html": markup, "text/plain": plain }), plain);
}
