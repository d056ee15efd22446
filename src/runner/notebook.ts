/**
 * The nbformat 4 notebook document as the runner reads and writes it:
 * typed cells and outputs, reading with errors that name the file, writing nbformat 4.5 with
 * cell ids in Jupyter's own layout (one-space indent, trailing newline).
 */
import { randomUUID } from "node:crypto";
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { LeptonError } from "../errors";

/** A MIME bundle inside a notebook output. */
export type OutputData = Record<string, unknown>;

/** One cell output (nbformat 4 output types). */
export type CellOutput =
  | { output_type: "stream"; name: "stdout" | "stderr"; text: string }
  | { output_type: "display_data"; data: OutputData; metadata: Record<string, unknown> }
  | {
      output_type: "execute_result";
      data: OutputData;
      metadata: Record<string, unknown>;
      execution_count: number | null;
    }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

/** A notebook cell; code cells carry outputs and an execution count. */
export interface NotebookCell {
  id?: string;
  cell_type: "code" | "markdown" | "raw";
  source: string | string[];
  metadata: { tags?: string[]; [key: string]: unknown };
  outputs?: CellOutput[];
  execution_count?: number | null;
  attachments?: Record<string, unknown>;
}

/** An nbformat 4 notebook. */
export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: {
    kernelspec?: { name: string; display_name?: string; language?: string };
    language_info?: Record<string, unknown>;
    [key: string]: unknown;
  };
  cells: NotebookCell[];
}

/** Raised when a file is not an nbformat 4 notebook; the message names the file and what is wrong. */
export class NotebookFormatError extends LeptonError {}

/** A cell's source as one string. */
export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/** The cell's tags (empty when it has none). */
export function cellTags(cell: NotebookCell): readonly string[] {
  return Array.isArray(cell.metadata?.tags) ? cell.metadata.tags : [];
}

/** Reads and checks a notebook file. */
export async function readNotebook(path: string): Promise<Notebook> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new NotebookFormatError(`${path}: cannot read notebook JSON (${(error as Error).message})`);
  }
  const notebook = parsed as Partial<Notebook>;
  if (notebook.nbformat !== 4) {
    throw new NotebookFormatError(`${path}: nbformat ${String(notebook.nbformat)} is not supported (need 4)`);
  }
  if (!Array.isArray(notebook.cells)) throw new NotebookFormatError(`${path}: "cells" is not an array`);
  notebook.cells.forEach((cell, index) => {
    if (!["code", "markdown", "raw"].includes(cell?.cell_type)) {
      throw new NotebookFormatError(`${path}: cell ${index} has cell_type ${JSON.stringify(cell?.cell_type)}`);
    }
    if (typeof cell.source !== "string" && !Array.isArray(cell.source)) {
      throw new NotebookFormatError(`${path}: cell ${index} has no source`);
    }
  });
  return {
    nbformat: 4,
    nbformat_minor: notebook.nbformat_minor ?? 0,
    metadata: notebook.metadata ?? {},
    cells: notebook.cells,
  };
}

/** Writes a notebook as nbformat 4.5 (adding cell ids where missing), creating its folder. */
export async function writeNotebook(path: string, notebook: Notebook): Promise<void> {
  const cells = notebook.cells.map((cell) => ({
    ...cell,
    id: cell.id ?? randomUUID().slice(0, 8),
    metadata: cell.metadata ?? {},
  }));
  const out: Notebook = { ...notebook, nbformat: 4, nbformat_minor: Math.max(5, notebook.nbformat_minor), cells };
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(out, null, 1) + "\n");
}
