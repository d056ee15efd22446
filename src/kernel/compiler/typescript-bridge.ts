/**
 * The kernel's TypeScript front end: tslab 1.0.22's cell converter
 * (declarations carried from cell to cell, the last expression captured, top-level await
 * detected) running on the project's own TypeScript, with what tslab hardcodes changed from
 * outside, without editing tslab:
 *
 * - the project's `typescript` instead of tslab's bundled 5.0 (tslab-typescript.ts);
 * - strict type checking, taken from the project's tsconfig.json (tslab: strict off), on a Node
 *   lib without DOM;
 * - inline source maps on the cell's emit, and the map of tslab's ES-module → CommonJS step
 *   captured, so runtime errors point at the cell's own TypeScript lines;
 * - the converter is rooted at the project root instead of the notebook's folder, so
 *   `import … from "../src/x"` in notebooks/ is inside `rootDir`; from a folder outside the
 *   project, this package's types and entry points are found by absolute path (own-package.ts);
 * - only the cell is emitted (tslab also emitted every imported .ts file), and JSDoc in .ts files
 *   is parsed only when `x?` asks for it (lazy-jsdoc.ts);
 * - no file or directory watchers on real files: tslab's watch host throws "Unexpected pending
 *   rebuildTimer" from a watcher callback (killing the kernel) when files change under the
 *   project while a kernel runs. The project's files are polled before each use instead
 *   (changed-files.ts);
 * - shorthand properties naming an earlier cell's variable are written out before conversion
 *   (shorthand.ts), which tslab's rewriting to `exports.name` misses;
 * - TypeScript itself is loaded through a V8 code cache (typescript-loader.ts).
 *
 * Route chosen: tslab's converter reads the TypeScript module through a binding object, so handing
 * it an adapted module (put in require's cache under tslab's TypeScript's path before the converter
 * loads) changes its compiler options and observes `transpileModule`, while the converter itself
 * stays tslab's, pinned at 1.0.22. A fork of converter.js (960 lines) would be ours to maintain;
 * this fails loudly (at kernel start) if tslab's internals change.
 */
import { readFileSync } from "node:fs";
import Module from "node:module";
import { basename, dirname, join } from "node:path";
import { completeness, type Completeness, type TypeScriptParser } from "./completeness";
import { ChangedFiles } from "./changed-files";
import { definitionsText, type CellParser } from "./definitions";
import { skipJsDocInTypeScript } from "./lazy-jsdoc";
import { ownPackagePaths } from "./own-package";
import { expandShorthandProperties, type ShorthandParser } from "./shorthand";
import { adaptTypeScriptForTslab, type Definition } from "./tslab-typescript";
import { loadTypeScript } from "./typescript-loader";
import { LeptonError } from "../../errors";

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

/**
 * One completion candidate with what it is: TypeScript's kind (method, property, const …) and a callable's signature.
 */
export interface TypedCompletion {
  readonly text: string;
  readonly type: string;
  readonly signature: string;
}

/** Completion candidates for a cursor position: prefix matches first, then substring matches. */
export interface CellCompletion {
  readonly start: number;
  readonly end: number;
  readonly candidates: readonly string[];
  readonly typed: readonly TypedCompletion[];
}

/** What the kernel needs from the converter. */
export interface CellCompiler {
  /** The TypeScript version that really compiles cells. */
  readonly typescriptVersion: string;
  convert(prevDecl: string, source: string): ConvertedCell;
  complete(prevDecl: string, source: string, position: number): CellCompletion;
  /**
   * Quick info text at a position, or undefined when there is none; at `detailLevel` 1 (`name??`)
   * with the definition's source, a name from an earlier cell found in `cells` (their sources).
   */
  inspect(
    prevDecl: string,
    source: string,
    position: number,
    detailLevel?: number,
    cells?: readonly string[],
  ): string | undefined;
  /** Jupyter's is_complete verdict for a cell. */
  isComplete(source: string): Completeness;
  /**
   * Adds the `types` packages (@types/node, the kernel's cell globals) to the program, which starts
   * with the ES lib alone, and rebuilds it now: the lib's files are parsed and bound once, for both.
   * Synchronous, and most of the kernel's start.
   */
  addGlobalTypes(): void;
  /** Whether addGlobalTypes() has run. */
  hasGlobalTypes(): boolean;
  /** Whether a cell names other files (imports, requires, triple-slash references), which its check then reads. */
  readsOtherFiles(source: string): boolean;
  /** Saves the V8 code cache of the compiler (typescript-loader.ts); returns its file, if written. */
  saveCodeCache(): string | undefined;
  close(): void;
}

interface TslabCompletion {
  readonly start: number;
  readonly end: number;
  readonly candidates: readonly string[];
  readonly original?: {
    readonly entries: readonly { readonly name: string; readonly kind: string; readonly signature?: string }[];
  };
}

interface TslabConverter {
  convert(prevDecl: string, src: string): Omit<ConvertedCell, "commonJsMap">;
  complete(prevDecl: string, src: string, position: number): TslabCompletion;
  inspect(
    prevDecl: string,
    src: string,
    position: number,
  ): { displayParts?: { text: string }[]; documentation?: { text: string }[]; definitions?: Definition[] } | undefined;
  close(): void;
}

type CompilerOptions = Record<string, unknown>;
type TypeScriptModule = Record<string | symbol, unknown> & { version: string };

/**
 * The checking options of tsconfig.json that make sense for cells (unused-variable checks do not: every cell's locals
 * look unused).
 */
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

/** The globals the kernel installs for cells (`prompt`), as a types package under {@link CELL_TYPE_ROOT}. */
const CELL_GLOBALS = "lepton-cell";
const CELL_TYPE_ROOT = join(__dirname, "cell-types");

/** Libs every cell gets besides tsconfig's: the types behind `using` / `await using`. */
const CELL_LIB_ADDITIONS = ["esnext.disposable"] as const;

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/**
 * Reads the cell options from the project's tsconfig.json: its checking flags, its `types` (which @types packages are
 * global) and its `lib` without DOM; strict, on ES2022, by default when there is no tsconfig.json.
 */
export function cellCheckOptions(projectRoot: string): CompilerOptions {
  let compilerOptions: CompilerOptions = {};
  try {
    const text = readFileSync(join(projectRoot, "tsconfig.json"), "utf8");
    compilerOptions = (JSON.parse(text) as { compilerOptions?: CompilerOptions }).compilerOptions ?? {};
  } catch {
    compilerOptions = {};
  }
  const options: CompilerOptions = { strict: true, types: ["node"] };
  for (const key of CELL_CHECKS) if (typeof compilerOptions[key] === "boolean") options[key] = compilerOptions[key];
  const types = compilerOptions.types;
  if (isStringList(types)) options.types = types;
  options.types = [...(options.types as string[]), CELL_GLOBALS];
  // Cells run in Node, not a browser: tsconfig's lib without DOM (a cell naming `document` is an
  // error), plus the disposable types `using` declarations need.
  const lib = isStringList(compilerOptions.lib) ? compilerOptions.lib.map((name) => name.toLowerCase()) : ["es2022"];
  const nodeLib = lib.filter((name) => !name.startsWith("dom") && !name.startsWith("webworker"));
  options.lib = [...new Set([...nodeLib, ...CELL_LIB_ADDITIONS])].map((name) => `lib.${name}.d.ts`);
  return options;
}

/**
 * Where cells find this package's types whatever the notebook's folder: its own @types (Node's
 * globals) after the folder's, and the library by package name (own-package.ts).
 */
function packageOptions(modulesRoot: string, options: CompilerOptions): CompilerOptions {
  const typeRoots = isStringList(options.typeRoots) ? options.typeRoots : [];
  const ownTypes = join(modulesRoot, "node_modules", "@types");
  const roots = [...typeRoots, ...[ownTypes, CELL_TYPE_ROOT].filter((root) => !typeRoots.includes(root))];
  return { typeRoots: roots, paths: ownPackagePaths() };
}

interface DiagnosticLike {
  readonly code: number;
  readonly messageText: unknown;
}

/**
 * "File … is not under 'rootDir'": the converter roots its program at the notebook's folder to
 * place its one output file, while an imported library file (this package, by name, from a
 * notebook elsewhere) may lie outside it; only the cell is emitted, so the rule does not apply.
 */
const OUTSIDE_ROOT_DIR = 6059;

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

interface BuilderLike {
  emit(sourceFile: { fileName: string } | undefined, ...rest: unknown[]): unknown;
}

interface WatchHost {
  afterProgramCreate?: (builder: BuilderLike) => void;
}

/** The file name tslab's converter gives the cell. */
const CELL_FILE = "__tslab__.ts";

/**
 * The watch host with every program's `emit` limited to the cell: tslab also emits each imported
 * .ts file (for its own executor, which this kernel does not use — tsx loads them), which costs a
 * transform of the whole imported library on a first import and fails for a file outside the
 * notebook's folder.
 */
function emitCellOnly(host: WatchHost): WatchHost {
  let afterCreate = host.afterProgramCreate;
  Object.defineProperty(host, "afterProgramCreate", {
    configurable: true,
    get: () => (builder: BuilderLike) => {
      const cellOnly = Object.create(builder) as BuilderLike;
      cellOnly.emit = (sourceFile, ...rest) =>
        sourceFile === undefined || basename(sourceFile.fileName) === CELL_FILE
          ? builder.emit(sourceFile, ...rest)
          : { emitSkipped: true, diagnostics: [] };
      afterCreate?.(cellOnly);
    },
    set: (next: WatchHost["afterProgramCreate"]) => {
      afterCreate = next;
    },
  });
  return host;
}

interface WatchProgram {
  getCurrentProgram(): { getProgram(): { getRootFileNames(): readonly string[] } };
  getProgram(): unknown;
  updateRootFileNames(files: string[]): void;
}

interface PreProcessedFile {
  readonly importedFiles: readonly unknown[];
  readonly referencedFiles: readonly unknown[];
  readonly typeReferenceDirectives: readonly unknown[];
  readonly libReferenceDirectives: readonly unknown[];
}

/**
 * The declaration file of a `types` package, resolved as the compiler resolves `types` (typeRoots
 * first): adding it as a root file puts the same declarations in the program as the option does.
 */
function globalTypesFile(ts: TypeScriptModule, name: string, projectRoot: string, options: CompilerOptions): string {
  type Resolved = { resolvedTypeReferenceDirective?: { resolvedFileName?: string } };
  type Resolve = (name: string, from: string, options: CompilerOptions, host: unknown) => Resolved;
  const resolve = ts.resolveTypeReferenceDirective as Resolve;
  const resolved = resolve(name, join(projectRoot, CELL_FILE), options, ts.sys);
  const file = resolved.resolvedTypeReferenceDirective?.resolvedFileName;
  if (file !== undefined) return file;
  const where = `tsconfig.json types, typeRoots ${JSON.stringify(options.typeRoots)}`;
  throw new KernelSetupError(`cannot find the type definitions "${name}" that cells are compiled with (${where})`);
}

/** Raised when tslab's converter cannot be set up (e.g. its internals changed). */
export class KernelSetupError extends LeptonError {}

/**
 * Creates the cell compiler rooted at `projectRoot`, with tslab and its TypeScript resolved from
 * `modulesRoot` (the kernel's own checkout), its program holding the ES lib alone until
 * addGlobalTypes(). Synchronous and slow (TypeScript parses the lib's declarations, then
 * @types/node's), so the kernel runs it in a worker thread (worker.ts) while the main thread
 * answers kernel_info.
 */
export function createCellCompiler(projectRoot: string, modulesRoot: string = projectRoot): CellCompiler {
  const typescript = loadTypeScript(modulesRoot);
  const converterPath = require.resolve("tslab/dist/converter.js", { paths: [modulesRoot] });
  const tslabTypeScriptPath = require.resolve("@tslab/typescript-for-tslab", { paths: [dirname(converterPath)] });
  const real = typescript.exports as TypeScriptModule;
  const checks = cellCheckOptions(projectRoot);
  const parser = real as unknown as TypeScriptParser;
  const shorthandParser = real as unknown as ShorthandParser;
  const cellParser = real as unknown as CellParser;
  let lastCommonJsMap: string | undefined;
  // The program starts with the ES lib alone; addGlobalTypes() adds the `types` packages.
  const globalTypes = checks.types as readonly string[];
  let programOptions: CompilerOptions = {};
  let watch: WatchProgram | undefined;
  let withGlobalTypes = false;
  // tslab roots its program at ts.sys.getCurrentDirectory(): the project root instead.
  // No real file or directory watchers: one firing between cells made tslab throw "Unexpected
  // pending rebuildTimer" and killed the kernel. The project's own files are polled instead, right
  // before each use of the program (changed-files.ts), so an edited src/ file is re-read.
  const unwatched = { close: () => undefined };
  const watchedFiles = new ChangedFiles([projectRoot, modulesRoot]);
  const sys = Object.create(real.sys as object) as Record<string, unknown>;
  sys.getCurrentDirectory = () => projectRoot;
  sys.watchFile = (path: string, onChange: (path: string, kind: number) => void) => watchedFiles.watch(path, onChange);
  sys.watchDirectory = () => unwatched;
  const changedKind = (real.FileWatcherEventKind as { Changed: number }).Changed;
  /** Tells the program which of the project's files changed since it read them, before it is used. */
  const refresh = () => {
    for (const { path, onChange } of watchedFiles.changed()) onChange(path, changedKind);
  };
  const adapted = adaptTypeScriptForTslab(real, (key, base) => {
    if (key === "sys") return sys;
    if (key === "createWatchCompilerHost") {
      const create = base.createWatchCompilerHost as (
        files: string[],
        options: CompilerOptions,
        ...rest: unknown[]
      ) => unknown;
      return (files: string[], options: CompilerOptions, ...rest: unknown[]) => {
        const maps = { inlineSourceMap: true, inlineSources: false };
        programOptions = { ...options, ...checks, ...packageOptions(modulesRoot, options), types: [], ...maps };
        return skipJsDocInTypeScript(emitCellOnly(create(files, programOptions, ...rest) as WatchHost));
      };
    }
    if (key === "createWatchProgram") {
      const create = base.createWatchProgram as (host: unknown) => WatchProgram;
      return (host: unknown) => (watch = create(host));
    }
    if (key === "getPreEmitDiagnostics" || key === "getPreEmitDiagnosticsOfFiles") {
      const diagnose = base[key] as (...args: unknown[]) => readonly DiagnosticLike[];
      return (...args: unknown[]) =>
        diagnose(...args)
          .filter((d) => d.code !== OUTSIDE_ROOT_DIR)
          .map((d) => flattenDiagnostic(real, d));
    }
    if (key === "transpileModule") {
      const transpile = base.transpileModule as (
        src: string,
        o: { compilerOptions?: CompilerOptions },
      ) => { outputText: string; sourceMapText?: string };
      return (src: string, o: { compilerOptions?: CompilerOptions }) => {
        const result = transpile(src, { ...o, compilerOptions: { ...o.compilerOptions, sourceMap: true } });
        lastCommonJsMap = result.sourceMapText;
        return result;
      };
    }
    return undefined;
  });
  // The converter requires tslab's own TypeScript: it finds the adapted project TypeScript in
  // require's cache instead, and tslab's 5.0 compiler is never loaded.
  const stand = new Module(tslabTypeScriptPath);
  stand.filename = tslabTypeScriptPath;
  stand.exports = adapted;
  stand.loaded = true;
  require.cache[tslabTypeScriptPath] = stand;
  let converter: TslabConverter;
  // The converter binds the TypeScript it finds at its first load: a second compiler in this
  // thread loads it afresh, bound to its own.
  delete require.cache[converterPath];
  try {
    const { createConverter } = require(converterPath) as {
      createConverter(o: { isJS: boolean; isBrowser: boolean }): TslabConverter;
    };
    converter = createConverter({ isJS: false, isBrowser: false });
  } catch (error) {
    throw new KernelSetupError(`tslab's converter failed to start in ${projectRoot}: ${(error as Error).message}`);
  } finally {
    delete require.cache[tslabTypeScriptPath];
    delete require.cache[converterPath];
  }
  if (watch === undefined) {
    throw new KernelSetupError("tslab's converter no longer builds its program with createWatchProgram");
  }
  const program = watch;
  return {
    typescriptVersion: real.version,
    saveCodeCache: () => typescript.saveCache(),
    hasGlobalTypes: () => withGlobalTypes,
    addGlobalTypes() {
      if (withGlobalTypes) return;
      const files = globalTypes.map((name) => globalTypesFile(real, name, projectRoot, programOptions));
      const roots = program.getCurrentProgram().getProgram().getRootFileNames();
      program.updateRootFileNames([...roots, ...files]);
      program.getProgram();
      withGlobalTypes = true;
    },
    readsOtherFiles(source) {
      const preProcess = real.preProcessFile as (text: string, imports: boolean, detectJs: boolean) => PreProcessedFile;
      const info = preProcess(source, true, true);
      const named = [
        info.importedFiles,
        info.referencedFiles,
        info.typeReferenceDirectives,
        info.libReferenceDirectives,
      ];
      return named.some((list) => list.length > 0);
    },
    convert(prevDecl, source) {
      refresh();
      lastCommonJsMap = undefined;
      const result = converter.convert(prevDecl, expandShorthandProperties(shorthandParser, source));
      return { ...result, commonJsMap: lastCommonJsMap };
    },
    complete(prevDecl, source, position) {
      refresh();
      const { start, end, candidates, original } = converter.complete(prevDecl, source, position);
      const entries = new Map<string, { kind: string; signature?: string }>();
      for (const entry of original?.entries ?? []) if (!entries.has(entry.name)) entries.set(entry.name, entry);
      const typed = candidates.map((text) => ({
        text,
        type: entries.get(text)?.kind ?? "",
        signature: entries.get(text)?.signature ?? "",
      }));
      return { start, end, candidates, typed };
    },
    inspect(prevDecl, source, position, detailLevel = 0, cells = []) {
      refresh();
      const info = converter.inspect(prevDecl, source, position);
      if (info === undefined) return undefined;
      const signature = (info.displayParts ?? []).map((p) => p.text).join("");
      const docs = (info.documentation ?? []).map((p) => p.text).join("");
      const definitions =
        detailLevel >= 1 ? definitionsText(cellParser, info.definitions ?? [], cells, projectRoot) : undefined;
      const text = [signature, docs, definitions ?? ""].filter((t) => t !== "").join("\n\n");
      return text === "" ? undefined : text;
    },
    isComplete: (source) => completeness(parser, source),
    close: () => converter.close(),
  };
}
