/**
 * README's notebook table matches the notebooks: one row per notebook in notebooks/, and every
 * document section a row names appears in that notebook's own "Sections … covered" line.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "..", "..");
const NOTEBOOKS = join(ROOT, "notebooks");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const notebookSection = readme.slice(
  readme.indexOf("## The notebooks"),
  readme.indexOf("\n## ", readme.indexOf("## The notebooks") + 1),
);
const rows = new Map(
  notebookSection.split("\n").flatMap((line) => {
    const match = /^\| `([\w-]+)` \| ([^|]*) \|/.exec(line);
    return match === null ? [] : [[match[1]!, match[2]!] as const];
  }),
);
const notebooks = readdirSync(NOTEBOOKS)
  .filter((f) => f.endsWith(".ipynb"))
  .map((f) => f.replace(/\.ipynb$/, ""))
  .sort();

function sectionsLine(name: string): string {
  const notebook = JSON.parse(readFileSync(join(NOTEBOOKS, `${name}.ipynb`), "utf8")) as {
    cells: { source: string | string[] }[];
  };
  const first = notebook.cells[0]!.source;
  const text = Array.isArray(first) ? first.join("") : first;
  return text.split("\n").find((line) => line.startsWith("**Sections")) ?? "";
}

describe("README's notebook table", () => {
  it("has one row per notebook, and no row for a notebook that is not there", () => {
    expect([...rows.keys()].sort()).toEqual(notebooks);
  });

  it("names only sections the notebook's own header lists", () => {
    const problems: string[] = [];
    for (const [name, documents] of rows) {
      if (!notebooks.includes(name)) continue;
      const header = sectionsLine(name);
      for (const section of documents.match(/§[\d.]+\d/g) ?? []) {
        if (!header.includes(section)) problems.push(`${name}: README names ${section}, its header does not`);
      }
    }
    expect(problems).toEqual([]);
  });
});
