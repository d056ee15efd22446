/**
 * A live resource plot (Seed 000 §3.3 "实时监测" — monitoring in real time): one plotly output,
 * replaced in place (`show(figure, {displayId, update: true})`) as the monitor samples, at most
 * once per `throttleMs`, so a training cell shows CPU, memory and tensors while it runs.
 * Outside a kernel nothing is drawn until `close()`, which prints the figure's one-line summary.
 */
import { randomUUID } from "node:crypto";
import { show } from "../display";
import { currentSink } from "../display/sink";
import type { ResourceMonitor, ResourceSample } from "./monitor";
import { resourceFigure } from "./monitor-report";

/** Options of {@link liveResourcePlot}. */
export interface LiveResourcePlotOptions {
  /** The output's display id; default a fresh one. */
  readonly displayId?: string;
  /** Least time between two redraws; default 1000 ms (each redraw sends every sample). */
  readonly throttleMs?: number;
  readonly title?: string;
}

/** A live plot attached to a monitor. */
export interface LiveResourcePlot {
  readonly displayId: string;
  /** Redraws sent so far (the first display included). */
  readonly redraws: number;
  /** Detaches from the monitor and draws the final state once. */
  close(): Promise<void>;
}

/** Draws the monitor's samples live under one display id, throttled. */
export function liveResourcePlot(monitor: ResourceMonitor, options: LiveResourcePlotOptions = {}): LiveResourcePlot {
  const displayId = options.displayId ?? `lepton-resources-${randomUUID()}`;
  const throttleMs = options.throttleMs ?? 1000;
  const title = options.title ?? "Resources (live)";
  let shown = false;
  let lastDrawAt = -Infinity;
  let redraws = 0;
  let drawing: Promise<void> = Promise.resolve();

  const draw = (samples: readonly ResourceSample[]): Promise<void> => {
    const update = shown;
    shown = true;
    lastDrawAt = Date.now();
    redraws++;
    drawing = drawing.then(() => show(resourceFigure(samples, title), { displayId, update }));
    return drawing;
  };

  const detach = monitor.onSample((_, samples) => {
    if (currentSink() === undefined || Date.now() - lastDrawAt < throttleMs) return;
    void draw(samples);
  });

  return {
    displayId,
    get redraws() {
      return redraws;
    },
    async close() {
      detach();
      await drawing;
      if (monitor.samples.length > 0) await draw(monitor.samples);
    },
  };
}
