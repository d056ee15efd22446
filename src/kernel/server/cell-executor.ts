/**
 * Runs converted cells: each cell's CommonJS code runs in the kernel's
 * context with a `require` that resolves from the project root (TypeScript sources load through
 * tsx; a module edited since it was loaded is reloaded by the next cell that imports it,
 * reload.ts); top-level await and a promise-valued last expression
 * are awaited, so a rejected promise fails the cell; SIGINT interrupts both synchronous code
 * (vm's breakOnSigint) and pending awaits.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import vm from "node:vm";
import { openInterruptScope } from "../../cancellation";
import {
  isOwnPackageSpecifier,
  ownPackageRequire,
  PACKAGE_ROOT,
  type AsyncCellCompiler,
  type CellCompletion,
} from "../compiler";
import { diagnosticsError, runtimeError, type CellError } from "./cell-errors";
import { CellSourceMap } from "./source-map";
import { ModuleReloader } from "./reload";
import { rebaseRelativeSpecifiers } from "./specifiers";
import { stopTfjsFitOnInterrupt } from "./tfjs-stop";
import { LeptonError } from "../../errors";

/** What running a cell produced. */
export type CellOutcome =
  | { readonly status: "ok"; readonly hasValue: boolean; readonly value: unknown }
  | ({ readonly status: "error" } & CellError);

/** Raised into a cell's pending await when the kernel is interrupted. */
export class KernelInterrupt extends LeptonError {
  constructor() {
    super("the cell was interrupted");
  }
}

const GLOBAL_NAME = "__lepton_cell__";

interface CellGlobals {
  exports: Record<string, unknown>;
  require: NodeJS.Require;
}

/** Keeps the state cells share (declarations, exported locals) and runs them one at a time. */
export class CellExecutor {
  private prevDecl = "";
  /** The sources of the cells whose declarations were kept, for the definitions `name??` shows. */
  private readonly declaringCells: string[] = [];
  private readonly locals: Record<string, unknown> = {};
  private rejectPending: ((error: Error) => void) | undefined;
  private interruptScope: AbortController | undefined;
  private readonly cellRequire: NodeJS.Require;
  /** Created first, so the modules the kernel loaded itself are never reloaded. */
  private readonly reloader: ModuleReloader;

  constructor(
    private readonly compiler: AsyncCellCompiler,
    private readonly projectRoot: string,
  ) {
    this.reloader = new ModuleReloader([projectRoot, PACKAGE_ROOT]);
    const base = createRequire(join(projectRoot, "__cell__.js"));
    const reloader = this.reloader;
    const own = ownPackageRequire();
    // After each import a cell makes: once tfjs-layers is loaded, its fit obeys interrupts too.
    this.cellRequire = Object.assign((id: string): unknown => {
      const loaded: unknown = isOwnPackageSpecifier(id) ? own(id) : base(id);
      reloader.noteLoaded();
      stopTfjsFitOnInterrupt(base);
      return loaded;
    }, base);
    (globalThis as unknown as Record<string, CellGlobals>)[GLOBAL_NAME] = {
      exports: this.exportsProxy(),
      require: this.cellRequire,
    };
  }

  /** tslab turns named imports into defineProperty calls; keep them rewritable like variables. */
  private exportsProxy(): Record<string, unknown> {
    const locals = this.locals;
    return new Proxy(locals, {
      defineProperty(_target, key, attributes) {
        if (key === "__esModule") return true;
        locals[key as string] = attributes.get ? attributes.get() : attributes.value;
        return true;
      },
    });
  }

  /**
   * Interrupts the running cell: a pending await fails at once (synchronous code is stopped by
   * SIGINT itself), and the loops the cell started — the library's training loops, tfjs's fit —
   * stop at their next batch.
   */
  interrupt(): void {
    this.interruptScope?.abort(new KernelInterrupt());
    this.rejectPending?.(new KernelInterrupt());
  }

  /** The cell as the converter sees it: relative imports rebased from the notebook's folder to the project root. */
  private rebase(source: string): string {
    return rebaseRelativeSpecifiers(source, process.cwd(), this.projectRoot);
  }

  /** Completions at `cursor` (a UTF-16 offset into `source`), with positions in `source`. */
  async complete(source: string, cursor: number): Promise<CellCompletion> {
    const shift = this.rebase(source.slice(0, cursor)).length - cursor;
    const completion = await this.compiler.complete(this.prevDecl, this.rebase(source), cursor + shift);
    return { ...completion, start: completion.start - shift, end: completion.end - shift };
  }

  /** Quick info (signature and documentation) at `cursor`, if any; at `detailLevel` 1 also the definition's source. */
  inspect(source: string, cursor: number, detailLevel = 0): Promise<string | undefined> {
    const shift = this.rebase(source.slice(0, cursor)).length - cursor;
    return this.compiler.inspect(this.prevDecl, this.rebase(source), cursor + shift, detailLevel, this.declaringCells);
  }

  /** Compiles and runs a cell; `count` names it in tracebacks (`cell[count]`). */
  async run(source: string, count: number): Promise<CellOutcome> {
    this.interruptScope = openInterruptScope();
    this.reloader.dropStale();
    const converted = await this.compiler.convert(this.prevDecl, this.rebase(source));
    if (converted.diagnostics.length > 0) return { status: "error", ...diagnosticsError(converted.diagnostics, count) };
    if (converted.output === undefined || converted.output.trim() === "") {
      this.keepDeclarations(converted.declOutput ?? "", source);
      return { status: "ok", hasValue: false, value: undefined };
    }
    const cellFile = `lepton-cell-${count}.js`;
    const map = new CellSourceMap(converted.output, converted.commonJsMap);
    const prefix = converted.hasToplevelAwait
      ? "(async function (exports, require) { "
      : "(function (exports, require) { ";
    const wrapped = `${prefix}${converted.output}\n})(${GLOBAL_NAME}.exports, ${GLOBAL_NAME}.require)`;
    try {
      const returned: unknown = vm.runInThisContext(wrapped, { filename: cellFile, breakOnSigint: true });
      if (converted.hasToplevelAwait) await this.awaitInterruptibly(returned);
      this.keepDeclarations(converted.declOutput ?? "", source);
      const name = converted.lastExpressionVar;
      if (name === undefined || !(name in this.locals)) return { status: "ok", hasValue: false, value: undefined };
      let value = this.locals[name];
      delete this.locals[name];
      if (isThenable(value)) value = await this.awaitInterruptibly(value);
      return { status: "ok", hasValue: value !== undefined, value };
    } catch (thrown) {
      // As in IPython, what the cell defined before it failed stays defined for later cells.
      if (converted.declOutput !== undefined) this.keepDeclarations(converted.declOutput, source);
      return {
        status: "error",
        ...runtimeError(thrown, { count, file: cellFile, map, lineCount: source.split("\n").length }),
      };
    }
  }

  private keepDeclarations(declarations: string, source: string): void {
    this.prevDecl = declarations;
    this.declaringCells.push(source);
  }

  private async awaitInterruptibly(value: unknown): Promise<unknown> {
    const interrupted = new Promise<never>((_, reject) => {
      this.rejectPending = reject;
    });
    try {
      return await Promise.race([value, interrupted]);
    } finally {
      this.rejectPending = undefined;
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}
