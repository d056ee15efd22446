/**
 * Reloading edited modules between cells, as IPython's autoreload: before each cell, a project
 * module whose file changed since it was loaded is dropped from require's cache, with every
 * module that imports it (directly or not), so the next cell that imports it loads the new code.
 * Everything else — variables, tensors, trained weights, the kernel's own modules — stays.
 */
import { isProjectFile, modifiedMs } from "../compiler";

type ModuleCache = NodeJS.Dict<NodeJS.Module>;

/** Tracks the project modules cells load and drops the stale ones. */
export class ModuleReloader {
  /** Modules loaded before any cell ran (the kernel itself): never reloaded. */
  private readonly kernelModules: ReadonlySet<string>;
  /** Each reloadable module's file modification time when it was first seen loaded. */
  private readonly loadedAt = new Map<string, number | undefined>();

  constructor(
    /** The project's folder and this package's: modules in them (outside node_modules) are reloaded. */
    private readonly roots: readonly string[],
    private readonly cache: ModuleCache = require.cache,
  ) {
    this.kernelModules = new Set(Object.keys(cache));
  }

  private reloadable(path: string): boolean {
    return !this.kernelModules.has(path) && isProjectFile(this.roots, path);
  }

  /** Records the modification times of project modules loaded since the last call (call after each import). */
  noteLoaded(): void {
    for (const path of Object.keys(this.cache)) {
      if (!this.loadedAt.has(path) && this.reloadable(path)) this.loadedAt.set(path, modifiedMs(path));
    }
  }

  /** Drops the modules whose files changed since they were loaded, and their importers; returns the dropped paths. */
  dropStale(): string[] {
    this.noteLoaded();
    const stale = new Set<string>();
    for (const [path, mtime] of this.loadedAt) if (modifiedMs(path) !== mtime) stale.add(path);
    if (stale.size === 0) return [];
    // Importers of a stale module hold its old exports: drop them too, up to a fixed point.
    for (let grew = true; grew;) {
      grew = false;
      for (const path of this.loadedAt.keys()) {
        if (stale.has(path)) continue;
        const children = this.cache[path]?.children ?? [];
        if (children.some((child) => stale.has(child.id))) {
          stale.add(path);
          grew = true;
        }
      }
    }
    for (const path of stale) {
      delete this.cache[path];
      this.loadedAt.delete(path);
    }
    return [...stale];
  }
}
