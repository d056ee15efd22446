/**
 * Kernel registration: writes the kernelspec "Lepton (TypeScript)"
 * into a Jupyter data directory — the user's, `sys.prefix`'s or a given prefix — running this
 * checkout's entry with the node that runs the installer, so no global PATH is involved.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { kernelSpecDir, prefixDataDir, userDataDir, type JupyterEnv } from "../jupyter";
import { LeptonError } from "../errors";

/** Where a kernelspec goes. */
export type InstallTarget =
  { readonly kind: "user" } | { readonly kind: "sys-prefix" } | { readonly kind: "prefix"; readonly prefix: string };

/** Raised when the kernelspec cannot be installed; the message says where and why. */
export class KernelInstallError extends LeptonError {}

/** The kernel name Jupyter knows this kernel by. */
export const KERNEL_NAME = "lepton";
const ENTRY = resolve(__dirname, "entry.js");
const SPEC_DIR = kernelSpecDir(resolve(__dirname, "jupyter"), KERNEL_NAME);

function pythonSysPrefix(): string {
  try {
    return execFileSync("/usr/bin/python3", ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" }).trim();
  } catch (error) {
    throw new KernelInstallError(
      `--sys-prefix needs /usr/bin/python3 to report sys.prefix: ${(error as Error).message}`,
    );
  }
}

/** The Jupyter data directory of a target. */
export function dataDir(target: InstallTarget, env: JupyterEnv = process.env): string {
  switch (target.kind) {
    case "user":
      return userDataDir(env);
    case "sys-prefix":
      return prefixDataDir(pythonSysPrefix());
    case "prefix":
      return prefixDataDir(target.prefix);
  }
}

/** The kernel.json the installer writes: absolute node and entry, so it works from any folder. */
export function installedSpec(nodePath: string = process.execPath): Record<string, unknown> {
  return {
    argv: [nodePath, ENTRY, "{connection_file}"],
    display_name: "Lepton (TypeScript)",
    language: "typescript",
    interrupt_mode: "signal",
    metadata: { debugger: false },
  };
}

/** Installs the kernelspec; returns the directory written. */
export function installKernelSpec(target: InstallTarget, env: JupyterEnv = process.env): string {
  const dir = kernelSpecDir(dataDir(target, env), KERNEL_NAME);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "kernel.json"), JSON.stringify(installedSpec(), null, 1) + "\n");
    for (const logo of ["logo-32x32.png", "logo-64x64.png", "logo-svg.svg"]) {
      if (existsSync(join(SPEC_DIR, logo))) copyFileSync(join(SPEC_DIR, logo), join(dir, logo));
    }
  } catch (error) {
    throw new KernelInstallError(`cannot write the kernelspec to ${dir}: ${(error as Error).message}`);
  }
  return dir;
}
