/**
 * `npm run bench -- seed001-results` (Seed 001 §5.2–5.4): trains seed 001's CNN
 * (Conv 32–64–128, Dense 128, softmax; adam, sparse categorical cross-entropy, batch 32) on
 * Fashion-MNIST at the full profile — 54,000 training images (the last 6,000 of the 60,000 held out
 * for validation), 10 epochs — with the same code as notebook 04, and reports the test split's
 * accuracy, macro recall and macro F1 beside the document's 90.2 / 88.6 / 89.3, with the backend
 * and the training throughput. Options: --train N (default 60000) · --epochs N (default 10) ·
 * --checkpoints DIR (resume a stopped run) · --no-append (do not add the result to bench/RESULTS.md).
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../src/backends";
import { loadConfig } from "../src/config";
import { FASHION_MNIST_CLASSES, loadFashionMnist } from "../src/data";
import { FASHION_MNIST_INPUT, SEED001_CONV_FILTERS, multiClassCnn } from "../src/models";
import { classificationReport, fit, labelsOf, predictClasses } from "../src/training";

function option(args: readonly string[], name: string, fallback: string): string {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1]! : fallback;
}

/** Runs the full-profile training and evaluation and prints (and records) the figures. (Seed 001 §5.4) */
export async function main(args: readonly string[]): Promise<void> {
  const backend = await initBackend();
  const trainSize = Number(option(args, "--train", "60000"));
  const epochs = Number(option(args, "--epochs", "10"));
  const { seed } = loadConfig();
  const train = loadFashionMnist({ split: "train", limit: trainSize });
  const test = loadFashionMnist({ split: "test", limit: 10_000 });
  const holdOut = Math.floor(trainSize / 10);
  const x = train.images.slice(0, trainSize - holdOut);
  const y = train.labels.slice(0, trainSize - holdOut).toFloat();
  const vx = train.images.slice(trainSize - holdOut);
  const vy = train.labels.slice(trainSize - holdOut).toFloat();
  const model = multiClassCnn({ inputShape: FASHION_MNIST_INPUT, convFilters: SEED001_CONV_FILTERS, seed });
  const checkpointDir = args.includes("--checkpoints") ? option(args, "--checkpoints", "") : undefined;
  const run = await fit(model, x, y, {
    epochs,
    batchSize: 32,
    seed,
    validationData: [vx, vy],
    progress: false,
    ...(checkpointDir !== undefined ? { checkpointDir } : {}),
    onEpochEnd: (epoch, logs) =>
      console.log(
        `epoch ${epoch}: ${Object.entries(logs)
          .map(([k, v]) => `${k} ${v.toFixed(4)}`)
          .join(" · ")}`,
      ),
  });
  const predicted = await predictClasses(model, test.images);
  const report = classificationReport(await labelsOf(test.labels), predicted.classes, FASHION_MNIST_CLASSES);
  const trainedEpochs = run.epochs.length - (run.resumedFrom ?? 0);
  const imgPerSec = (trainedEpochs * (trainSize - holdOut)) / run.seconds;
  const pct = (v: number) => (100 * v).toFixed(1);
  const line =
    `seed 001 CNN, Fashion-MNIST ${trainSize - holdOut} train / ${holdOut} validation / ${report.count} test, ${run.epochs.length} epochs, ${backend.name} (${backend.detail}): ` +
    `test accuracy ${pct(report.accuracy)} % (document 90.2), macro recall ${pct(report.macro.recall)} % (88.6), macro F1 ${pct(report.macro.f1)} % (89.3), ` +
    `macro precision ${pct(report.macro.precision)} %; training ${run.seconds.toFixed(0)} s, ${imgPerSec.toFixed(0)} img/s`;
  console.log(line);
  console.log(
    report.perClass.map((s) => `${s.name}: P ${pct(s.precision)} R ${pct(s.recall)} F1 ${pct(s.f1)}`).join("\n"),
  );
  if (!args.includes("--no-append"))
    appendFileSync(join(__dirname, "RESULTS.md"), `\n- ${new Date().toISOString().slice(0, 10)} · ${line}\n`);
  tf.dispose([train.images, train.labels, test.images, test.labels, x, y, vx, vy]);
  model.dispose();
}
