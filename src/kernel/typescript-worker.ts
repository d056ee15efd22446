/**
 * Worker threads that run one of the kernel's TypeScript files: the worker is a fresh isolate, so
 * tsx is registered in it first. Both are required by absolute path: evaluated code resolves
 * modules from the working directory, which is the notebook's folder, anywhere.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

/** Starts a worker thread running the TypeScript file `file` (an absolute path). */
export function typeScriptWorker(file: string, options: Omit<WorkerOptions, "eval"> = {}): Worker {
  const source = `require(${JSON.stringify(require.resolve("tsx/cjs/api"))}).register(); require(${JSON.stringify(file)});`;
  return new Worker(source, { ...options, eval: true });
}
