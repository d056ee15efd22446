/**
 * An interrupt stops the work of the cell, as Jupyter's own client drives it: an awaiting loop's
 * counter and tfjs's model.fit's epoch count stop moving, and the kernel keeps its state.
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "..", "..", "..");

describe("interrupts, through jupyter_client", () => {
  it("stop the interrupted cell's loops and tfjs's fit, and keep the kernel's state", async () => {
    const { stdout } = await promisify(execFile)("/usr/bin/python3", [resolve(__dirname, "clients", "interrupts.py")], {
      cwd: resolve(ROOT, "notebooks"),
      env: { ...process.env, JUPYTER_PATH: resolve(ROOT, "src", "kernel", "jupyter") },
      timeout: 280_000,
    });
    const observed = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
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
