/**
 * Help requests in a cell, as IPython's `name?` (Jupyter protocol "payloads": `page`): a cell that
 * is only a name path followed (or preceded) by `?` asks for that name's documentation, which
 * the kernel sends as a pager payload instead of running the cell. `?` can neither start nor end a
 * TypeScript statement, so no valid cell is taken for a help request.
 */

const NAME_PATH = "[A-Za-z_$][\\w$]*(?:\\s*\\.\\s*[A-Za-z_$][\\w$]*)*";
const HELP_REQUEST = new RegExp(`^\\s*(?:\\?\\s*(${NAME_PATH})|(${NAME_PATH})\\s*\\?)\\s*$`);

/** The name path a cell asks help for (`Math.max?` or `?Math.max` → `Math.max`), or undefined for ordinary code. */
export function helpTarget(code: string): string | undefined {
  const match = HELP_REQUEST.exec(code);
  const name = match?.[1] ?? match?.[2];
  return name?.replace(/\s+/g, "");
}
