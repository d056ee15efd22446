/**
 * plotly.js travels once per notebook, in the first figure's output. Re-running that cell replaces
 * the output that carried it, so the kernel sends the library again there (front ends give the
 * cell's id in the request's metadata, as JupyterLab and nbclient do); other cells never repeat it.
 */
import { describe, expect, it } from "vitest";
import { useNotebookKernel } from "./notebook-kernel";

const kernel = useNotebookKernel();

const FIGURE =
  'await show(figure([lineTrace([1, 2], [3, 4], "y")], { xaxis: { title: { text: "x" } }, yaxis: { title: { text: "y" } } }));';

async function carriesLibrary(cellId: string, code: string): Promise<boolean> {
  const result = await kernel().execute(code, { cellId, timeoutMs: 120_000 });
  expect(result.reply.status).toBe("ok");
  const html = result.iopub
    .filter((m) => m.header.msg_type === "display_data")
    .map((m) => String((m.content.data as Record<string, unknown>)["text/html"] ?? ""));
  expect(html.length).toBeGreaterThan(0);
  return html.some((text) => text.length > 1_000_000);
}

describe("plotly.js in a notebook whose first figure cell runs again", () => {
  it("is sent again with that cell, and only with it", async () => {
    await kernel().execute('import { figure, lineTrace, show } from "../src/display";', {
      cellId: "imports",
      timeoutMs: 120_000,
    });
    expect(await carriesLibrary("first-figure", FIGURE)).toBe(true);
    expect(await carriesLibrary("second-figure", FIGURE)).toBe(false);
    expect(await carriesLibrary("first-figure", FIGURE)).toBe(true);
    expect(await carriesLibrary("second-figure", FIGURE)).toBe(false);
  }, 240_000);
});
