import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { Notebook, NotebookCell } from "../../../src/runner/notebook";

/** A code cell with optional tags. */
export function code(source: string, tags: string[] = []): NotebookCell {
  return { cell_type: "code", metadata: tags.length > 0 ? { tags } : {}, source, outputs: [], execution_count: null };
}

/** A markdown cell. */
export function markdown(source: string): NotebookCell {
  return { cell_type: "markdown", metadata: {}, source };
}

/** Fixtures live inside the project (git-ignored out/), where notebooks import ../src like notebooks/ does. */
const FIXTURES = resolve(__dirname, "..", "..", "..", "out", "test-fixtures");

/** The import path of a module of src/ as written in a fixture notebook in `dir`. */
export function srcImport(dir: string, module: string): string {
  return relative(dir, resolve(__dirname, "..", "..", "..", "src", module))
    .split("\\")
    .join("/");
}

/** Writes a notebook for the project kernel into a fresh folder under out/test-fixtures; returns its path. */
export function writeFixture(name: string, cells: NotebookCell[] | ((dir: string) => NotebookCell[])): string {
  mkdirSync(FIXTURES, { recursive: true });
  const dir = mkdtempSync(join(FIXTURES, "nb-"));
  const notebook: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "lepton", display_name: "Lepton (TypeScript)", language: "typescript" } },
    cells: typeof cells === "function" ? cells(dir) : cells,
  };
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(notebook));
  return path;
}
