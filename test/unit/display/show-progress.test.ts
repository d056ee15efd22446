import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  clearOutput,
  html,
  markdown,
  progressBar,
  ProgressOptionsError,
  show,
  ShowOptionsError,
  table,
} from "../../../src/display";
import { installSink } from "../../../src/display/sink";
import { expectWellFormed, recordingSink, text } from "./helpers";
import { useCpuBackend } from "../backend-setup";

useCpuBackend();
afterEach(() => {
  installSink(undefined);
  vi.restoreAllMocks();
  vi.useRealTimers();
});

function captureLog() {
  const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
  return () => log.mock.calls.map((call) => String(call[0]));
}

describe("show", () => {
  it("displays well-formed bundles through the installed sink", async () => {
    const { sink, calls } = recordingSink();
    installSink(sink);
    await show(markdown("# hi"));
    await show(table([{ a: 1 }]));
    await show(html("<b>x</b>", "x"), { metadata: { isolated: true } });
    await show({ plain: "object" });
    const t = tf.tensor1d([1, 2]);
    await show(t);
    t.dispose();
    expect(calls.map((c) => c.kind)).toEqual(["display", "display", "display", "display", "display"]);
    calls.forEach((c) => expectWellFormed(c.bundle));
    expect(calls.map((c) => Object.keys(c.bundle!).sort())).toEqual([
      ["text/html", "text/markdown", "text/plain"],
      ["text/html", "text/plain"],
      ["text/html", "text/plain"],
      ["text/plain"],
      ["text/html", "text/plain"],
    ]);
    expect(calls[2]!.options).toEqual({ displayId: undefined, metadata: { isolated: true } });
    expect(calls[3]!.bundle!["text/plain"]).toBe("{ plain: 'object' }");
  });

  it("prints plain text when no kernel is present", async () => {
    const lines = captureLog();
    await show(markdown("plain words"));
    await show({ a: 1 });
    await show("a string, as is");
    const t = tf.tensor1d([5]);
    await show(t);
    t.dispose();
    expect(lines()).toEqual([
      "plain words",
      "{ a: 1 }",
      "a string, as is",
      "Tensor [1] float32\n  min 5 · max 5 · mean 5\n  [5]",
    ]);
  });

  it("replaces an output by display id, and refuses an update without one", async () => {
    const { sink, calls } = recordingSink();
    installSink(sink);
    await show(markdown("step 1"), { displayId: "status" });
    await show(markdown("step 2"), { displayId: "status", update: true });
    expect(calls.map((c) => [c.kind, c.options?.displayId, c.bundle!["text/plain"]])).toEqual([
      ["display", "status", "step 1"],
      ["update", "status", "step 2"],
    ]);
    await expect(show(markdown("x"), { update: true })).rejects.toThrow(ShowOptionsError);
  });

  it("clearOutput reaches the sink inside a kernel and does nothing outside", () => {
    clearOutput();
    const { sink, calls } = recordingSink();
    installSink(sink);
    clearOutput({ wait: true });
    expect(calls).toEqual([{ kind: "clear", wait: true }]);
  });
});

describe("progressBar inside a kernel", () => {
  it("displays once, then updates that same display id, throttled, ending on the final state", () => {
    vi.useFakeTimers();
    const { sink, calls } = recordingSink();
    installSink(sink);
    const bar = progressBar({ total: 100, label: "epoch <1>", intervalMs: 100 });
    for (let step = 1; step <= 100; step += 1) {
      vi.advanceTimersByTime(10); // 10 ms per step: 1 s in all, so about 10 updates pass the throttle
      bar.update(step, `loss ${(1 / step).toFixed(3)}`);
    }
    bar.done("finished");
    bar.done("again"); // a second done() does nothing
    bar.update(5); // nor does an update after done()
    const displayId = calls[0]!.options?.displayId;
    expect(calls[0]!.kind).toBe("display");
    expect(displayId).toMatch(/^lepton-progress-/);
    const updates = calls.slice(1);
    expect(updates.every((c) => c.kind === "update" && c.options?.displayId === displayId)).toBe(true);
    expect(updates.length).toBeGreaterThanOrEqual(9);
    expect(updates.length).toBeLessThanOrEqual(11);
    calls.forEach((c) => expectWellFormed(c.bundle));
    const last = calls.at(-1)!.bundle!;
    expect(text(last, "text/plain")).toMatch(/^epoch <1> \[█{30}\] 100\/100 1\.0s finished$/);
    expect(text(last, "text/html")).toContain("epoch &lt;1&gt;");
    expect(text(last, "text/html")).toContain('<progress value="100" max="100"');
  });
});

describe("progressBar outside a kernel", () => {
  it("prints a line at each tenth, not one per step, ending at the total", () => {
    const lines = captureLog();
    const bar = progressBar({ total: 1000, label: "steps" });
    for (let step = 1; step <= 1000; step += 1) bar.update(step);
    bar.done();
    const printed = lines();
    // The first step, each tenth crossed, and the end (done() adds nothing: that state is printed).
    expect(printed.map((line) => Number(/(\d+)\/1000/.exec(line)![1]))).toEqual([
      1, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000,
    ]);
    expect(printed.at(-1)).toMatch(/^steps \[█{30}\] 1000\/1000 /);
  });

  it("prints the final state at done() when the loop stopped early or the text changed", () => {
    const lines = captureLog();
    const bar = progressBar({ total: 10, label: "batches" });
    bar.update(3, "loss 0.5");
    bar.done("stopped early");
    expect(lines()).toHaveLength(2);
    expect(lines()[1]).toMatch(/10\/10 \d+\.\ds stopped early$/);
  });

  it("refuses a total that is not a finite number ≥ 0", () => {
    expect(() => progressBar({ total: -1 })).toThrow(ProgressOptionsError);
    expect(() => progressBar({ total: Number.NaN })).toThrow(/got NaN/);
  });
});
