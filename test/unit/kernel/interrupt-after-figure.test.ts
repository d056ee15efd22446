/**
 * An interrupt is never an exit, even after a figure started Chromium for its static image: puppeteer's own SIGINT
 * handler used to end the whole kernel (exit code 130), which Jupyter's interrupt button and every graceful
 * shutdown (jupyter_client interrupts before it asks) both triggered.
 */
import { describe, expect, it } from "vitest";
import { useNotebookKernel } from "./notebook-kernel";
import { chromiumPath } from "../../../src/display/static-image";

const kernel = useNotebookKernel();

describe("an interrupt after a figure", () => {
  it.skipIf(chromiumPath() === undefined)(
    "leaves the kernel running, with its state",
    async () => {
      const drawn = await kernel().execute(
        'import { figure, lineTrace, show } from "../src/display";\n' +
          "const kept = 41;\n" +
          'await show(figure([lineTrace([1, 2], [3, 4], "y")], { xaxis: { title: { text: "x" } }, yaxis: { title: { text: "y" } } }));',
        { timeoutMs: 120_000 },
      );
      expect(drawn.reply.status).toBe("ok");
      const images = drawn.iopub.filter((m) => (m.content.data as Record<string, unknown> | undefined)?.["image/png"]);
      expect(images.length).toBe(1);
      await kernel().interrupt();
      await new Promise((done) => setTimeout(done, 1000));
      expect(kernel().alive).toBe(true);
      const after = await kernel().execute("kept + 1", { timeoutMs: 60_000 });
      expect(after.reply.status).toBe("ok");
      expect(
        after.iopub.some((m) => (m.content.data as Record<string, unknown> | undefined)?.["text/plain"] === "42"),
      ).toBe(true);
    },
    240_000,
  );
});
