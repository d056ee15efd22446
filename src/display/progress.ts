/**
 * A progress bar (Seed 000 §5.2.3 watching training):
 * inside a kernel one output, updated in place (`update_display_data` under one display id, at
 * most every `intervalMs`); outside one a plain line at each tenth of the way and at the end, so
 * a script's or a test's log stays short.
 */
import { randomUUID } from "node:crypto";
import { escapeHtml } from "./escape";
import { currentSink, type MimeBundle } from "./sink";
import { LeptonError } from "../errors";

/** A running progress bar. */
export interface ProgressBar {
  /** Sets the number of steps done (0…total), with optional text such as "loss 0.31". */
  update(done: number, extra?: string): void;
  /** Completes the bar and shows its final state (once; later calls do nothing). */
  done(extra?: string): void;
}

/** Options of a progress bar. */
export interface ProgressOptions {
  readonly total: number;
  readonly label?: string;
  /** Least time between two in-place updates inside a kernel; default 100 ms. */
  readonly intervalMs?: number;
}

/** Raised for a progress bar whose total is not a non-negative finite number. */
export class ProgressOptionsError extends LeptonError {}

const BAR_WIDTH = 30;

interface ProgressState {
  readonly label: string;
  readonly done: number;
  readonly total: number;
  readonly extra: string;
  readonly elapsedMs: number;
}

function progressText(state: ProgressState): string {
  const fraction = state.total > 0 ? Math.min(1, Math.max(0, state.done / state.total)) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const seconds = (state.elapsedMs / 1000).toFixed(1);
  return `${state.label} [${"█".repeat(filled)}${"·".repeat(BAR_WIDTH - filled)}] ${state.done}/${state.total} ${seconds}s${state.extra ? ` ${state.extra}` : ""}`;
}

function progressBundle(state: ProgressState): MimeBundle {
  const seconds = (state.elapsedMs / 1000).toFixed(1);
  const html =
    `<div class="lepton-progress" style="font-family:monospace">${escapeHtml(state.label)} ` +
    `<progress value="${Math.min(state.done, state.total)}" max="${state.total}" style="width:240px;vertical-align:middle"></progress> ` +
    `${state.done}/${state.total} · ${seconds}s${state.extra ? ` · ${escapeHtml(state.extra)}` : ""}</div>`;
  return { "text/html": html, "text/plain": progressText(state) };
}

/** Starts a progress bar of `total` steps. */
export function progressBar(options: ProgressOptions): ProgressBar {
  const { total } = options;
  if (!Number.isFinite(total) || total < 0)
    throw new ProgressOptionsError(`progressBar total must be a finite number ≥ 0; got ${total}`);
  const label = options.label ?? "progress";
  const intervalMs = options.intervalMs ?? 100;
  const started = Date.now();
  const sink = currentSink();
  const displayId = `lepton-progress-${randomUUID()}`;
  let finished = false;
  let lastShownAt = started;
  let lastTenth = -1;
  const state = (done: number, extra: string): ProgressState => ({
    label,
    done,
    total,
    extra,
    elapsedMs: Date.now() - started,
  });

  if (sink !== undefined) sink.display(progressBundle(state(0, "")), { displayId });

  let lastPrinted: { done: number; extra: string } | undefined;
  const show = (done: number, extra: string, final: boolean) => {
    if (sink !== undefined) {
      const now = Date.now();
      if (!final && now - lastShownAt < intervalMs) return;
      lastShownAt = now;
      sink.update(progressBundle(state(done, extra)), { displayId });
      return;
    }
    const tenth = total > 0 ? Math.floor((10 * Math.min(Math.max(done, 0), total)) / total) : 10;
    if (!final && tenth === lastTenth) return;
    if (final && lastPrinted?.done === done && lastPrinted.extra === extra) return;
    lastTenth = tenth;
    lastPrinted = { done, extra };
    console.log(progressText(state(done, extra)));
  };

  let lastExtra = "";
  return {
    update(done, extra = "") {
      if (finished) return;
      lastExtra = extra;
      show(done, extra, false);
    },
    done(extra) {
      if (finished) return;
      finished = true;
      show(total, extra ?? lastExtra, true);
    },
  };
}
