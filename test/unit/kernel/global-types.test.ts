/**
 * The cell compiler's program in its two stages, in this process: the ES lib alone, then with the
 * global types (@types/node, the kernel's cell globals) added to the same program.
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createCellCompiler,
  type CellCompiler,
  type ConvertedCell,
} from "../../../src/kernel/compiler/typescript-bridge";

const ROOT = resolve(__dirname, "..", "..", "..");

const messages = (cell: ConvertedCell) => cell.diagnostics.map((d) => d.messageText).join("\n");

describe("the cell compiler's global types", () => {
  let compiler: CellCompiler;
  let before: { pid: ConvertedCell; prompt: ConvertedCell; declared: ConvertedCell; typeError: ConvertedCell };
  beforeAll(() => {
    compiler = createCellCompiler(ROOT, ROOT);
    before = {
      pid: compiler.convert("", "process.pid"),
      prompt: compiler.convert("", "prompt"),
      declared: compiler.convert("", "const a = [1, 2].map((n) => n * 2);"),
      typeError: compiler.convert("", "const n: number = 'two';"),
    };
    expect(compiler.hasGlobalTypes()).toBe(false);
    compiler.addGlobalTypes();
  }, 120_000);
  afterAll(() => compiler.close());

  it("knows neither Node's globals nor the cell globals before addGlobalTypes()", () => {
    expect(messages(before.pid)).toMatch(/Cannot find name 'process'/);
    expect(messages(before.prompt)).toMatch(/Cannot find name 'prompt'/);
  });

  it("knows both after it, in the same compiler", () => {
    expect(compiler.hasGlobalTypes()).toBe(true);
    expect(compiler.convert("", "process.pid").diagnostics).toEqual([]);
    expect(compiler.convert("", "const ask: (message?: string) => string | null = prompt;").diagnostics).toEqual([]);
    expect(compiler.convert("", 'import { sep } from "node:path";\nsep').diagnostics).toEqual([]);
  });

  it("converts a cell on the ES lib as it does with the global types, and reports the same type errors", () => {
    const after = compiler.convert("", "const a = [1, 2].map((n) => n * 2);");
    expect(before.declared.diagnostics).toEqual([]);
    expect(before.declared.declOutput).toBe(after.declOutput);
    expect(before.declared.output).toBe(after.output);
    expect(before.typeError.diagnostics).toEqual(compiler.convert("", "const n: number = 'two';").diagnostics);
  });

  it("tells cells that name other files from cells that do not", () => {
    const imports = ['import fs from "node:fs";', 'export * from "./x";', 'const m = await import("./x");'];
    for (const cell of [...imports, 'const r = require("x");', '/// <reference types="node" />']) {
      expect(compiler.readsOtherFiles(cell), cell).toBe(true);
    }
    for (const cell of ["1 + 1", "const imported = 'import x from \"y\"';", "// import fs from 'fs'"]) {
      expect(compiler.readsOtherFiles(cell), cell).toBe(false);
    }
  });
});
