/** The table the runner prints after a run: one aligned row per notebook, key figures at 4 significant digits. */
import { describe, expect, it } from "vitest";
import { summaryTable } from "../../../src/runner/cli";
import type { NotebookRunResult } from "../../../src/runner";

const run = (fields: Partial<NotebookRunResult>): NotebookRunResult =>
  ({
    notebook: "/x/00_a.ipynb",
    seconds: 1,
    status: "ok",
    skippedCells: [],
    figures: {},
    ...fields,
  }) as NotebookRunResult;

describe("summaryTable", () => {
  it("aligns every column under its header and says where a notebook failed", () => {
    const lines = summaryTable([
      run({ backend: "wasm", seconds: 5.23, cpuSeconds: 6.2, figures: { accuracy: 0.876123, workers: 2 } }),
      run({ notebook: "/x/01_longer_name.ipynb", seconds: 12.1, status: "error", failure: { cellIndex: 3 } as never }),
    ]).split("\n");
    expect(lines[0]).toMatch(/^notebook\s+backend\s+seconds\s+cpu s\s+status\s+key figures$/);
    expect(lines[1]).toMatch(/^-+( {2}-+){5}$/);
    expect(lines[2]).toMatch(/^00_a\.ipynb\s+wasm\s+5\.2\s+6\.2\s+ok\s+accuracy=0\.8761, workers=2$/);
    expect(lines[3]).toMatch(/^01_longer_name\.ipynb\s+-\s+12\.1\s+-\s+FAILED at cell 3$/);
    const statusColumn = lines[0]!.indexOf("status");
    expect(lines.slice(2).map((line) => line.slice(statusColumn).split(" ")[0])).toEqual(["ok", "FAILED"]);
  });
});
