import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCommand } from "../../../src/runner/cli";
import type { Notebook } from "../../../src/runner/notebook";
import { formatFailure, runNotebook } from "../../../src/runner/run-notebook";
import { code, markdown, srcImport, writeFixture } from "./notebook-fixtures";
const readOut = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Notebook;

function errorNotebook(): string {
  return writeFixture("boom.ipynb", [
    markdown("# a notebook that fails in cell 3"),
    code("const a: number = 41;"),
    code("console.log('before');"),
    code('throw new Error("boom");'),
    code("console.log('never');"),
  ]);
}

describe("runNotebook with the project kernel", () => {
  it("stops at the failing cell, reports it in full and writes the partial notebook", async () => {
    const path = errorNotebook();
    const outPath = join(dirname(path), "out", "boom.ipynb");
    const result = await runNotebook(path, { outPath, cellTimeoutMs: 60_000 });
    expect(result.status).toBe("error");
    expect(result.failure).toMatchObject({
      cellIndex: 3,
      firstLine: 'throw new Error("boom");',
      ename: "Error",
      evalue: "boom",
    });
    expect(result.failure!.traceback.length).toBeGreaterThan(0);
    const text = formatFailure(result.failure!);
    expect(text).toContain("cell 3");
    expect(text).toContain("Error: boom");

    const executed = readOut(outPath);
    expect(executed.nbformat_minor).toBeGreaterThanOrEqual(5);
    expect(executed.cells.every((cell) => typeof cell.id === "string")).toBe(true);
    expect(executed.cells[2]!.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "before\n" }]);
    expect(executed.cells[3]!.outputs![0]).toMatchObject({ output_type: "error", ename: "Error", evalue: "boom" });
    expect(executed.cells[4]!.execution_count).toBeNull();
    expect(executed.cells[4]!.outputs).toEqual([]);
  });

  it("interrupts a cell that runs past its timeout and fails the run", async () => {
    const path = writeFixture("slow.ipynb", [
      code("const started = Date.now();"),
      code("await new Promise<void>((done) => setTimeout(done, 60_000));"),
      code("console.log('never');"),
    ]);
    const result = await runNotebook(path, { cellTimeoutMs: 10_000 });
    expect(result.status).toBe("error");
    expect(result.failure).toMatchObject({ cellIndex: 1, ename: "CellTimeoutError" });
    expect(result.seconds).toBeLessThan(45);
  });

  it("skips skip-execution, slow and gpu cells unless asked, and runs them when asked", async () => {
    const path = writeFixture("tags.ipynb", [
      code("console.log('runs');"),
      code('throw new Error("skipped: skip-execution");', ["skip-execution"]),
      code('throw new Error("slow ran");', ["slow"]),
      code('throw new Error("gpu ran");', ["gpu"]),
    ]);
    const plain = await runNotebook(path);
    expect(plain.status).toBe("ok");
    expect(plain.executedCells).toBe(1);
    expect(plain.skippedCells.map((s) => s.cellIndex)).toEqual([1, 2, 3]);

    const withSlow = await runNotebook(path, { includeTags: ["slow"] });
    expect(withSlow.failure).toMatchObject({ cellIndex: 2, evalue: "slow ran" });
  });

  it("goes on after an error in a cell tagged raises-exception", async () => {
    const path = writeFixture("expected.ipynb", [
      code('throw new RangeError("expected");', ["raises-exception"]),
      code("console.log('after');"),
    ]);
    const outPath = join(dirname(path), "out.ipynb");
    const result = await runNotebook(path, { outPath });
    expect(result.status).toBe("ok");
    const executed = readOut(outPath);
    expect(executed.cells[0]!.outputs![0]).toMatchObject({
      output_type: "error",
      ename: "RangeError",
      evalue: "expected",
    });
    expect(executed.cells[1]!.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "after\n" }]);
  });

  it("captures display outputs, results and key figures in the executed notebook", async () => {
    const path = writeFixture("display.ipynb", (dir) => [
      code(`import { keyFigures } from "${srcImport(dir, "display/key-figures")}";`),
      code('keyFigures({ accuracy: 0.875, backendName: "cpu" });'),
      code("6 * 7"),
    ]);
    const outPath = join(dirname(path), "out.ipynb");
    const result = await runNotebook(path, { outPath });
    expect(result.failure).toBeUndefined();
    expect(result.figures).toEqual({ accuracy: 0.875, backendName: "cpu" });
    const executed = readOut(outPath);
    const shown = executed.cells[1]!.outputs![0]!;
    expect(shown.output_type).toBe("display_data");
    if (shown.output_type === "display_data") {
      expect(shown.data["application/vnd.lepton.figures+json"]).toEqual({ accuracy: 0.875, backendName: "cpu" });
      expect(shown.data["text/plain"]).toContain("accuracy: 0.8750");
    }
    const value = executed.cells[2]!.outputs![0]!;
    expect(value).toMatchObject({ output_type: "execute_result", data: { "text/plain": "42" } });
    expect(executed.cells[2]!.execution_count).toBe(3);
  });
});

describe("lepton run", () => {
  afterEach(() => vi.restoreAllMocks());

  it("exits non-zero and prints the cell index, the error and the summary", async () => {
    const path = errorNotebook();
    const printed: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void printed.push(args.join(" ")));
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void printed.push(args.join(" ")));
    const code = await runCommand([path, "--out", join(dirname(path), "out"), "--quiet"]);
    expect(code).toBe(1);
    const text = printed.join("\n");
    expect(text).toContain("cell 3");
    expect(text).toContain("Error: boom");
    expect(text).toMatch(/boom\.ipynb\s+\S+\s+\d+\.\d\s+(\d+\.\d|-)\s+FAILED at cell 3/);
    expect(text).toContain("0 passed, 1 failed");
  });

  it("reports an unreadable notebook by name and still runs the others", async () => {
    const good = writeFixture("good.ipynb", [code("console.log('fine');")]);
    const bad = join(dirname(good), "bad.ipynb");
    writeFileSync(bad, "{ not json");
    const printed: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void printed.push(args.join(" ")));
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void printed.push(args.join(" ")));
    const code_ = await runCommand([bad, good, "--out", join(dirname(good), "out"), "--quiet"]);
    expect(code_).toBe(1);
    const text = printed.join("\n");
    expect(text).toMatch(
      /bad\.ipynb: failed before any cell ran \(reading the notebook\)\nNotebookFormatError: .*bad\.ipynb: cannot read notebook JSON/,
    );
    expect(text).toContain("1 passed, 1 failed");
  });

  it("refuses a command line without notebooks or with an unknown tag", async () => {
    await expect(runCommand([])).rejects.toThrow(/no \.ipynb files/);
    await expect(runCommand(["x.ipynb", "--include", "fast"])).rejects.toThrow(/unknown tag "fast"/);
  });
});
