/**
 * The import graph follows the layers: a room imports only rooms on its own layer's left or on a
 * lower layer, and notebooks import a room through its index only. Every relative import in src/
 * (static, `export … from`, dynamic `import()` and `require()`) is read as text, so the test needs
 * no build and fails on the first arrow that runs up.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "..", "..");
const SRC = join(ROOT, "src");

/** Layers, lowest first; within a layer, rooms from left to right. */
const LAYERS: readonly (readonly string[])[] = [
  ["errors", "config", "random", "cancellation", "jupyter", "display", "io"],
  ["data", "math", "backends", "resources"],
  ["models", "features", "training"],
  ["distributed", "compression"],
  ["kernel", "runner", "cli"],
];

/** Where a room sits: its layer, then its place from the left. */
const RANK = new Map(LAYERS.flatMap((rooms, layer) => rooms.map((room, column) => [room, { layer, column }] as const)));

function roomOf(file: string): string {
  const first = relative(SRC, file).split(/[\\/]/)[0]!;
  return first.replace(/\.(ts|js)$/, "");
}

/** May `from` import `to`? The same room, a room further left on the same layer, or a lower layer. */
function mayImport(from: string, to: string): boolean {
  if (from === to) return true;
  const a = RANK.get(from);
  const b = RANK.get(to);
  if (a === undefined || b === undefined) return false;
  return b.layer < a.layer || (b.layer === a.layer && b.column < a.column);
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs|cjs)$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']/gm;

/** The relative imports of a source text (comments included: a commented-out import is still read). */
function relativeImports(text: string): string[] {
  return [...text.matchAll(SPECIFIER)].map((match) => match[1]!);
}

interface Arrow {
  readonly file: string;
  readonly specifier: string;
  readonly from: string;
  readonly to: string;
}

function arrows(): Arrow[] {
  return sourceFiles(SRC).flatMap((file) =>
    relativeImports(readFileSync(file, "utf8")).flatMap((specifier) => {
      const target = resolve(dirname(file), specifier);
      // A specifier in an example string that names no file is not an import.
      if (!target.startsWith(SRC) || !["", ".ts", ".js", "/index.ts"].some((end) => existsSync(target + end)))
        return [];
      return [{ file: relative(ROOT, file), specifier, from: roomOf(file), to: roomOf(target) }];
    }),
  );
}

describe("the import graph", () => {
  it("reads imports of every form", () => {
    const text =
      'import a from "../x";\nexport { b } from "./y";\nconst c = await import("../z");\nrequire("./w");\nimport "./side";';
    expect(relativeImports(text)).toEqual(["../x", "./y", "../z", "./w", "./side"]);
  });

  it("knows the direction of the layers", () => {
    expect(mayImport("training", "models")).toBe(true);
    expect(mayImport("models", "training")).toBe(false);
    expect(mayImport("io", "models")).toBe(false);
    expect(mayImport("kernel", "runner")).toBe(false);
    expect(mayImport("runner", "jupyter")).toBe(true);
  });

  it("places every room of src/ on a layer", () => {
    const rooms = readdirSync(SRC).map((name) => name.replace(/\.(ts|js)$/, ""));
    expect(rooms.filter((room) => !RANK.has(room))).toEqual([]);
  });

  it("has no import running up the layers", () => {
    const all = arrows();
    expect(all.length).toBeGreaterThan(100);
    const upward = all
      .filter((arrow) => !mayImport(arrow.from, arrow.to))
      .map((a) => `${a.file}: ${a.from} → ${a.to} (${a.specifier})`);
    expect(upward).toEqual([]);
  });

  it("lets notebooks import a room only through its index", () => {
    const notebooks = join(ROOT, "notebooks");
    const deep = readdirSync(notebooks)
      .filter((name) => name.endsWith(".ipynb"))
      .flatMap((name) => {
        const cells = (
          JSON.parse(readFileSync(join(notebooks, name), "utf8")) as {
            cells: { cell_type: string; source: string | string[] }[];
          }
        ).cells;
        const code = cells
          .filter((cell) => cell.cell_type === "code")
          .map((cell) => (Array.isArray(cell.source) ? cell.source.join("") : cell.source));
        return code.flatMap((text) =>
          relativeImports(text)
            .filter((specifier) => !/^\.\.\/src\/[\w-]+$/.test(specifier))
            .map((specifier) => `${name}: ${specifier}`),
        );
      });
    expect(deep).toEqual([]);
    // cli/ is the command line (src/cli/lepton.js), not a library room: nothing imports it.
    for (const room of LAYERS.flat().filter((name) => name !== "cli")) {
      const index = join(SRC, room);
      if (existsSync(index) && statSync(index).isDirectory())
        expect(existsSync(join(index, "index.ts")), `src/${room}/index.ts`).toBe(true);
    }
  });
});
