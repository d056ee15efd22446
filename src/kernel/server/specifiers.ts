/**
 * Relative import specifiers in a cell are written from the notebook's folder
 * (`../src/display` in notebooks/); the converter and the runtime resolve them from the project
 * root. This rewrites them (same line count, so diagnostics keep their line numbers).
 */
import { isAbsolute, relative, resolve } from "node:path";

const RELATIVE_SPECIFIER =
  /(\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(["'])(\.\.?\/[^"'\n]*|\.\.?)\2/gm;

/** Rewrites `./` and `../` specifiers from `notebookDir`-relative to `projectRoot`-relative. */
export function rebaseRelativeSpecifiers(source: string, notebookDir: string, projectRoot: string): string {
  if (resolve(notebookDir) === resolve(projectRoot)) return source;
  return source.replace(RELATIVE_SPECIFIER, (_match, lead: string, quote: string, specifier: string) => {
    const target = resolve(notebookDir, specifier);
    let rebased = relative(projectRoot, target).split("\\").join("/");
    if (isAbsolute(rebased) || rebased.startsWith("..")) rebased = target;
    else rebased = rebased === "" ? "." : `./${rebased}`;
    return `${lead}${quote}${rebased}${quote}`;
  });
}
