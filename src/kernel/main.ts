/**
 * The Lepton kernel process (DESIGN.md "src/kernel"): `node src/kernel/entry.js CONNECTION_FILE`.
 * Reads the connection file, serves the Jupyter protocol, compiles cells with tslab's converter
 * rooted at the project (the checkout this file belongs to, when the notebook is inside it).
 */
import { readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import type { ConnectionInfo } from "../runner/connection";
import { KernelServer } from "./server";
import { createCellCompiler } from "./typescript-bridge";

/** This checkout's root (src/kernel/../..). */
export const PROJECT_ROOT = resolve(__dirname, "..", "..");

/** Raised when the kernel's command line or connection file is unusable. */
export class KernelStartError extends Error {
  override name = "KernelStartError";
}

function readConnection(file: string | undefined): ConnectionInfo {
  if (file === undefined) throw new KernelStartError("usage: lepton-kernel CONNECTION_FILE");
  try {
    return JSON.parse(readFileSync(file, "utf8")) as ConnectionInfo;
  } catch (error) {
    throw new KernelStartError(`${file}: cannot read the connection file (${(error as Error).message})`);
  }
}

/** The root the converter compiles from: the project when the notebook is inside it, else the notebook's folder. */
function compileRoot(notebookDir: string): string {
  const rel = relative(PROJECT_ROOT, notebookDir);
  return rel.startsWith("..") ? notebookDir : PROJECT_ROOT;
}

/** Starts the kernel; resolves once its channels are bound. */
export async function main(argv: readonly string[]): Promise<void> {
  const connection = readConnection(argv[0]);
  const projectRoot = compileRoot(process.cwd());
  const tsPackage = require.resolve("@tslab/typescript-for-tslab/package.json", { paths: [PROJECT_ROOT] });
  const ownPackage = require(resolve(PROJECT_ROOT, "package.json")) as { version: string };
  const server = new KernelServer({
    connection,
    projectRoot,
    typescriptVersion: (require(tsPackage) as { version: string }).version,
    implementationVersion: ownPackage.version,
    createCompiler: () => createCellCompiler(projectRoot, PROJECT_ROOT),
    loadParser: () => require(require.resolve("@tslab/typescript-for-tslab", { paths: [PROJECT_ROOT] })),
    onShutdown: (code) => process.exit(code),
  });
  await server.start();
}
