/**
 * Input through the stdin channel, as Jupyter's own client drives it: a synchronous prompt() and
 * an awaited input({ password }) each send one input_request parented to their cell and return
 * the typed answer; a cell run with allow_stdin=false fails with a clear error instead of waiting,
 * and an interrupt ends a prompt nobody answers, leaving the kernel's state — with the kernel
 * started in a folder outside the project.
 */
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { runKernelClient, sourcePath } from "./jupyter-requests";

describe("stdin, through jupyter_client", () => {
  it("round-trips prompt() and input(), refuse input when allow_stdin is false, and end a prompt on interrupt", async () => {
    // A folder outside the project: the kernel runs from wherever its notebook is.
    const observed = await runKernelClient<Record<string, Record<string, unknown>>>(
      "stdin.py",
      [sourcePath("kernel", "server", "stdin")],
      { cwd: tmpdir() },
    );
    expect(observed.sync).toEqual({
      requests: [{ content: { prompt: "your name?", password: false }, parent: true }],
      status: "ok",
      value: "'hello Ada'",
    });
    expect(observed.async).toEqual({
      requests: [{ content: { prompt: "passphrase:", password: true }, parent: true }],
      status: "ok",
      value: "11",
    });
    expect(observed.refused).toMatchObject({ requests: [], status: "error", ename: "StdinError" });
    expect(String(observed.refused!.evalue)).toMatch(/allow_stdin: false/);
    expect(observed.interrupted).toEqual({ prompt: "waiting", status: "error" });
    // The cell after an interrupted prompt runs as usual (its reply shows why if it does not).
    expect(observed.after_reply).toEqual({ status: "ok", ename: null, evalue: null });
    expect(observed.after).toBe("'ADA'");
  }, 240_000);
});
