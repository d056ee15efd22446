/**
 * The `lepton` command:
 *   lepton run NOTEBOOK…            execute notebooks headless (src/runner)
 *   lepton kernel install [--user]  register the Lepton kernel with Jupyter (src/kernel)
 *   lepton bench NAME [args…]       run bench/NAME.ts
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { kernelCommand } from "../kernel/cli";
import { runCommand, UsageError } from "../runner/cli";

const USAGE = `usage:
  lepton run NOTEBOOK.ipynb… [--out DIR] [--timeout SECONDS] [--include slow,gpu] [--kernel NAME]
  lepton kernel install [--user | --sys-prefix | --prefix DIR]
  lepton bench NAME [args…]     (NAME: a file bench/NAME.ts)`;

const BENCH_DIR = resolve(__dirname, "..", "..", "bench");

interface BenchModule {
  main(args: string[]): Promise<void>;
}

async function benchCommand(args: readonly string[]): Promise<number> {
  const [name, ...rest] = args;
  const file = name === undefined ? undefined : join(BENCH_DIR, `${name}.ts`);
  if (file === undefined || !/^[\w-]+$/.test(name ?? "") || !existsSync(file)) {
    throw new UsageError(`lepton bench: no benchmark "${name ?? ""}" (a file bench/NAME.ts exporting main)`);
  }
  // require, not import(): tsx's CommonJS hook (registered by src/cli/lepton.js) loads .ts through require.
  const bench = require(file) as Partial<BenchModule>;
  if (typeof bench.main !== "function") throw new UsageError(`${file} does not export main(args)`);
  await bench.main(rest);
  return 0;
}

/** Dispatches a `lepton` command line; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case "run":
        return await runCommand(args);
      case "kernel":
        return await kernelCommand(args);
      case "bench":
        return await benchCommand(args);
      default:
        console.error(USAGE);
        return command === undefined || command === "help" || command === "--help" ? 0 : 2;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
}
