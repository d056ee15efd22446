/**
 * Runs every notebook in notebooks/ headless, in the test profile, through the project kernel —
 * the same path as `npm run workbook`. A failing cell fails its test with the runner's full report;
 * a figure with an axis left untitled fails it too, and so does a notebook whose closing count of
 * tensors still allocated is not zero (a cell that leaks). Two notebooks run at a time, each kernel
 * on one training thread: a kernel spends most of its time on one core, and the machine has two.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "vitest";
import { formatFailure, runNotebook } from "../src/runner/run-notebook";
import { figuresWithUntitledAxes } from "./figure-axes";

const NOTEBOOKS = resolve(__dirname, "..", "notebooks");
const OUT = resolve(__dirname, "..", "out", "test-notebooks");
const notebooks = readdirSync(NOTEBOOKS)
  .filter((name) => name.endsWith(".ipynb"))
  .sort();

describe("notebooks run headless in the test profile", { concurrent: true }, () => {
  it("has notebooks to run", ({ expect }) => {
    expect(notebooks.length).toBeGreaterThan(0);
  });

  for (const name of notebooks) {
    it(name, { timeout: 15 * 60_000 }, async ({ expect }) => {
      const result = await runNotebook(join(NOTEBOOKS, name), {
        outPath: join(OUT, name),
        cellTimeoutMs: 10 * 60_000,
        env: { LEPTON_PROFILE: "test", LEPTON_WASM_THREADS: "1" },
      });
      if (result.failure !== undefined) throw new Error(formatFailure(result.failure));
      expect(result.status).toBe("ok");
      const executed = JSON.parse(readFileSync(join(OUT, name), "utf8")) as {
        cells: { outputs?: { data?: Record<string, unknown>; text?: string | string[] }[] }[];
      };
      expect(figuresWithUntitledAxes(executed)).toEqual([]);
      const printed = executed.cells
        .flatMap((cell) => cell.outputs ?? [])
        .map((output) => [output.text ?? ""].flat().join(""));
      const leftovers = printed.flatMap((text) =>
        [...text.matchAll(/tensors still allocated: (\d+)/g)].map((m) => Number(m[1])),
      );
      expect(leftovers.filter((count) => count !== 0)).toEqual([]);
    });
  }
});
