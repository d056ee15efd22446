/**
 * `is_complete_request` for TypeScript (Jupyter protocol "code completeness"): a cell whose only
 * parse errors are "… expected" at its very end is `incomplete` (an unclosed block, a dangling
 * operator), any other parse error is `invalid`, otherwise `complete`.
 */

/** Jupyter's completeness verdicts. */
export type Completeness = { status: "complete" } | { status: "incomplete"; indent: string } | { status: "invalid" };

interface ParseDiagnostic {
  start?: number;
  length?: number;
  messageText: string | { messageText: string };
}

/** The part of the TypeScript module is_complete needs. */
export interface TypeScriptParser {
  createSourceFile(
    name: string,
    text: string,
    target: number,
    setParents?: boolean,
    kind?: number,
  ): { parseDiagnostics?: ParseDiagnostic[] };
  ScriptTarget: { Latest: number };
  ScriptKind: { TS: number };
}

function indentAfter(source: string): string {
  const lastLine = source.slice(source.lastIndexOf("\n") + 1);
  const current = /^\s*/.exec(lastLine)?.[0] ?? "";
  return /[{([]\s*$/.test(lastLine) ? `${current}  ` : current;
}

/** Classifies `source` with the TypeScript parser `ts`. */
export function completeness(ts: TypeScriptParser, source: string): Completeness {
  if (/\n\s*\n\s*$/.test(source)) return { status: "complete" };
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const diagnostics = file.parseDiagnostics ?? [];
  if (diagnostics.length === 0) return { status: "complete" };
  const end = source.trimEnd().length;
  const atEnd = diagnostics.every((d) => {
    const text = typeof d.messageText === "string" ? d.messageText : d.messageText.messageText;
    return (d.start ?? 0) >= end && text.endsWith("expected.");
  });
  return atEnd ? { status: "incomplete", indent: indentAfter(source) } : { status: "invalid" };
}
