/**
 * A progress bar (DESIGN.md "src/display: progress bars"; Seed 000 §5.2.3 training progress):
 * inside a kernel one output updated in place (update_display_data under a display id, at most
 * every 100 ms); outside one a plain line at each tenth of the way, so logs stay short.
 */
import { randomUUID } from "node:crypto";
import { escapeHtml } from "./displayable";
import { currentSink, type MimeBundle } from "./sink";

/** A running progress bar. */
export interface ProgressBar {
  /** Sets the number of steps done, with optional text (e.g. "loss 0.31"). */
  update(done: number, extra?: string): void;
  /** Marks the bar complete and shows its final state. */
  finish(extra?: string): void;
}

/** Options of a progress bar. */
export interface ProgressOptions {
  readonly total: number;
  readonly label?: string;
}

const UPDATE_INTERVAL_MS = 100;
const WIDTH = 30;

function bundle(label: string, done: number, total: number, extra: string, elapsedMs: number): MimeBundle {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * WIDTH);
  const seconds = (elapsedMs / 1000).toFixed(1);
  const plain = `${label} [${"█".repeat(filled)}${"·".repeat(WIDTH - filled)}] ${done}/${total} ${seconds}s${extra ? ` ${extra}` : ""}`;
  const html =
    `<div style="font-family:monospace">${escapeHtml(label)} <progress value="${done}" max="${total}" style="width:240px"></progress> ` +
    `${done}/${total} · ${seconds}s${extra ? ` · ${escapeHtml(extra)}` : ""}</div>`;
  return { "text/plain": plain, "text/html": html };
}

/** Starts a progress bar of `total` steps. */
export function progressBar(options: ProgressOptions): ProgressBar {
  const { total } = options;
  const label = options.label ?? "progress";
  const started = Date.now();
  const sink = currentSink();
  const displayId = `lepton-progress-${randomUUID()}`;
  let lastUpdate = 0;
  let lastTenth = -1;
  let last = { done: 0, extra: "" };
  if (sink !== undefined) sink.display(bundle(label, 0, total, "", 0), { displayId });
  const render = (force: boolean) => {
    const now = Date.now();
    if (sink !== undefined) {
      if (!force && now - lastUpdate < UPDATE_INTERVAL_MS) return;
      lastUpdate = now;
      sink.update(bundle(label, last.done, total, last.extra, now - started), { displayId });
      return;
    }
    const tenth = total > 0 ? Math.floor((10 * last.done) / total) : 10;
    if (!force && tenth === lastTenth) return;
    lastTenth = tenth;
    console.log(bundle(label, last.done, total, last.extra, now - started)["text/plain"]);
  };
  return {
    update(done, extra = "") {
      last = { done, extra };
      render(false);
    },
    finish(extra) {
      last = { done: total, extra: extra ?? last.extra };
      render(true);
    },
  };
}
