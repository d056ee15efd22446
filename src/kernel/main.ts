/**
 * The Lepton kernel process: `node src/kernel/entry.js CONNECTION_FILE`.
 * Starts building the cell compiler in a worker thread first (the slow part: TypeScript), then
 * reads the connection file and serves the Jupyter protocol while the compiler is being built.
 * Cells compile rooted at the project (the checkout this file belongs to) when the notebook is
 * inside it, else at the notebook's folder.
 */
import { readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { readConnectionFile, type ConnectionInfo } from "../jupyter";
import { CELL_TYPESCRIPT, CompilerWorker, PACKAGE_ROOT } from "./compiler";
import { exitWhenParentDies } from "./parent-watch";
import { LeptonError } from "../errors";

/** Raised when the kernel's command line or connection file is unusable. */
export class KernelStartError extends LeptonError {}

function readConnection(file: string | undefined): ConnectionInfo {
  if (file === undefined) throw new KernelStartError("usage: lepton-kernel CONNECTION_FILE");
  return readConnectionFile(file);
}

/** The root the converter compiles from: the project when the notebook is inside it, else the notebook's folder. */
function compileRoot(notebookDir: string): string {
  const rel = relative(PACKAGE_ROOT, notebookDir);
  return rel.startsWith("..") ? notebookDir : PACKAGE_ROOT;
}

function packageVersion(name: string): string {
  const file = require.resolve(`${name}/package.json`, { paths: [PACKAGE_ROOT] });
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

/** Starts the kernel; resolves once its channels are bound. */
export async function main(argv: readonly string[]): Promise<void> {
  const projectRoot = compileRoot(process.cwd());
  const compiler = new CompilerWorker({ projectRoot, modulesRoot: PACKAGE_ROOT });
  const connection = readConnection(argv[0]);
  // The server's modules (zeromq, display) load after the compiler worker has started, not before.
  const { KernelServer } = require("./server") as typeof import("./server");
  const server = new KernelServer({
    connection,
    projectRoot,
    typescriptVersion: packageVersion(CELL_TYPESCRIPT),
    implementationVersion: (
      JSON.parse(readFileSync(resolve(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }
    ).version,
    compiler,
    onShutdown: (code) => process.exit(code),
  });
  compiler.ready.catch((error: Error) => process.stderr.write(`[lepton kernel] ${error.message}\n`));
  exitWhenParentDies(() => process.exit(1));
  await server.start();
}
