/**
 * Which cell an output belongs to. Each execute request runs inside an AsyncLocalStorage context
 * holding its header, so output from anything the cell started — an un-awaited `show()`, a timer,
 * a promise callback — is parented to that cell's request even when it arrives while a later
 * cell runs (as ipykernel does), and never to a complete or inspect request that came meanwhile.
 * The context also collects the displays a cell started without awaiting, so the cell is not
 * reported idle while one is still being prepared.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { MessageHeader } from "../runner/protocol";

/** One cell's execution: its request header and the displays it started. */
export interface CellContext {
  readonly parent: MessageHeader;
  readonly pending: Set<Promise<unknown>>;
}

/** A failure of work the cell started without awaiting, reported once the cell is done. */
export interface PendingFailure {
  readonly error: unknown;
}

export class CellContexts {
  private readonly storage = new AsyncLocalStorage<CellContext>();
  private lastExecuted: MessageHeader | undefined;

  /** Runs `work` as the cell of `parent`; everything it starts stays parented to `parent`. */
  run<T>(parent: MessageHeader, work: () => Promise<T>): { readonly context: CellContext; readonly result: Promise<T> } {
    const context: CellContext = { parent, pending: new Set() };
    this.lastExecuted = parent;
    return { context, result: this.storage.run(context, work) };
  }

  /**
   * The request an output belongs to: the cell whose async context produced it, else the last
   * executed cell (output from code outside any cell, e.g. a module-level timer).
   */
  outputParent(): MessageHeader | undefined {
    return this.storage.getStore()?.parent ?? this.lastExecuted;
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
