/**
 * Maps positions in an executed cell back to the cell's TypeScript: the CommonJS code runs, its map leads to the ES
 * module tslab emitted, whose inline map leads to the cell (after tslab's one-line `export {};` prefix).
 */
import { SourceMap } from "node:module";

const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)/;
/** tslab prepends `export {};\n` to every cell. */
const CELL_PREFIX_LINES = 1;

/** A 1-based line and column in the cell's TypeScript. */
export interface CellPosition {
  readonly line: number;
  readonly column: number;
}

/** Finds cell positions for positions in the executed code. */
export class CellSourceMap {
  private readonly toModule: SourceMap | undefined;
  private readonly toCell: SourceMap | undefined;

  constructor(executedCode: string, commonJsMap: string | undefined) {
    this.toModule = commonJsMap === undefined ? undefined : new SourceMap(JSON.parse(commonJsMap));
    const inline = INLINE_MAP.exec(executedCode);
    this.toCell =
      inline === null ? undefined : new SourceMap(JSON.parse(Buffer.from(inline[1]!, "base64").toString("utf8")));
  }

  /** The cell position of a 1-based line and column of the executed code, when the maps know it. */
  find(line: number, column: number): CellPosition | undefined {
    if (this.toModule === undefined || this.toCell === undefined) return undefined;
    const inModule = this.toModule.findEntry(line - 1, column - 1) as {
      originalLine?: number;
      originalColumn?: number;
    };
    if (inModule.originalLine === undefined) return undefined;
    const inCell = this.toCell.findEntry(inModule.originalLine, inModule.originalColumn ?? 0) as {
      originalLine?: number;
      originalColumn?: number;
    };
    if (inCell.originalLine === undefined) return undefined;
    const cellLine = inCell.originalLine - CELL_PREFIX_LINES + 1;
    return cellLine >= 1 ? { line: cellLine, column: (inCell.originalColumn ?? 0) + 1 } : undefined;
  }
}
