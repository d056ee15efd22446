/**
 * An interrupt stops the work of the cell, as Jupyter's own client drives it: an awaiting loop's
 * counter and tfjs's model.fit's epoch count stop moving, and the kernel keeps its state.
 */
import { describe, expect, it } from "vitest";
import { runKernelClient } from "./jupyter-requests";

describe("interrupts, through jupyter_client", () => {
  it("stop the interrupted cell's loops and tfjs's fit, and keep the kernel's state", async () => {
    const observed = await runKernelClient("interrupts.py", [], { timeoutMs: 280_000 });
    expect(observed.loop_reply).toBe("error");
    const [loopBefore, loopAfter] = observed.loop_after as [string, string];
    expect(Number(loopBefore)).toBeGreaterThan(10);
    expect(loopAfter).toBe(loopBefore);
    expect(observed.fit_reply).toBe("error");
    const [fitBefore, fitAfter] = observed.fit_after as [string, string];
    expect(Number(fitBefore)).toBeGreaterThan(0);
    expect(fitAfter).toBe(fitBefore);
    expect(observed.state).toBe("true");
  }, 300_000);
});
