/**
 * JSDoc read only when asked for: the cell compiler's program parses TypeScript files without
 * their JSDoc comments (TypeScript's `ParseForTypeInfo`: types never depend on JSDoc in a .ts file;
 * .js files keep theirs), which halves the parse of the heavily documented @types/node on the
 * kernel's start (measured here: 465 → 219 ms for its 60 files). The documentation `x?` shows
 * is read on demand, by parsing the declaring file again with its JSDoc, once per file.
 */

/* The compiler's internals are untyped (as in tslab-typescript.ts). */
type Ts = Record<string | symbol, any>;
type Node = any;

/** TypeScript's JSDocParsingMode.ParseForTypeInfo. */
const PARSE_FOR_TYPE_INFO = 3;

/** Sets a watch host to parse TypeScript files without JSDoc. */
export function skipJsDocInTypeScript<H extends object>(host: H): H {
  (host as { jsDocParsingMode?: number }).jsDocParsingMode = PARSE_FOR_TYPE_INFO;
  return host;
}

const reparsed = new WeakMap<object, Node>();

/** The node of `file` (parsed with JSDoc) at the same place and of the same kind as `node`. */
function counterpart(ts: Ts, file: Node, node: Node): Node | undefined {
  let found: Node | undefined;
  const visit = (candidate: Node): void => {
    if (found !== undefined || candidate.pos > node.pos || candidate.end < node.end) return;
    if (candidate.pos === node.pos && candidate.end === node.end && candidate.kind === node.kind) found = candidate;
    else ts.forEachChild(candidate, visit);
  };
  ts.forEachChild(file, visit);
  return found;
}

/** The JSDoc text of a declaration, from its file parsed again with JSDoc ("" when it has none). */
function declarationDocs(ts: Ts, declaration: Node): string {
  const sourceFile = declaration.getSourceFile();
  let full = reparsed.get(sourceFile);
  if (full === undefined) {
    full = ts.createSourceFile(
      sourceFile.fileName,
      sourceFile.text,
      { languageVersion: sourceFile.languageVersion, jsDocParsingMode: 0 },
      true,
    );
    reparsed.set(sourceFile, full);
  }
  const node = counterpart(ts, full, declaration);
  if (node === undefined) return "";
  const texts: string[] = [];
  for (const doc of ts.getJSDocCommentsAndTags(node)) {
    if (ts.isJSDoc(doc) && doc.comment !== undefined) texts.push(ts.getTextOfJSDocComment(doc.comment) ?? "");
  }
  return texts.filter((t) => t !== "").join("\n");
}

/** Quick info's documentation parts for a symbol: its own, else read from its declarations' files. */
export function documentationParts(
  ts: Ts,
  symbol: Node,
  parsed: readonly { text: string }[] | undefined,
): readonly { text: string; kind: string }[] | undefined {
  if (parsed !== undefined && parsed.some((part) => part.text !== ""))
    return parsed as { text: string; kind: string }[];
  for (const declaration of symbol?.declarations ?? []) {
    const text = declarationDocs(ts, declaration);
    if (text !== "") return [{ text, kind: "text" }];
  }
  return parsed as { text: string; kind: string }[] | undefined;
}
