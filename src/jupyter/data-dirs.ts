/**
 * Jupyter's data directories, where kernelspecs live (`kernels/NAME/kernel.json`), in
 * jupyter_client's order: JUPYTER_PATH, then the user's, then the system's.
 */
import { homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";

/** The environment variables the directories depend on. */
export type JupyterEnv = Readonly<Record<string, string | undefined>>;

/** The user's Jupyter data directory: JUPYTER_DATA_DIR, else `$XDG_DATA_HOME/jupyter` (~/.local/share/jupyter). */
export function userDataDir(env: JupyterEnv = process.env): string {
  return env.JUPYTER_DATA_DIR ?? join(env.XDG_DATA_HOME ?? join(homedir(), ".local", "share"), "jupyter");
}

/** The Jupyter data directory under an installation prefix (`PREFIX/share/jupyter`). */
export function prefixDataDir(prefix: string): string {
  return join(resolve(prefix), "share", "jupyter");
}

/**
 * The data directories searched for kernels, in order of precedence; `bundled` directories (a
 * checkout's own kernels) come after JUPYTER_PATH and before the user's.
 */
export function jupyterDataDirs(env: JupyterEnv = process.env, bundled: readonly string[] = []): string[] {
  const fromEnv = (env.JUPYTER_PATH ?? "").split(delimiter).filter((dir) => dir !== "");
  return [...fromEnv, ...bundled, userDataDir(env), "/usr/local/share/jupyter", "/usr/share/jupyter"];
}

/** The directory of kernelspec `name` under a data directory. */
export function kernelSpecDir(dataDir: string, name: string): string {
  return join(dataDir, "kernels", name);
}
