/**
 * The first cells after a kernel starts, through Jupyter's own client: a cell sent while the
 * kernel's compiler is still being built is checked as strictly as any later cell, sees Node's
 * types and the cell globals, and hands its declarations on. Each case starts its own kernel, so
 * its first cell really is the kernel's first.
 */
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { askKernel, resultText, type ExecuteAnswer } from "./jupyter-requests";

const NOTEBOOKS = resolve(__dirname, "..", "..", "..", "notebooks");

async function firstCells(...cells: string[]): Promise<ExecuteAnswer[]> {
  return (await askKernel(
    cells.map((execute) => ({ execute })),
    NOTEBOOKS,
  )) as ExecuteAnswer[];
}

describe("the first cells of a fresh kernel", () => {
  it("fails a first cell with a type error with the diagnostics a later cell gets", async () => {
    const cell = "const pid: string = process.pid;";
    const [first, later, again] = await firstCells(cell, "process.pid > 0", cell);
    expect(first!.reply).toMatchObject({ status: "error", ename: "TypeScriptError" });
    // Node's types are known: the error is about the type, not an unknown `process`.
    expect(String(first!.reply.evalue)).toMatch(/Type 'number' is not assignable to type 'string'/);
    expect(String(first!.reply.evalue)).not.toMatch(/Cannot find name/);
    expect(later!.reply.status).toBe("ok");
    expect(again!.reply).toMatchObject({ status: "error", ename: "TypeScriptError" });
    expect(first!.reply.evalue).toBe(again!.reply.evalue);
  }, 300_000);

  it("runs a first cell that uses `process` and a node: import", async () => {
    const [first] = await firstCells('import { sep } from "node:path";\n`${process.pid > 0} ${sep}`');
    expect(first!.reply.status).toBe("ok");
    expect(resultText(first)).toBe("'true /'");
  }, 300_000);

  it("runs a first cell using the kernel's cell globals", async () => {
    const [first] = await firstCells("const ask: (message?: string) => string | null = prompt;\ntypeof ask");
    expect(first!.reply.status).toBe("ok");
    expect(resultText(first)).toBe("'function'");
  }, 300_000);

  it("runs `1 + 1` first, then a cell using Node's types", async () => {
    const [first, second] = await firstCells("1 + 1", 'Buffer.from("abc").length');
    expect(first!.reply.status).toBe("ok");
    expect(resultText(first)).toBe("2");
    expect(second!.reply.status).toBe("ok");
    expect(resultText(second)).toBe("3");
  }, 300_000);

  it("carries a first cell's declarations to the next cells", async () => {
    const [first, second, third] = await firstCells("const a = 2", "a * 3", "const b: string = a;");
    expect(first!.reply.status).toBe("ok");
    expect(second!.reply.status).toBe("ok");
    expect(resultText(second)).toBe("6");
    // `a` keeps its declared type: the literal 2, not assignable to string.
    expect(third!.reply).toMatchObject({ status: "error", ename: "TypeScriptError" });
    expect(String(third!.reply.evalue)).toMatch(/Type 'number' is not assignable to type 'string'/);
  }, 300_000);
});
