/** Runs requests.py: a list of requests to a Lepton kernel started by jupyter_client in `cwd`. */
import { execFile } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..", "..");

/** One request to the kernel (see clients/requests.py). */
export type KernelRequest =
  | { readonly execute: string }
  | { readonly complete: string; readonly cursor: number }
  | { readonly inspect: string; readonly cursor: number; readonly detail?: 0 | 1 }
  | { readonly usage: true }
  | { readonly write: string; readonly text: string };

/** What an execute request got back: its reply and the iopub outputs under it. */
export interface ExecuteAnswer {
  readonly reply: Record<string, unknown>;
  readonly outputs: readonly (Record<string, unknown> & { msg_type: string })[];
}

/** The kernelspec directory of this checkout (what .ci/run puts on JUPYTER_PATH). */
export const CHECKOUT_KERNELSPECS = resolve(ROOT, "src", "kernel", "jupyter");

/**
 * Sends the requests in order through Jupyter's own client, the kernel started in `cwd` from the
 * kernelspecs under `jupyterPath`; resolves with one answer per request.
 */
export function askKernel(requests: readonly KernelRequest[], cwd: string, jupyterPath = CHECKOUT_KERNELSPECS, timeoutMs = 280_000): Promise<unknown[]> {
  return new Promise((done, fail) => {
    const child = execFile(
      "/usr/bin/python3",
      [resolve(__dirname, "clients", "requests.py")],
      { cwd, env: { ...process.env, JUPYTER_PATH: jupyterPath }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error !== null) return fail(new Error(`requests.py failed in ${cwd}: ${error.message}\n${stderr}`));
        done(JSON.parse(stdout.trim().split("\n").at(-1)!) as unknown[]);
      },
    );
    child.stdin!.end(JSON.stringify(requests));
  });
}

/** The text/plain of an execute answer's result, if any. */
export function resultText(answer: unknown): string | undefined {
  const result = (answer as ExecuteAnswer).outputs.find((o) => o.msg_type === "execute_result");
  return (result?.data as Record<string, string> | undefined)?.["text/plain"];
}
