/**
 * The project's TypeScript as tslab 1.0.22's converter expects its TypeScript: the converter was
 * written against `@tslab/typescript-for-tslab` (TypeScript 5.0.4 with a few internals exported
 * and a `disableTopLevelAwait` checker option). Those few pieces are rebuilt here on the stock
 * compiler's own internals, so cells compile with the project's TypeScript (`using`, newer lib
 * typings, the same checker as `npm run typecheck`):
 *
 * - `getPreEmitDiagnosticsOfFiles`, `getNullTransformationContext`, `getDefaultTypeRoots`,
 *   `getQuickInfoAtPosition`, `Completions.getCompletionsAtPositionForTslab`;
 * - a top-level `await` in the cell is reported as diagnostic 1308 at its `await` keyword, which is
 *   how the converter learns that the cell needs an async wrapper (the patched checker did that
 *   under `disableTopLevelAwait`; the stock one accepts top-level await in a module silently);
 * - options the stock compiler has removed (`noImplicitUseStrict`) are dropped.
 */

import { documentationParts } from "./lazy-jsdoc";
import { LeptonError } from "../../errors";

/* The compiler's internals are untyped; this module and lazy-jsdoc.ts reach into them. */
type Ts = Record<string | symbol, any>;
type Node = any;

/** The file name tslab gives the cell being compiled. */
const CELL_FILE_SUFFIX = "/__tslab__.ts";
/** "'await' expressions are only allowed within async functions and at the top levels of modules." */
const TOP_LEVEL_AWAIT_CODE = 1308;
/** Options tslab sets that newer TypeScript rejects as removed (TS5102). */
const REMOVED_OPTIONS = ["noImplicitUseStrict", "disableTopLevelAwait"] as const;

/** Raised when the stock compiler lacks an internal the adaptation needs. */
export class TslabAdaptationError extends LeptonError {}

function internal(ts: Ts, name: string): any {
  const value = ts[name];
  if (value === undefined)
    throw new TslabAdaptationError(
      `TypeScript ${String(ts.version)} has no internal ${name}; tslab's converter cannot run on it`,
    );
  return value;
}

/** The `await` keywords of a cell that are at its top level (outside every function and class). */
function topLevelAwaits(ts: Ts, sourceFile: Node): Node[] {
  const found: Node[] = [];
  const K = ts.SyntaxKind;
  const boundaries = new Set([
    K.ArrowFunction,
    K.FunctionExpression,
    K.FunctionDeclaration,
    K.MethodDeclaration,
    K.Constructor,
    K.GetAccessor,
    K.SetAccessor,
    K.ClassDeclaration,
    K.ClassExpression,
    K.ModuleDeclaration,
  ]);
  const visit = (node: Node): void => {
    if (boundaries.has(node.kind)) return;
    if (node.kind === K.AwaitExpression) found.push(node);
    if (node.kind === K.ForOfStatement && node.awaitModifier !== undefined) found.push(node.awaitModifier);
    if (
      node.kind === K.VariableDeclarationList &&
      (ts.getCombinedNodeFlags(node) & ts.NodeFlags.AwaitUsing) === ts.NodeFlags.AwaitUsing
    )
      found.push(node);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sourceFile, visit);
  return found;
}

/** Diagnostic 1308 at each top-level `await` keyword of the cell. */
function topLevelAwaitDiagnostics(ts: Ts, sourceFile: Node): unknown[] {
  return topLevelAwaits(ts, sourceFile).map((node) => {
    const start = node.getStart(sourceFile);
    return {
      file: sourceFile,
      start,
      length: "await".length,
      category: ts.DiagnosticCategory.Error,
      code: TOP_LEVEL_AWAIT_CODE,
      messageText: "top-level await",
    };
  });
}

function getPreEmitDiagnosticsOfFiles(ts: Ts) {
  const sortAndDeduplicate = internal(ts, "sortAndDeduplicateDiagnostics");
  const emitsDeclarations = internal(ts, "getEmitDeclarations");
  return (program: any, sourceFiles: Node[], cancellationToken?: unknown) => {
    const diagnostics: unknown[] = [
      ...program.getConfigFileParsingDiagnostics(),
      ...program.getOptionsDiagnostics(cancellationToken),
      ...program.getGlobalDiagnostics(cancellationToken),
    ];
    for (const sourceFile of sourceFiles) {
      diagnostics.push(
        ...program.getSyntacticDiagnostics(sourceFile, cancellationToken),
        ...program.getSemanticDiagnostics(sourceFile, cancellationToken),
      );
      if (emitsDeclarations(program.getCompilerOptions()))
        diagnostics.push(...program.getDeclarationDiagnostics(sourceFile, cancellationToken));
      if (String(sourceFile.fileName).endsWith(CELL_FILE_SUFFIX))
        diagnostics.push(...topLevelAwaitDiagnostics(ts, sourceFile));
    }
    return sortAndDeduplicate(diagnostics);
  };
}

function getDefaultTypeRoots(ts: Ts) {
  const forEachAncestorDirectory = internal(ts, "forEachAncestorDirectory");
  return (currentDirectory: string, host: { directoryExists?(path: string): boolean }): string[] | undefined => {
    const roots: string[] = [];
    forEachAncestorDirectory(ts.normalizePath(currentDirectory), (directory: string) => {
      const atTypes = ts.combinePaths(directory, "node_modules/@types");
      if (host.directoryExists === undefined || host.directoryExists(atTypes)) roots.push(atTypes);
      return undefined;
    });
    return roots.length > 0 ? roots : undefined;
  };
}

/** Quick info as the language service computes it, on a program without a language service. */
function getQuickInfoAtPosition(ts: Ts) {
  const touching = internal(ts, "getTouchingPropertyName");
  const containerOf = internal(ts, "getContainerNode");
  const typeToDisplayParts = internal(ts, "typeToDisplayParts");
  const symbolDisplay = internal(ts, "SymbolDisplay");
  return (sourceFile: Node, checker: any, _cancellationToken: unknown, position: number) => {
    let node = touching(sourceFile, position);
    if (node === sourceFile) return undefined;
    if (ts.isNewExpression(node.parent) && node.pos === node.parent.pos) node = node.parent.expression;
    const textSpan = ts.createTextSpanFromBounds(node.getStart(sourceFile), node.getEnd());
    const symbol = checker.getSymbolAtLocation(node);
    if (symbol === undefined || checker.isUnknownSymbol(symbol)) {
      if (!ts.isExpressionNode(node)) return undefined;
      const type = checker.getTypeAtLocation(node);
      return (
        type && {
          kind: "",
          kindModifiers: "",
          textSpan,
          displayParts: typeToDisplayParts(checker, type, containerOf(node)),
          documentation: documentationParts(ts, type.symbol, type.symbol?.getDocumentationComment(checker)),
        }
      );
    }
    const info = symbolDisplay.getSymbolDisplayPartsDocumentationAndSymbolKind(
      checker,
      symbol,
      sourceFile,
      containerOf(node),
      node,
    );
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    return {
      kind: info.symbolKind,
      kindModifiers: symbolDisplay.getSymbolModifiers(checker, symbol),
      textSpan,
      displayParts: info.displayParts,
      documentation: documentationParts(ts, target, info.documentation),
      tags: info.tags,
      definitions: (target.declarations ?? []).map((declaration: Node) => definitionOf(ts, declaration)),
    };
  };
}

/** Where a symbol is declared, with the declaration's source text (a variable's whole statement). */
export interface Definition {
  readonly fileName: string;
  /** 0-based line of the declaration's start. */
  readonly line: number;
  readonly name: string | undefined;
  readonly text: string;
}

function definitionOf(ts: Ts, declaration: Node): Definition {
  let node = declaration;
  if (
    ts.isVariableDeclaration(node) &&
    ts.isVariableDeclarationList(node.parent) &&
    ts.isVariableStatement(node.parent.parent)
  )
    node = node.parent.parent;
  const sourceFile = node.getSourceFile();
  const start = node.getStart(sourceFile);
  const name =
    declaration.name !== undefined && ts.isIdentifier(declaration.name) ? String(declaration.name.text) : undefined;
  return {
    fileName: sourceFile.fileName,
    line: sourceFile.getLineAndCharacterOfPosition(start).line,
    name,
    text: sourceFile.text.slice(start, node.end),
  };
}

/**
 * Completion entries get a call signature only when they match what is typed, so a bare global completion stays cheap.
 */
const SIGNATURES_AT_MOST = 200;

/** The identifier typed up to `position`, lower-cased ("" after a dot or a space). */
function typedPrefix(ts: Ts, sourceFile: Node, position: number): string {
  const token = ts.findPrecedingToken(position, sourceFile);
  return token !== undefined && ts.isIdentifier(token) && token.end === position
    ? String(token.text).toLowerCase()
    : "";
}

/** `(n: number): number` for a callable symbol, else "". */
function callSignature(ts: Ts, checker: any, symbol: any, sourceFile: Node): string {
  const type = checker.getTypeOfSymbolAtLocation(symbol, sourceFile);
  const [first, ...more] = type.getCallSignatures();
  if (first === undefined) return "";
  const text = checker.signatureToString(first, undefined, ts.TypeFormatFlags.NoTruncation);
  return more.length > 0 ? `${text} (+${more.length} overloads)` : text;
}

/**
 * Completions as the language service computes them, each entry with its call signature (where
 * it matches what is typed) and without the symbol objects, so the result crosses threads.
 */
function completions(ts: Ts): Ts {
  const stock = internal(ts, "Completions");
  return {
    ...stock,
    getCompletionsAtPositionForTslab: (
      host: unknown,
      program: any,
      log: unknown,
      sourceFile: Node,
      position: number,
      preferences: unknown,
      triggerCharacter: unknown,
      completionKind: unknown,
      cancellationToken: unknown,
    ) => {
      const info = stock.getCompletionsAtPosition(
        host,
        program,
        log,
        sourceFile,
        position,
        preferences,
        triggerCharacter,
        completionKind,
        cancellationToken,
        undefined,
        true,
      );
      if (info === undefined) return info;
      const checker = program.getTypeChecker();
      const prefix = typedPrefix(ts, sourceFile, position);
      let signed = 0;
      for (const entry of info.entries) {
        if (
          entry.symbol !== undefined &&
          signed < SIGNATURES_AT_MOST &&
          String(entry.name).toLowerCase().includes(prefix)
        ) {
          signed++;
          entry.signature = callSignature(ts, checker, entry.symbol, sourceFile);
        }
        delete entry.symbol;
      }
      return info;
    },
  };
}

/**
 * The stock module with tslab's extras, as one object: `__esModule` is set so the converter's
 * `import * as ts` binds this object itself and every property read goes through it. `overrides`
 * (the bridge's own hooks) take precedence; they get the adapted module without themselves.
 */
export function adaptTypeScriptForTslab(ts: Ts, overrides: (key: string | symbol, stock: Ts) => unknown): Ts {
  const extras: Ts = {
    __esModule: true,
    getPreEmitDiagnosticsOfFiles: getPreEmitDiagnosticsOfFiles(ts),
    getNullTransformationContext: () => internal(ts, "nullTransformationContext"),
    getDefaultTypeRoots: getDefaultTypeRoots(ts),
    getQuickInfoAtPosition: getQuickInfoAtPosition(ts),
    Completions: completions(ts),
  };
  const createWatchCompilerHost = ts.createWatchCompilerHost as (
    files: string[],
    options: Record<string, unknown>,
    ...rest: unknown[]
  ) => unknown;
  extras.createWatchCompilerHost = (files: string[], options: Record<string, unknown>, ...rest: unknown[]) => {
    const kept = { ...options };
    for (const removed of REMOVED_OPTIONS) delete kept[removed];
    return createWatchCompilerHost(files, kept, ...rest);
  };
  const transpileModule = ts.transpileModule as (
    source: string,
    options: { compilerOptions?: Record<string, unknown> },
  ) => unknown;
  extras.transpileModule = (source: string, options: { compilerOptions?: Record<string, unknown> }) => {
    const compilerOptions = { ...options.compilerOptions };
    for (const removed of REMOVED_OPTIONS) delete compilerOptions[removed];
    return transpileModule(source, { ...options, compilerOptions });
  };
  const base: Ts = new Proxy(extras, { get: (target, key) => (key in target ? target[key] : ts[key]) });
  return new Proxy(extras, { get: (_target, key) => overrides(key, base) ?? base[key] });
}
