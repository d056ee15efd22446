/**
 * The overview's section map (notebooks/00_overview.ipynb) stays true: every numbered heading of
 * both documents has a row, every row says where or why not, and every heading it names exists in
 * its notebook.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "..", "..");
const NOTEBOOKS = join(ROOT, "notebooks");
const SEEDS = resolve(ROOT, "..", "shared", "seeds");
/** Notebooks the map names before they are in notebooks/: checked like the others once they are. */
const ANNOUNCED = new Set(["09_compression_selection", "10_security_energy_storage"]);

interface MapRow {
  readonly document: string;
  readonly section: string;
  readonly notebook: string;
  readonly where: string;
}

function markdownOf(notebookFile: string): string[] {
  const notebook = JSON.parse(readFileSync(notebookFile, "utf8")) as {
    cells: { cell_type: string; source: string | string[] }[];
  };
  return notebook.cells
    .filter((c) => c.cell_type === "markdown")
    .map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source));
}

function headingsOf(notebookFile: string): Set<string> {
  return new Set(
    markdownOf(notebookFile).flatMap((text) =>
      text
        .split("\n")
        .filter((line) => /^#{1,4} /.test(line))
        .map((line) => line.replace(/^#+ /, "").trim()),
    ),
  );
}

const ROW = /^\| (000|001) §([\d.]+) \| [^|]+ \| ([^|]+) \| (.+) \|$/;
const rows: MapRow[] = markdownOf(join(NOTEBOOKS, "00_overview.ipynb"))
  .flatMap((text) => text.split("\n"))
  .flatMap((line) => {
    const match = ROW.exec(line);
    return match === null
      ? []
      : [{ document: match[1]!, section: match[2]!, notebook: match[3]!.trim(), where: match[4]!.trim() }];
  });

describe("the overview's section map", () => {
  it("has rows for both documents", () => {
    expect(rows.filter((r) => r.document === "000").length).toBeGreaterThan(10);
    expect(rows.filter((r) => r.document === "001").length).toBeGreaterThan(10);
  });

  it("gives every section a notebook and heading, or a reason", () => {
    const problems: string[] = [];
    for (const row of rows) {
      const label = `${row.document} §${row.section}`;
      if (row.notebook === "—") {
        if (!/^not covered\b.{10,}/.test(row.where)) problems.push(`${label}: no notebook and no reason`);
        continue;
      }
      const name = /^`([\w-]+)`$/.exec(row.notebook)?.[1];
      if (name === undefined) {
        problems.push(`${label}: notebook column "${row.notebook}" is not a notebook name in backticks`);
        continue;
      }
      const file = join(NOTEBOOKS, `${name}.ipynb`);
      if (!existsSync(file)) {
        if (!ANNOUNCED.has(name)) problems.push(`${label}: no notebook ${name}.ipynb`);
        else if (row.where !== "—")
          problems.push(`${label}: ${name} is not in notebooks/ yet, so no heading of it can be named`);
        continue;
      }
      if (row.where !== "—" && !headingsOf(file).has(row.where))
        problems.push(`${label}: ${name} has no heading "${row.where}"`);
    }
    expect(problems).toEqual([]);
  });

  const seedFiles = existsSync(SEEDS) ? readdirSync(SEEDS).filter((f) => /^00[01]_.*\.txt$/.test(f)) : [];
  it.skipIf(seedFiles.length === 0)("lists every numbered heading of both documents", () => {
    const missing: string[] = [];
    for (const file of seedFiles) {
      const document = file.slice(0, 3);
      const listed = new Set(rows.filter((r) => r.document === document).map((r) => r.section));
      const numbered = readFileSync(join(SEEDS, file), "utf8")
        .split("\n")
        .flatMap((line) => {
          const match = /^#{2,4} (\d+(?:\.\d+)*)\.?\s/.exec(line);
          return match === null ? [] : [match[1]!];
        });
      for (const section of new Set(numbered)) if (!listed.has(section)) missing.push(`${document} §${section}`);
    }
    expect(missing).toEqual([]);
  });
});
