/**
 * Where the runner looks for kernels: JUPYTER_PATH first, then this checkout's own
 * src/kernel/jupyter (so the workbook runs without registering anything), then the user's and the
 * system's Jupyter data directories.
 */
import { resolve } from "node:path";
import { jupyterDataDirs, type JupyterEnv } from "../jupyter";

/** This checkout's own Jupyter data directory, holding kernels/lepton. */
export const PROJECT_JUPYTER_DIR = resolve(__dirname, "..", "kernel", "jupyter");

/** The data directories the runner searches for kernels, in order of precedence. */
export function kernelSearchDirs(env: JupyterEnv = process.env): string[] {
  return jupyterDataDirs(env, [PROJECT_JUPYTER_DIR]);
}
