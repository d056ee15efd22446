/**
 * Drives a Lepton kernel through Jupyter's own client (/usr/bin/python3 jupyter_client): the
 * scripts in clients/ start it from this checkout's kernelspec and print what they observed as
 * one JSON value on their last line.
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";

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

/** The absolute path of a module under src/, for cells to import. */
export function sourcePath(...parts: string[]): string {
  return resolve(ROOT, "src", ...parts);
}

/** The clients' environment: kernels found on `jupyterPath`, and no __pycache__ left in clients/. */
function clientEnv(jupyterPath: string): NodeJS.ProcessEnv {
  return { ...process.env, JUPYTER_PATH: jupyterPath, PYTHONDONTWRITEBYTECODE: "1" };
}

function lastJsonLine<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as T;
}

/** Where and how long a client runs. */
export interface ClientOptions {
  /** The kernel's working directory, as Jupyter starts it from a notebook's folder (default notebooks/). */
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

/**
 * Runs clients/`script` with `args`, the kernel started from this checkout's kernelspec; resolves
 * with the JSON value the script prints last.
 */
export async function runKernelClient<T = Record<string, unknown>>(
  script: string,
  args: readonly string[] = [],
  options: ClientOptions = {},
): Promise<T> {
  const { stdout } = await promisify(execFile)("/usr/bin/python3", [resolve(__dirname, "clients", script), ...args], {
    cwd: options.cwd ?? resolve(ROOT, "notebooks"),
    env: clientEnv(CHECKOUT_KERNELSPECS),
    timeout: options.timeoutMs ?? 200_000,
  });
  return lastJsonLine<T>(stdout);
}

/**
 * Sends the requests in order through Jupyter's own client, the kernel started in `cwd` from the
 * kernelspecs under `jupyterPath`; resolves with one answer per request.
 */
export function askKernel(
  requests: readonly KernelRequest[],
  cwd: string,
  jupyterPath = CHECKOUT_KERNELSPECS,
  timeoutMs = 280_000,
): Promise<unknown[]> {
  return new Promise((done, fail) => {
    const child = execFile(
      "/usr/bin/python3",
      [resolve(__dirname, "clients", "requests.py")],
      { cwd, env: clientEnv(jupyterPath), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error !== null) return fail(new Error(`requests.py failed in ${cwd}: ${error.message}\n${stderr}`));
        done(lastJsonLine<unknown[]>(stdout));
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
