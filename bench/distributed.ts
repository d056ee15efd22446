/**
 * `npm run bench -- distributed` (Seed 001 §3.2 distributed computing): the two-block Fashion-MNIST CNN
 * (seed 001's classifier cut to two convolution blocks) trained by synchronous data parallelism over worker_threads
 * (src/distributed) with 1 worker and with N workers — same initial weights, data, epochs and
 * global batch — and, as the reference without any pool, with trainOnBatch in the main thread on
 * exactly the N-worker run's global batches (its final weights must match that run's). Reports
 * start-up, training time, speed-up of N workers over 1 measured in the same run, test accuracy,
 * the final-weight gap to the reference, bytes moved per step and the per-step split (worker
 * compute, broadcast, exchange, aggregation); appends the tables to bench/RESULTS.md.
 * Options: --workers N (default os.availableParallelism()), --train N (default 6000),
 * --test N (default 1000), --epochs N (default 1), --batch N (global batch, default 64),
 * --repeats N (alternate the 1- and N-worker runs N times, report medians; default 3),
 * --no-thread (skip the main-thread reference), --dry (print only, do not append).
 */
import { appendFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { backendLine, initBackend } from "../src/backends";
import { loadFashionMnist } from "../src/data/fashion-mnist";
import {
  comparisonRows,
  runInThread,
  runWithWorkers,
  sampleSetFromTensors,
  weightGap,
  type ComparisonRun,
  type ComparisonSetup,
} from "../src/distributed";
import { FASHION_MNIST_CONV_FILTERS, FASHION_MNIST_INPUT, multiClassCnn } from "../src/models";
import { BenchUsageError, positiveInteger } from "./args";

const ROOT = typeof __dirname === "string" ? resolve(__dirname, "..") : process.cwd();

interface Options {
  readonly workers: number;
  readonly train: number;
  readonly test: number;
  readonly epochs: number;
  readonly batch: number;
  readonly repeats: number;
  readonly thread: boolean;
  readonly dry: boolean;
}

function parseArgs(args: readonly string[]): Options {
  const options = {
    workers: availableParallelism(),
    train: 6000,
    test: 1000,
    epochs: 1,
    batch: 64,
    repeats: 3,
    thread: true,
    dry: false,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const numeric = ["--workers", "--train", "--test", "--epochs", "--batch", "--repeats"];
    if (numeric.includes(arg)) options[arg.slice(2) as "workers"] = positiveInteger(args[++i], arg.slice(2));
    else if (arg === "--no-thread") options.thread = false;
    else if (arg === "--dry") options.dry = true;
    else throw new BenchUsageError(`bench distributed: unknown option ${arg}`);
  }
  if (options.workers < 2)
    throw new BenchUsageError(`--workers must be at least 2 to compare with one worker, got ${options.workers}`);
  return options;
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** The per-step split of a data-parallel run, averaged over its steps after the first. */
function stepSplit(run: ComparisonRun): Record<string, string | number> {
  const steps = run.steps.length > 1 ? run.steps.slice(1) : run.steps;
  const ms = (value: number) => Number(value.toFixed(1));
  return {
    workers: run.workers,
    "step ms": ms(mean(steps.map((s) => s.wallMs))),
    "slowest worker compute ms": ms(mean(steps.map((s) => Math.max(...s.computeMs)))),
    "broadcast ms": ms(mean(steps.map((s) => s.broadcastMs))),
    "exchange wait beyond compute ms": ms(mean(steps.map((s) => s.exchangeMs - Math.max(...s.computeMs)))),
    "aggregation ms": ms(mean(steps.map((s) => s.aggregationMs))),
    "KiB moved per step": Number(
      ((steps[0]!.bytes.weights + steps[0]!.bytes.gradients + steps[0]!.bytes.positions) / 1024).toFixed(1),
    ),
    "worker start-up s": Number((Math.max(...run.workerInfo.map((w) => w.startupMs)) / 1000).toFixed(2)),
  };
}

function markdownTable(rows: readonly Record<string, string | number>[]): string {
  const keys = Object.keys(rows[0]!);
  return [
    `| ${keys.join(" | ")} |`,
    `|${keys.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${keys.map((k) => r[k]).join(" | ")} |`),
  ].join("\n");
}

/** Collapses repeated runs with the same worker count into one with median times. */
function medianRun(runs: readonly ComparisonRun[]): ComparisonRun {
  const trainSeconds = median(runs.map((r) => r.trainSeconds));
  const chosen = runs.find((r) => r.trainSeconds === trainSeconds)!;
  return { ...chosen, startupSeconds: median(runs.map((r) => r.startupSeconds)) };
}

/** `lepton bench distributed [options]`: see the file comment. */
export async function main(args: string[]): Promise<void> {
  const options = parseArgs(args);
  const info = await initBackend({ quiet: true });
  console.log(backendLine(info));
  const train = loadFashionMnist({ split: "train", limit: options.train });
  const test = loadFashionMnist({ split: "test", limit: options.test });
  const setup: ComparisonSetup = {
    build: () => multiClassCnn({ inputShape: FASHION_MNIST_INPUT, convFilters: FASHION_MNIST_CONV_FILTERS, seed: 1 }),
    train: sampleSetFromTensors(train.images, train.labels),
    testInputs: test.images,
    testLabels: test.labels,
    epochs: options.epochs,
    globalBatch: options.batch,
    seed: 42,
  };
  tf.dispose([train.images, train.labels]);
  const runs: ComparisonRun[] = [];
  const reference = options.thread ? await runInThread(setup, options.workers) : undefined;
  if (reference !== undefined) runs.push(reference);
  const one: ComparisonRun[] = [];
  const many: ComparisonRun[] = [];
  for (let repeat = 0; repeat < options.repeats; repeat++) {
    one.push(await runWithWorkers(setup, 1));
    console.log(`1 worker: ${one.at(-1)!.trainSeconds.toFixed(2)} s`);
    many.push(await runWithWorkers(setup, options.workers));
    console.log(`${options.workers} workers: ${many.at(-1)!.trainSeconds.toFixed(2)} s`);
  }
  runs.push(medianRun(one), medianRun(many));
  tf.dispose([test.images, test.labels]);
  const gap =
    reference === undefined
      ? ""
      : ` Final weights of the ${options.workers}-worker run vs its in-thread replay: ‖Δ‖/‖w‖ = ${weightGap(runs.at(-1)!, reference).toExponential(2)}.`;
  const leaks = runs.flatMap((r) => r.workerTensorsLeft).filter((n) => n !== 0);
  const table = markdownTable(comparisonRows(runs));
  const split = markdownTable(runs.filter((r) => r.workers > 0).map(stepSplit));
  const machine = `${cpus()[0]?.model.trim() ?? "unknown CPU"}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
  const text =
    `\n## distributed — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC\n\n` +
    `Machine: ${machine}; node ${process.versions.node}; ${backendLine(info)}. The two-block Fashion-MNIST CNN (seed 001's classifier cut to two convolution blocks), ${options.train} training / ${options.test} test images, ` +
    `${options.epochs} epoch(s), global batch ${options.batch}, ${options.repeats} repeat(s) (medians). Speed-up = 1-worker training time / N-worker training time, same run. ` +
    `Worker tensors left after shutdown: ${leaks.length === 0 ? "0" : leaks.join(", ")}.${gap} Command: \`npm run bench -- distributed${args.length ? ` ${args.join(" ")}` : ""}\`.\n\n` +
    `${table}\n\nPer step (means over steps 2…):\n\n${split}\n`;
  console.log(text);
  if (!options.dry) appendFileSync(join(ROOT, "bench", "RESULTS.md"), text);
}
