/**
 * Runs the reference scripts of bench/reference (PyTorch, numpy) with Debian's python3 where it is installed, else
 * python3 on PATH (a GPU machine's own Python), and reads the JSON object each prints on its last line.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** Debian's python3, whose packages the references import (python3-torch, python3-numpy), else python3 on PATH. */
const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

// bench/reference beside this file, or under the working directory when bundled into one file.
const REFERENCE_DIR =
  typeof __dirname === "string" ? resolve(__dirname, "reference") : join(process.cwd(), "bench", "reference");

/** bench/reference/`script` with `args`, its environment extended by `env`; its last line parsed, or why not. */
export function runReference<T>(
  script: string,
  args: readonly string[],
  options: { readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number } = {},
): T | { error: string } {
  try {
    const out = execFileSync(PYTHON, [join(REFERENCE_DIR, script), ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: options.timeoutMs,
      env: { ...process.env, ...options.env },
    });
    return JSON.parse(out.trim().split("\n").pop()!) as T;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? (error as Error).message;
    return { error: stderr.trim().split("\n").pop()!.slice(0, 160) };
  }
}
