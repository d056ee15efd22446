/**
 * Loads the TypeScript compiler cells compile with (the project's `typescript`, a 9 MB script)
 * fast: compiled by V8 from a code cache kept in
 * `node_modules/.cache/lepton-kernel/`, and outside tsx's require hook, which otherwise scans the
 * whole file for ES-module syntax on every start. Measured here: ~0.7 s through tsx, ~0.3 s by
 * plain require, well under that from the cache. The module lands in require's cache under its
 * real path, so a later `require("typescript")` gets this instance.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, join } from "node:path";
import vm from "node:vm";

/** The loaded compiler, and a way to save the code cache once its hot functions are compiled. */
export interface LoadedTypeScript {
  readonly path: string;
  readonly exports: unknown;
  /** How the code cache was used: absent, accepted by V8, or rejected (and rewritten on save). */
  readonly cache: "none" | "used" | "rejected";
  /**
   * Writes the code cache (after the first program is built, so lazily compiled functions are in it); returns the file,
   * or undefined if it cannot be written.
   */
  saveCache(): string | undefined;
}

/** The package cells compile with: the project's own TypeScript. */
export const CELL_TYPESCRIPT = "typescript";

type ModuleInternals = typeof Module & { _nodeModulePaths(dir: string): string[]; wrap(source: string): string };

function cacheFile(modulesRoot: string, version: string): string {
  const key = `typescript-${version}-v8-${process.versions.v8}-${process.arch}.v8cache`;
  return join(modulesRoot, "node_modules", ".cache", "lepton-kernel", key);
}

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Loads the project's TypeScript, resolved from `modulesRoot`, through the code cache (or returns the copy already
 * loaded).
 */
export function loadTypeScript(modulesRoot: string): LoadedTypeScript {
  const path = require.resolve(CELL_TYPESCRIPT, { paths: [modulesRoot] });
  const loaded = require.cache[path];
  if (loaded !== undefined) return { path, exports: loaded.exports, cache: "none", saveCache: () => undefined };
  const { version } = JSON.parse(readFileSync(join(dirname(path), "..", "package.json"), "utf8")) as {
    version: string;
  };
  const file = cacheFile(modulesRoot, version);
  const cachedData = readCache(file);
  const internals = Module as ModuleInternals;
  const script = new vm.Script(internals.wrap(readFileSync(path, "utf8")), { filename: path, cachedData });
  const module = new Module(path, require.main);
  module.filename = path;
  module.paths = internals._nodeModulePaths(dirname(path));
  require.cache[path] = module;
  try {
    const run = script.runInThisContext() as (...args: unknown[]) => void;
    run.call(module.exports, module.exports, createRequire(path), module, path, dirname(path));
  } catch (error) {
    delete require.cache[path];
    throw error;
  }
  module.loaded = true;
  const cache = cachedData === undefined ? "none" : script.cachedDataRejected === true ? "rejected" : "used";
  return {
    path,
    exports: module.exports,
    cache,
    saveCache() {
      if (cache === "used") return file;
      try {
        mkdirSync(dirname(file), { recursive: true });
        const partial = `${file}.${process.pid}.tmp`;
        writeFileSync(partial, script.createCachedData());
        renameSync(partial, file);
        return file;
      } catch {
        return undefined;
      }
    },
  };
}
