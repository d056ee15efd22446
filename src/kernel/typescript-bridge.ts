/**
 * The kernel's TypeScript front end: tslab 1.0.22's cell converter
 * (declarations carried from cell to cell, the last expression captured, top-level await
 * detected) with what tslab hardcodes changed from outside, without editing tslab:
 *
 * - strict type checking, taken from the project's tsconfig.json (tslab: strict off);
 * - inline source maps on the cell's emit, and the map of tslab's ES-module → CommonJS step
 *   captured, so runtime errors point at the cell's own TypeScript lines;
 * - the converter is rooted at the project root instead of the notebook's folder, so
 *   `import … from "../src/x"` in notebooks/ is inside `rootDir`;
 * - no file or directory watchers on real files: tslab's watch host throws "Unexpected pending
 *   rebuildTimer" from a watcher callback (killing the kernel) when files change under the
 *   project while a kernel runs — tests writing fixtures, an editor saving src/. Edits to src/
 *   are seen after a kernel restart, as tsx's module cache does anyway;
 * - shorthand properties naming an earlier cell's variable are written out before conversion
 *   (shorthand.ts), which tslab's rewriting to `exports.name` misses;
 * - TypeScript itself is loaded through a V8 code cache (typescript-loader.ts).
 *
 * Route chosen: tslab's converter reads the TypeScript module through a binding object, so handing
 * it a Proxy of `@tslab/typescript-for-tslab` (put in require's cache before the converter loads)
 * changes its compiler options and observes `transpileModule`, while the converter itself stays
 * tslab's, pinned at 1.0.22. A fork of converter.js (960 lines) would be ours to maintain; this is
 * ~100 lines and fails loudly (at kernel start) if tslab's internals change.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { completeness, type Completeness, type TypeScriptParser } from "./completeness";
import { expandShorthandProperties, type ShorthandParser } from "./shorthand";
import { loadTypeScript } from "./typescript-loader";

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
  /** Jupyter's is_complete verdict for a cell. */
  isComplete(source: string): Completeness;
  /** Saves the V8 code cache of the compiler (typescript-loader.ts); returns its file, if written. */
  saveCodeCache(): string | undefined;
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

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/**
 * Reads the cell options from the project's tsconfig.json: its checking flags, its `types` (which @types packages are global) and its `lib`;
 * strict by default when there is no tsconfig.json.
 */
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
  const types = compilerOptions.types;
  if (isStringList(types)) options.types = types;
  // The library's own files are checked with the lib they are written against (e.g. DOM's Blob).
  const lib = compilerOptions.lib;
  if (isStringList(lib)) options.lib = lib.map((name) => `lib.${name.toLowerCase()}.d.ts`);
  return options;
}

interface DiagnosticLike {
  readonly messageText: unknown;
}

/**
 * A diagnostic with its message chain flattened into one text: tslab drops the file name of
 * chained messages ("Type A is not assignable to B.\n  Types of property…"), so an error in an
 * imported file was reported at the cell's line.
 */
function flattenDiagnostic<D extends DiagnosticLike>(ts: TypeScriptModule, diagnostic: D): D {
  if (typeof diagnostic.messageText === "string") return diagnostic;
  const flatten = ts.flattenDiagnosticMessageText as (message: unknown, newLine: string) => string;
  return { ...diagnostic, messageText: flatten(diagnostic.messageText, "\n") };
}

/** Raised when tslab's converter cannot be set up (e.g. its internals changed). */
export class KernelSetupError extends Error {
  override name = "KernelSetupError";
}

/**
 * Creates the cell compiler rooted at `projectRoot`, with tslab and its TypeScript resolved from
 * `modulesRoot` (the kernel's own checkout). Synchronous and slow (~2 s: TypeScript parses the
 * lib and @types/node declarations for its first program), so the kernel runs it in a worker
 * thread (compiler-worker.ts) while the main thread answers kernel_info.
 */
export function createCellCompiler(projectRoot: string, modulesRoot: string = projectRoot): CellCompiler {
  const typescript = loadTypeScript(modulesRoot);
  const converterPath = require.resolve("tslab/dist/converter.js", { paths: [modulesRoot] });
  const real = typescript.exports as TypeScriptModule;
  const checks = cellCheckOptions(projectRoot);
  const parser = real as unknown as TypeScriptParser;
  const shorthandParser = real as unknown as ShorthandParser;
  let lastCommonJsMap: string | undefined;
  // tslab roots its program at ts.sys.getCurrentDirectory(): the project root instead.
  // No file or directory watchers: one firing between cells made tslab throw "Unexpected pending
  // rebuildTimer" and killed the kernel; edits to imported files are seen after a restart.
  const unwatched = { close: () => undefined };
  const sys = Object.create(real.sys as object) as Record<string, unknown>;
  sys.getCurrentDirectory = () => projectRoot;
  sys.watchFile = () => unwatched;
  sys.watchDirectory = () => unwatched;
  const patched = new Proxy(real, {
    get(target, key) {
      if (key === "sys") return sys;
      if (key === "createWatchCompilerHost") {
        const create = target.createWatchCompilerHost as (files: string[], options: CompilerOptions, ...rest: unknown[]) => unknown;
        return (files: string[], options: CompilerOptions, ...rest: unknown[]) =>
          create(files, { ...options, ...checks, inlineSourceMap: true, inlineSources: false }, ...rest);
      }
      if (key === "getPreEmitDiagnostics" || key === "getPreEmitDiagnosticsOfFiles") {
        const diagnose = target[key] as (...args: unknown[]) => readonly DiagnosticLike[];
        return (...args: unknown[]) => diagnose(...args).map((d) => flattenDiagnostic(real, d));
      }
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
  const cached = require.cache[typescript.path];
  if (cached === undefined) throw new KernelSetupError(`cannot patch ${typescript.path}: not in require's cache`);
  cached.exports = patched;
  let converter: TslabConverter;
  try {
    const { createConverter } = require(converterPath) as { createConverter(o: { isJS: boolean; isBrowser: boolean }): TslabConverter };
    converter = createConverter({ isJS: false, isBrowser: false });
  } catch (error) {
    throw new KernelSetupError(`tslab's converter failed to start in ${projectRoot}: ${(error as Error).message}`);
  } finally {
    cached.exports = real;
  }
  return {
    typescriptVersion: real.version,
    saveCodeCache: () => typescript.saveCache(),
    convert(prevDecl, source) {
      lastCommonJsMap = undefined;
      const result = converter.convert(prevDecl, expandShorthandProperties(shorthandParser, source));
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
    isComplete: (source) => completeness(parser, source),
    close: () => converter.close(),
  };
}
