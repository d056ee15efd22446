/**
 * Input through the stdin channel, as Jupyter's own client drives it: a synchronous prompt() and
 * an awaited input({ password }) each send one input_request parented to their cell and return
 * the typed answer; a cell run with allow_stdin=false fails with a clear error instead of waiting,
 * and an interrupt ends a prompt nobody answers, leaving the kernel's state — with the kernel
 * started in a folder outside the project.
 */
import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "..", "..", "..");

describe("stdin, through jupyter_client", () => {
  it("round-trips prompt() and input(), refuse input when allow_stdin is false, and end a prompt on interrupt", async () => {
    const { stdout } = await promisify(execFile)("/usr/bin/python3", [resolve(__dirname, "clients", "stdin.py"), resolve(ROOT, "src", "kernel", "stdin")], {
      // A folder outside the project: the kernel runs from wherever its notebook is.
      cwd: tmpdir(),
      env: { ...process.env, JUPYTER_PATH: resolve(ROOT, "src", "kernel", "jupyter") },
      timeout: 200_000,
    });
    const observed = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, Record<string, unknown>>;
    expect(observed.sync).toEqual({ requests: [{ content: { prompt: "your name?", password: false }, parent: true }], status: "ok", value: "'hello Ada'" });
    expect(observed.async).toEqual({ requests: [{ content: { prompt: "passphrase:", password: true }, parent: true }], status: "ok", value: "11" });
    expect(observed.refused).toMatchObject({ requests: [], status: "error", ename: "StdinError" });
    expect(String(observed.refused!.evalue)).toMatch(/allow_stdin: false/);
    expect(observed.interrupted).toEqual({ prompt: "waiting", status: "error" });
    expect(observed.after).toBe("'ADA'");
  }, 240_000);
});
