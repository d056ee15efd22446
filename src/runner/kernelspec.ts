/**
 * Finding a kernelspec the way jupyter_client does: `kernels/NAME/kernel.json`
 * under each Jupyter data directory — JUPYTER_PATH first, then this repository's own
 * src/kernel/jupyter (so the workbook runs without registering anything), then the user's and the
 * system's data directories.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";

/** The fields of kernel.json the runner uses. */
export interface KernelSpec {
  readonly argv: readonly string[];
  readonly display_name: string;
  readonly language: string;
  readonly interrupt_mode?: "signal" | "message";
  readonly env?: Readonly<Record<string, string>>;
}

/** A kernelspec with the directory it was found in (`{resource_dir}`). */
export interface ResolvedKernelSpec {
  readonly name: string;
  readonly resourceDir: string;
  readonly spec: KernelSpec;
}

/** Raised when no kernelspec of a name exists or its kernel.json is unusable. */
export class KernelSpecError extends Error {
  override name = "KernelSpecError";
}

/** This repository's own Jupyter data directory, holding kernels/lepton. */
export const PROJECT_JUPYTER_DIR = resolve(__dirname, "..", "kernel", "jupyter");

/** The Jupyter data directories searched for kernels, in order of precedence. */
export function jupyterDataDirs(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const fromEnv = (env.JUPYTER_PATH ?? "").split(delimiter).filter((dir) => dir !== "");
  const userDir = env.JUPYTER_DATA_DIR ?? join(env.XDG_DATA_HOME ?? join(homedir(), ".local", "share"), "jupyter");
  return [...fromEnv, PROJECT_JUPYTER_DIR, userDir, "/usr/local/share/jupyter", "/usr/share/jupyter"];
}

function parseSpec(file: string): KernelSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new KernelSpecError(`${file}: not readable JSON (${(error as Error).message})`);
  }
  const spec = raw as Partial<KernelSpec>;
  if (!Array.isArray(spec.argv) || spec.argv.length === 0 || !spec.argv.every((a) => typeof a === "string")) {
    throw new KernelSpecError(`${file}: "argv" must be a non-empty array of strings`);
  }
  return {
    argv: spec.argv,
    display_name: spec.display_name ?? "",
    language: spec.language ?? "",
    interrupt_mode: spec.interrupt_mode === "message" ? "message" : "signal",
    env: spec.env ?? {},
  };
}

/** Finds kernelspec `name`; throws KernelSpecError listing the directories searched. */
export function findKernelSpec(name: string, dirs: readonly string[] = jupyterDataDirs()): ResolvedKernelSpec {
  for (const dir of dirs) {
    const resourceDir = join(dir, "kernels", name);
    const file = join(resourceDir, "kernel.json");
    if (existsSync(file)) return { name, resourceDir, spec: parseSpec(file) };
  }
  throw new KernelSpecError(
    `no kernelspec named "${name}" in ${dirs.map((d) => join(d, "kernels")).join(", ")}` +
      ` (register one with \`npx lepton kernel install --user\`)`,
  );
}

/** The kernel's command line with `{connection_file}` and `{resource_dir}` filled in. */
export function kernelArgv(kernel: ResolvedKernelSpec, connectionFile: string): string[] {
  return kernel.spec.argv.map((arg) =>
    arg.replaceAll("{connection_file}", connectionFile).replaceAll("{resource_dir}", kernel.resourceDir),
  );
}
