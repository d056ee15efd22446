/**
 * Which cell an output belongs to. Each execute request runs inside an AsyncLocalStorage context
 * holding its header, so output from anything the cell started — an un-awaited `show()`, a timer,
 * a promise callback — is parented to that cell's request even when it arrives while a later
 * cell runs (as ipykernel does), and never to a complete or inspect request that came meanwhile.
 * The context also collects the displays a cell started without awaiting, so the cell is not
 * reported idle while one is still being prepared.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { MessageHeader } from "../../jupyter";

/** One cell's execution: its request header, the displays and the timers it started. */
export interface CellContext {
  readonly parent: MessageHeader;
  /** The notebook cell's id, when the front end sends it in the request's metadata (`cellId`). */
  readonly cellId?: string;
  readonly pending: Set<Promise<unknown>>;
  readonly timers: Set<NodeJS.Timeout>;
}

/** A failure of work the cell started without awaiting, reported once the cell is done. */
export interface PendingFailure {
  readonly error: unknown;
}

const CONTEXTS_KEY = Symbol.for("lepton.kernel.cell-contexts");

/**
 * The request header outputs are parented to now (see {@link CellContexts.outputParent}), for
 * cell-side code such as the Output widget; undefined outside a kernel.
 */
export function currentOutputParent(): MessageHeader | undefined {
  return (globalThis as { [CONTEXTS_KEY]?: CellContexts })[CONTEXTS_KEY]?.outputParent();
}

export class CellContexts {
  private readonly storage = new AsyncLocalStorage<CellContext>();
  private lastExecuted: CellContext | undefined;
  private running: CellContext | undefined;

  /** Makes these contexts the ones {@link currentOutputParent} reads. */
  install(): this {
    (globalThis as { [CONTEXTS_KEY]?: CellContexts })[CONTEXTS_KEY] = this;
    return this;
  }

  /** Runs `work` as the cell of `parent`; everything it starts stays parented to `parent`. */
  run<T>(
    parent: MessageHeader,
    work: () => Promise<T>,
    cellId?: string,
  ): { readonly context: CellContext; readonly result: Promise<T> } {
    const context: CellContext = {
      parent,
      ...(cellId === undefined ? {} : { cellId }),
      pending: new Set(),
      timers: new Set(),
    };
    this.lastExecuted = context;
    this.running = context;
    return { context, result: this.storage.run(context, work) };
  }

  /**
   * Runs `work` (a comm message's handler) with its outputs parented to `parent`, as ipykernel
   * does, without making it the running cell.
   */
  within<T>(parent: MessageHeader, work: () => T): T {
    return this.storage.run({ parent, pending: new Set(), timers: new Set() }, work);
  }

  /**
   * Records the timeouts and intervals code starts inside a cell, so an interrupt can clear them:
   * an awaiting loop (`await sleep(…)` in a loop) then never resumes.
   */
  trackTimers(): void {
    const {
      setTimeout: originalTimeout,
      setInterval: originalInterval,
      clearTimeout: originalClear,
      clearInterval: originalClearInterval,
    } = globalThis;
    const storage = this.storage;
    const track = <A extends unknown[]>(
      start: (callback: (...args: A) => void, ms?: number, ...args: A) => NodeJS.Timeout,
      once: boolean,
    ) =>
      ((callback: (...args: A) => void, ms?: number, ...args: A) => {
        const context = storage.getStore();
        if (context === undefined) return start(callback, ms, ...args);
        const timer: NodeJS.Timeout = start(
          (...callArgs: A) => {
            if (once) context.timers.delete(timer);
            callback(...callArgs);
          },
          ms,
          ...args,
        );
        context.timers.add(timer);
        return timer;
      }) as typeof setTimeout;
    const untrack = (clear: (timer: NodeJS.Timeout | undefined) => void) => (timer: NodeJS.Timeout | undefined) => {
      if (timer !== undefined) storage.getStore()?.timers.delete(timer);
      clear(timer);
    };
    globalThis.setTimeout = Object.assign(track(originalTimeout as never, true), originalTimeout);
    globalThis.setInterval = Object.assign(track(originalInterval as never, false), originalInterval);
    globalThis.clearTimeout = untrack(originalClear as never) as typeof clearTimeout;
    globalThis.clearInterval = untrack(originalClearInterval as never) as typeof clearInterval;
  }

  /** Clears every timer the running (or last) cell started; returns how many. */
  clearTimersOfRunningCell(): number {
    const context = this.running;
    if (context === undefined) return 0;
    const count = context.timers.size;
    for (const timer of context.timers) clearTimeout(timer);
    context.timers.clear();
    return count;
  }

  /**
   * The request an output belongs to: the cell whose async context produced it, else the last
   * executed cell (output from code outside any cell, e.g. a module-level timer).
   */
  outputParent(): MessageHeader | undefined {
    return (this.storage.getStore() ?? this.lastExecuted)?.parent;
  }

  /** The request id and cell id of {@link outputParent}. */
  outputCell(): { readonly requestId: string; readonly cellId?: string } | undefined {
    const context = this.storage.getStore() ?? this.lastExecuted;
    return context === undefined
      ? undefined
      : { requestId: context.parent.msg_id, ...(context.cellId === undefined ? {} : { cellId: context.cellId }) };
  }

  /**
   * Records a display the current cell started. Attaching the handlers marks the promise as
   * handled, so an un-awaited display that fails is reported with its cell, not as an
   * unhandled rejection.
   */
  track(work: Promise<unknown>): void {
    const context = this.storage.getStore();
    if (context === undefined) return;
    const settled = work.then(
      () => undefined,
      (error: unknown): PendingFailure => ({ error }),
    );
    context.pending.add(settled);
    void settled.finally(() => context.pending.delete(settled));
  }

  /** Waits for the displays `context`'s cell started (and any they start); returns their failures. */
  async settle(context: CellContext): Promise<PendingFailure[]> {
    const failures: PendingFailure[] = [];
    while (context.pending.size > 0) {
      for (const outcome of await Promise.all([...context.pending])) {
        if (outcome !== undefined) failures.push(outcome as PendingFailure);
      }
    }
    return failures;
  }
}
