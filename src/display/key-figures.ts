/**
 * Key figures a notebook reports for the workbook's summary table (README "npm run workbook"):
 * shown as a small table to the reader, and carried in a JSON MIME type the headless runner reads
 * back from the executed notebook.
 */
import { currentSink, type MimeBundle } from "./sink";

/** The MIME type under which key figures travel in a notebook output. */
export const KERNEL_FIGURES_MIME = "application/vnd.lepton.figures+json";

/** A figure's value: a number (shown with 4 significant digits) or a short text. */
export type KeyFigure = string | number;

/** A figure as text: a fraction with 4 significant digits, anything else as it is. */
export function formatFigure(value: KeyFigure): string {
  return typeof value === "number" && !Number.isInteger(value) ? value.toPrecision(4) : String(value);
}

/** The bundle for a set of key figures: text/plain, text/markdown and the runner's JSON. */
function keyFiguresBundle(figures: Readonly<Record<string, KeyFigure>>): MimeBundle {
  const entries = Object.entries(figures);
  const plain = entries.map(([name, value]) => `${name}: ${formatFigure(value)}`).join("\n");
  const markdown = [
    "| figure | value |",
    "|---|---|",
    ...entries.map(([n, v]) => `| ${n} | ${formatFigure(v)} |`),
  ].join("\n");
  return { "text/plain": plain, "text/markdown": markdown, [KERNEL_FIGURES_MIME]: { ...figures } };
}

/** Reports key figures: displayed in a kernel, printed elsewhere. */
export function keyFigures(figures: Readonly<Record<string, KeyFigure>>): void {
  const bundle = keyFiguresBundle(figures);
  const sink = currentSink();
  if (sink === undefined) console.log(bundle["text/plain"]);
  else sink.display(bundle);
}
