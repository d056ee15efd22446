/**
 * Change detection by polling modification times, for the project's own files (not
 * node_modules): the compiler re-reads an edited src/ file before the next cell is checked, and
 * the executor drops an edited module from require's cache before the next cell runs — IPython's
 * autoreload, without file watchers firing between cells.
 */
import { statSync } from "node:fs";
import { relative, sep } from "node:path";

/** Whether `path` is one of the project's own files (inside one of `roots`, outside node_modules). */
export function isProjectFile(roots: readonly string[], path: string): boolean {
  return roots.some((root) => {
    const rel = relative(root, path);
    return rel !== "" && !rel.startsWith("..") && !rel.split(sep).includes("node_modules");
  });
}

/** A file's modification time in ms, undefined when it cannot be read (deleted, never there). */
export function modifiedMs(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

interface Watched<T> {
  readonly path: string;
  readonly onChange: T;
  mtime: number | undefined;
}

/** The project's files registered with `watch`, each with the modification time it was last seen at. */
export class ChangedFiles<T = (path: string, kind: number) => void> {
  private readonly files = new Map<string, Watched<T>>();

  /** `roots`: the project's folder and this package's, whose files are polled. */
  constructor(private readonly roots: readonly string[]) {}

  /** Starts polling `path` if it is a project file; the handle stops it. */
  watch(path: string, onChange: T): { close(): void } {
    if (!isProjectFile(this.roots, path)) return { close: () => undefined };
    const entry: Watched<T> = { path, onChange, mtime: modifiedMs(path) };
    this.files.set(path, entry);
    return { close: () => this.files.get(path) === entry && this.files.delete(path) };
  }

  /** The files whose modification time changed since the last look (each reported once per change). */
  changed(): Watched<T>[] {
    const changed: Watched<T>[] = [];
    for (const entry of this.files.values()) {
      const mtime = modifiedMs(entry.path);
      if (mtime === entry.mtime) continue;
      entry.mtime = mtime;
      changed.push(entry);
    }
    return changed;
  }
}
