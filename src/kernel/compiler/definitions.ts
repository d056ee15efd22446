/**
 * The source behind `name??` (IPython's detail level 1): each declaration of the symbol with the
 * file and line it is in. A name an earlier cell declared is known to the compiler only through
 * the declarations carried between cells, so its source is taken from that cell's own text.
 */
import { basename, relative } from "node:path";
import type { Definition } from "./tslab-typescript";

/** The part of the TypeScript module this needs: parsing a cell. */
export interface CellParser {
  createSourceFile(
    name: string,
    text: string,
    target: number,
    setParents?: boolean,
  ): { statements: readonly Statement[]; text: string };
  ScriptTarget: { Latest: number };
}

interface Statement {
  readonly name?: { readonly text?: string };
  readonly declarationList?: { readonly declarations: readonly { readonly name: { readonly text?: string } }[] };
  getStart(): number;
  readonly end: number;
}

/** The file tslab carries earlier cells' declarations in, and the cell being compiled. */
const CARRIED_DECLARATIONS = "__prev__.d.ts";
const THIS_CELL = "__tslab__.ts";

function declares(statement: Statement, name: string): boolean {
  if (statement.name?.text === name) return true;
  return statement.declarationList?.declarations.some((d) => d.name.text === name) ?? false;
}

/**
 * The text of the last top-level statement in `cells` that declares `name`, and the cell it is in (0-based), if any.
 */
export function cellDeclaration(
  parser: CellParser,
  cells: readonly string[],
  name: string,
): { cell: number; text: string } | undefined {
  for (let cell = cells.length - 1; cell >= 0; cell--) {
    const file = parser.createSourceFile("cell.ts", cells[cell]!, parser.ScriptTarget.Latest, true);
    const statement = [...file.statements].reverse().find((s) => declares(s, name));
    if (statement !== undefined) return { cell, text: file.text.slice(statement.getStart(), statement.end) };
  }
  return undefined;
}

/** The "Source" section of `name??`: each definition under a heading naming where it is. */
export function definitionsText(
  parser: CellParser,
  definitions: readonly Definition[],
  cells: readonly string[],
  projectRoot: string,
): string | undefined {
  const sections: string[] = [];
  for (const definition of definitions) {
    const file = basename(definition.fileName);
    if (file === CARRIED_DECLARATIONS) {
      const found = definition.name === undefined ? undefined : cellDeclaration(parser, cells, definition.name);
      sections.push(
        found === undefined
          ? `Declared by an earlier cell:\n${definition.text}`
          : `Source (an earlier cell):\n${found.text}`,
      );
    } else if (file === THIS_CELL) {
      sections.push(`Source (this cell):\n${definition.text}`);
    } else {
      const rel = relative(projectRoot, definition.fileName);
      sections.push(
        `Source (${rel.startsWith("..") ? definition.fileName : rel}:${definition.line + 1}):\n${definition.text}`,
      );
    }
  }
  return sections.length === 0 ? undefined : sections.join("\n\n");
}
