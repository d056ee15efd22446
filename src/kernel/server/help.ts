/**
 * Help requests in a cell, as IPython's `name?` (Jupyter protocol "payloads": `page`): a cell that
 * is only a name path followed (or preceded) by `?` asks for that name's documentation (`??`: and
 * its definition's source), which
 * the kernel sends as a pager payload instead of running the cell. `?` can neither start nor end a
 * TypeScript statement, so no valid cell is taken for a help request.
 */

const NAME_PATH = "[A-Za-z_$][\\w$]*(?:\\s*\\.\\s*[A-Za-z_$][\\w$]*)*";
const HELP_REQUEST = new RegExp(`^\\s*(?:(\\?\\??)\\s*(${NAME_PATH})|(${NAME_PATH})\\s*(\\?\\??))\\s*$`);

/** A help request: the name path, and the detail asked for (`?` → 0, `??` → 1: with the definition's source). */
export interface HelpRequest {
  readonly name: string;
  readonly detailLevel: 0 | 1;
}

/** The help a cell asks for (`Math.max?`, `?Math.max`, `Math.max??` …), or undefined for ordinary code. */
export function helpRequest(code: string): HelpRequest | undefined {
  const match = HELP_REQUEST.exec(code);
  if (match === null) return undefined;
  const name = (match[2] ?? match[3])!.replace(/\s+/g, "");
  const marks = match[1] ?? match[4] ?? "?";
  return { name, detailLevel: marks.length >= 2 ? 1 : 0 };
}
