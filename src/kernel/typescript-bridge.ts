/**
 * The kernel's TypeScript front end (DESIGN.md "src/kernel"): tslab 1.0.22's cell converter
 * (declarations carried from cell to cell, the last expression captured, top-level await
 * detected) with three things tslab hardcodes changed from outside, without editing tslab:
 *
 * - strict type checking, taken from the project's tsconfig.json (tslab: strict off);
 * - inline source maps on the cell's emit, and the map of tslab's ES-module → CommonJS step
 *   captured, so runtime errors point at the cell's own TypeScript lines;
 * - the converter is rooted at the project root instead of the notebook's folder, so
 *   `import … from "../src/x"` in notebooks/ is inside `rootDir` (tslab issue #63);
 * - no file or directory watchers on real files: tslab's watch host throws "Unexpected pending
 *   rebuildTimer" from a watcher callback (killing the kernel) when files change under the
 *   project while a kernel runs — tests writing fixtures, an editor saving src/. Edits to src/
 *   are seen after a kernel restart, as tsx's module cache does anyway.
 *
 * Route chosen: tslab's converter reads the TypeScript module through a binding object, so handing
 * it a Proxy of `@tslab/typescript-for-tslab` (put in require's cache before the converter loads)
 * changes its compiler options and observes `transpileModule`, while the converter itself stays
 * tslab's, pinned at 1.0.22. A fork of converter.js (960 lines) would be ours to maintain; this is
 * ~100 lines and fails loudly (at kernel start) if tslab's internals change.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** A TypeScript diagnostic as tslab reports it (0-based line and character). */
export interface CellDiagnostic {
  readonly start: { readonly line: number; readonly character: number };
  readonly messageText: string;
  readonly code: number;
  readonly category: number;
  /** Set when the diagnostic is in an imported file (path relative to the project root). */
  readonly fileName?: string;
}

/** A cell converted to CommonJS, with the maps back to its TypeScript. */
export interface ConvertedCell {
  readonly diagnostics: readonly CellDiagnostic[];
  readonly output?: string;
  readonly declOutput?: string;
  readonly lastExpressionVar?: string;
  readonly hasToplevelAwait?: boolean;
  /** Source map of the CommonJS step (output → the ES module emitted from the cell). */
  readonly commonJsMap?: string;
}

/** Completion candidates for a cursor position. */
export interface CellCompletion {
  readonly start: number;
  readonly end: number;
  readonly candidates: readonly string[];
}

/** What the kernel needs from the converter. */
export interface CellCompiler {
  /** The TypeScript version that really compiles cells. */
  readonly typescriptVersion: string;
  convert(prevDecl: string, source: string): ConvertedCell;
  complete(prevDecl: string, source: string, position: number): CellCompletion;
  /** Quick info text at a position, or undefined when there is none. */
  inspect(prevDecl: string, source: string, position: number): string | undefined;
  close(): void;
}

interface TslabConverter {
  convert(prevDecl: string, src: string): Omit<ConvertedCell, "commonJsMap">;
  complete(prevDecl: string, src: string, position: number): CellCompletion;
  inspect(prevDecl: string, src: string, position: number): { displayParts?: { text: string }[]; documentation?: { text: string }[] } | undefined;
  close(): void;
}

type CompilerOptions = Record<string, unknown>;
type TypeScriptModule = Record<string | symbol, unknown> & { version: string };

/** The checking options of tsconfig.json that make sense for cells (unused-variable checks do not: every cell's locals look unused). */
const CELL_CHECKS = [
  "strict",
  "noImplicitAny",
  "strictNullChecks",
  "strictFunctionTypes",
  "strictBindCallApply",
  "strictPropertyInitialization",
  "noImplicitThis",
  "useUnknownInCatchVariables",
  "alwaysStrict",
  "noImplicitReturns",
  "noFallthroughCasesInSwitch",
  "noImplicitOverride",
] as const;

/** Reads the cell checking options from the project's tsconfig.json (strict by default when absent). */
export function cellCheckOptions(projectRoot: string): CompilerOptions {
  let compilerOptions: CompilerOptions = {};
  try {
    const text = readFileSync(join(projectRoot, "tsconfig.json"), "utf8");
    compilerOptions = ((JSON.parse(text) as { compilerOptions?: CompilerOptions }).compilerOptions ?? {});
  } catch {
    compilerOptions = {};
  }
  const options: CompilerOptions = { strict: true };
  for (const key of CELL_CHECKS) if (typeof compilerOptions[key] === "boolean") options[key] = compilerOptions[key];
  return options;
}

/** Raised when tslab's converter cannot be set up (e.g. its internals changed). */
export class KernelSetupError extends Error {
  override name = "KernelSetupError";
}

/**
 * Creates the cell compiler rooted at `projectRoot`, with tslab and its TypeScript resolved from
 * `modulesRoot` (the kernel's own checkout). Synchronous and slow (~2 s: TypeScript
 * builds its first program), so the kernel calls it after answering kernel_info.
 */
export function createCellCompiler(projectRoot: string, modulesRoot: string = projectRoot): CellCompiler {
  const tsPath = require.resolve("@tslab/typescript-for-tslab", { paths: [modulesRoot] });
  const converterPath = require.resolve("tslab/dist/converter.js", { paths: [modulesRoot] });
  const real = require(tsPath) as TypeScriptModule;
  const checks = cellCheckOptions(projectRoot);
  const unwatched = { close: () => undefined };
  const unwatchedSys = new Proxy(real.sys as Record<string | symbol, unknown>, {
    get: (target, key) => (key === "watchFile" || key === "watchDirectory" ? () => unwatched : target[key]),
  });
  let lastCommonJsMap: string | undefined;
  const patched = new Proxy(real, {
    get(target, key) {
      if (key === "createWatchCompilerHost") {
        const create = target.createWatchCompilerHost as (files: string[], options: CompilerOptions, ...rest: unknown[]) => unknown;
        return (files: string[], options: CompilerOptions, ...rest: unknown[]) =>
          create(files, { ...options, ...checks, inlineSourceMap: true, inlineSources: false }, ...rest);
      }
      if (key === "sys") return unwatchedSys;
      if (key === "transpileModule") {
        const transpile = target.transpileModule as (src: string, o: { compilerOptions?: CompilerOptions }) => { outputText: string; sourceMapText?: string };
        return (src: string, o: { compilerOptions?: CompilerOptions }) => {
          const result = transpile(src, { ...o, compilerOptions: { ...o.compilerOptions, sourceMap: true } });
          lastCommonJsMap = result.sourceMapText;
          return result;
        };
      }
      return target[key];
    },
  });
  const cached = require.cache[tsPath];
  if (cached === undefined) throw new KernelSetupError(`cannot patch ${tsPath}: not in require's cache`);
  cached.exports = patched;
  const previousCwd = process.cwd();
  let converter: TslabConverter;
  try {
    process.chdir(projectRoot);
    const { createConverter } = require(converterPath) as { createConverter(o: { isJS: boolean; isBrowser: boolean }): TslabConverter };
    converter = createConverter({ isJS: false, isBrowser: false });
  } catch (error) {
    throw new KernelSetupError(`tslab's converter failed to start in ${projectRoot}: ${(error as Error).message}`);
  } finally {
    process.chdir(previousCwd);
  }
  return {
    typescriptVersion: real.version,
    convert(prevDecl, source) {
      lastCommonJsMap = undefined;
      const result = converter.convert(prevDecl, source);
      return { ...result, commonJsMap: lastCommonJsMap };
    },
    complete: (prevDecl, source, position) => converter.complete(prevDecl, source, position),
    inspect(prevDecl, source, position) {
      const info = converter.inspect(prevDecl, source, position);
      if (info === undefined) return undefined;
      const signature = (info.displayParts ?? []).map((p) => p.text).join("");
      const docs = (info.documentation ?? []).map((p) => p.text).join("");
      const text = [signature, docs].filter((t) => t !== "").join("\n\n");
      return text === "" ? undefined : text;
    },
    close: () => converter.close(),
  };
}
