/**
 * A stop request for long loops. The kernel opens a scope for each cell it runs and aborts it on
 * an interrupt; the library's loops read the scope that was current when they started and stop at
 * the next batch, leaving their state (weights, history, checkpoints) whole. Nothing here knows
 * about Jupyter: a script can abort a scope too, and loops also take an explicit AbortSignal.
 */

const SCOPE_KEY = Symbol.for("lepton.interrupt.scope");

type ScopeHolder = { [SCOPE_KEY]?: AbortController };

/** Starts a new interrupt scope (the kernel: one per cell) and returns its controller. */
export function openInterruptScope(): AbortController {
  const controller = new AbortController();
  // On globalThis so the kernel and a notebook's own copy of this module share one scope.
  (globalThis as ScopeHolder)[SCOPE_KEY] = controller;
  return controller;
}

/** The current scope's signal, or undefined outside any scope (a script, a test). */
export function currentInterruptSignal(): AbortSignal | undefined {
  return (globalThis as ScopeHolder)[SCOPE_KEY]?.signal;
}

/** The signals a loop starting now must obey: its own, if given, and the current scope's. */
export function stopSignals(own?: AbortSignal): AbortSignal[] {
  return [own, currentInterruptSignal()].filter((signal): signal is AbortSignal => signal !== undefined);
}

/** Why a loop stopped, when one of `signals` was aborted; undefined while none is. */
export function stopReason(signals: readonly AbortSignal[]): string | undefined {
  const aborted = signals.find((signal) => signal.aborted);
  if (aborted === undefined) return undefined;
  const reason: unknown = aborted.reason;
  return reason instanceof Error ? reason.message : typeof reason === "string" ? reason : "stopped";
}

/** Where a loop stopped on a signal or an interrupt, and why: 0-based epoch (or pass) and batch (or step). */
export interface StopPoint {
  readonly epoch: number;
  readonly batch: number;
  readonly reason: string;
}
