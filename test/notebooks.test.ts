/**
 * Runs every notebook in notebooks/ headless, in the test profile, through Jupyter's own client —
 * `jupyter nbconvert --execute` with the project kernel from this checkout, as CI users run them —
 * leaving out the cells tagged slow or gpu. A failing cell fails its test with nbconvert's report
 * (the cell's source and its traceback), and so does an error shown by a cell not tagged
 * raises-exception, a figure with an axis left untitled, or a closing count of tensors still
 * allocated that is not zero (a cell that leaks). Two notebooks run at a time, each kernel on one
 * training thread: a kernel spends most of its time on one core, and the machine has two. The
 * project's own runner (`npm run workbook`) has its tests in test/unit/runner.
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, it } from "vitest";
import { CHECKOUT_KERNELSPECS } from "./unit/kernel/jupyter-requests";
import { figuresWithUntitledAxes } from "./figure-axes";

const NOTEBOOKS = resolve(__dirname, "..", "notebooks");
const OUT = resolve(__dirname, "..", "out", "test-notebooks");
const notebooks = readdirSync(NOTEBOOKS)
  .filter((name) => name.endsWith(".ipynb"))
  .sort();

/** Executes notebooks/`name` with nbconvert into OUT; rejects with nbconvert's own report of the failing cell. */
async function nbconvert(name: string): Promise<void> {
  const args = [
    ...["-m", "nbconvert", "--to", "notebook", "--execute", "--output-dir", OUT],
    "--ExecutePreprocessor.kernel_name=lepton",
    "--ExecutePreprocessor.timeout=600",
    "--TagRemovePreprocessor.enabled=True",
    ...["--TagRemovePreprocessor.remove_cell_tags", "slow", "--TagRemovePreprocessor.remove_cell_tags", "gpu"],
    join(NOTEBOOKS, name),
  ];
  try {
    await promisify(execFile)("/usr/bin/python3", args, {
      cwd: NOTEBOOKS,
      encoding: "utf8",
      maxBuffer: 1 << 26,
      timeout: 14 * 60_000,
      env: {
        ...process.env,
        JUPYTER_PATH: [CHECKOUT_KERNELSPECS, process.env.JUPYTER_PATH].filter(Boolean).join(":"),
        LEPTON_PROFILE: "test",
        LEPTON_WASM_THREADS: "1",
        PYTHONDONTWRITEBYTECODE: "1",
      },
    });
  } catch (error) {
    const { stderr = "", signal } = error as { stderr?: string; signal?: string };
    const report = stderr
      .split("\n")
      .filter((line) => !line.startsWith("[NbConvertApp]"))
      .join("\n")
      .trim();
    throw new Error(`${name} failed${signal ? ` (killed by ${signal})` : ""}:\n${report.slice(-6000)}`);
  }
}

describe("notebooks run headless in the test profile through nbconvert", { concurrent: true }, () => {
  it("has notebooks to run", ({ expect }) => {
    expect(notebooks.length).toBeGreaterThan(0);
  });

  for (const name of notebooks) {
    it(name, { timeout: 15 * 60_000 }, async ({ expect }) => {
      await nbconvert(name);
      const executed = JSON.parse(readFileSync(join(OUT, name), "utf8")) as {
        cells: {
          metadata?: { tags?: string[] };
          outputs?: { output_type: string; data?: Record<string, unknown>; text?: string | string[] }[];
        }[];
      };
      const outputs = executed.cells.flatMap((cell) => cell.outputs ?? []);
      // Only a cell tagged raises-exception may show an error (nbconvert goes on after it, as Jupyter does).
      const unexpected = executed.cells
        .filter((cell) => !(cell.metadata?.tags ?? []).includes("raises-exception"))
        .flatMap((cell) => (cell.outputs ?? []).filter((output) => output.output_type === "error"));
      expect(unexpected).toEqual([]);
      expect(figuresWithUntitledAxes(executed)).toEqual([]);
      const printed = outputs.map((output) => [output.text ?? ""].flat().join(""));
      const leftovers = printed.flatMap((text) =>
        [...text.matchAll(/tensors still allocated: (\d+)/g)].map((m) => Number(m[1])),
      );
      expect(leftovers.filter((count) => count !== 0)).toEqual([]);
    });
  }
});
