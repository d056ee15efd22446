/**
 * `lepton kernel install [--user | --sys-prefix | --prefix DIR]`.
 */
import { parseArgs } from "node:util";
import { installKernelSpec, KernelInstallError, type InstallTarget } from "./install";

const USAGE = "usage: lepton kernel install [--user | --sys-prefix | --prefix DIR]";

function targetOf(values: { user?: boolean; "sys-prefix"?: boolean; prefix?: string }): InstallTarget {
  const chosen = [values.user === true, values["sys-prefix"] === true, values.prefix !== undefined].filter(
    Boolean,
  ).length;
  if (chosen > 1) throw new KernelInstallError(`choose one of --user, --sys-prefix, --prefix\n${USAGE}`);
  if (values.prefix !== undefined) return { kind: "prefix", prefix: values.prefix };
  if (values["sys-prefix"] === true) return { kind: "sys-prefix" };
  return { kind: "user" };
}

/** Runs `lepton kernel …`; returns the exit code. */
export async function kernelCommand(args: readonly string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand !== "install") {
    console.error(USAGE);
    return 2;
  }
  const { values } = parseArgs({
    args: [...rest],
    options: { user: { type: "boolean" }, "sys-prefix": { type: "boolean" }, prefix: { type: "string" } },
  });
  try {
    const dir = installKernelSpec(targetOf(values));
    console.log(`Installed kernelspec lepton ("Lepton (TypeScript)") in ${dir}`);
    return 0;
  } catch (error) {
    if (error instanceof KernelInstallError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}
