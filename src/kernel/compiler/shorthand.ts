/**
 * Expands shorthand properties (`{ seed }` → `{ seed: seed }`) before a cell is converted. tslab
 * rewrites references to earlier cells' variables as `exports.name`, but the identifier of a
 * shorthand property resolves to the property, not the variable, so `{ n: 100, seed }` with
 * `seed` from an earlier cell threw `ReferenceError: seed is not defined`. The expansion means
 * the same in every position (object literals and destructuring assignments) and keeps lines.
 */

interface Node {
  readonly kind: number;
  readonly end: number;
  readonly name?: Node;
  getText?(): string;
}

/** The parts of the TypeScript API the expansion uses. */
export interface ShorthandParser {
  createSourceFile(name: string, text: string, target: number, setParents?: boolean, kind?: number): Node;
  forEachChild<T>(node: Node, visit: (child: Node) => T | undefined): T | undefined;
  SyntaxKind: { ShorthandPropertyAssignment: number };
  ScriptTarget: { Latest: number };
  ScriptKind: { TS: number };
}

/** The cell with every shorthand property written out. */
export function expandShorthandProperties(ts: ShorthandParser, source: string): string {
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const insertions: { at: number; text: string }[] = [];
  const visit = (node: Node): undefined => {
    if (node.kind === ts.SyntaxKind.ShorthandPropertyAssignment && node.name !== undefined) {
      const name = node.name.getText?.() ?? "";
      if (name !== "") insertions.push({ at: node.name.end, text: `: ${name}` });
    }
    ts.forEachChild(node, visit);
    return undefined;
  };
  visit(file);
  let expanded = source;
  for (const { at, text } of insertions.sort((a, b) => b.at - a.at))
    expanded = expanded.slice(0, at) + text + expanded.slice(at);
  return expanded;
}
