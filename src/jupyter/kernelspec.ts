/**
 * Finding a kernelspec the way jupyter_client does: the first `kernels/NAME/kernel.json` under the
 * Jupyter data directories, in order.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { jupyterDataDirs, kernelSpecDir } from "./data-dirs";
import { LeptonError } from "../errors";

/** The fields of kernel.json that starting a kernel uses. */
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
export class KernelSpecError extends LeptonError {}

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
    const resourceDir = kernelSpecDir(dir, name);
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
