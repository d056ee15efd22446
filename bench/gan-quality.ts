/**
 * `npm run bench -- gan-quality` (Seed 001 §4.3 "用于生成高质量的图像", high-quality images): trains notebook 06's DCGAN on
 * Fashion-MNIST for longer than the notebook's test profile and measures its samples as training goes — Inception Score
 * under a classifier trained on real images, the share classified with > 90 % confidence, classes covered, median
 * distance to the nearest training image — next to the same measures of real held-out images in the same run.
 * Options: --train N (GAN training images, default 6000), --epochs N (default 30),
 * --filters small|large (notebook 06's test [32,16]/[16,32] or full [128,64]/[64,128] channels;
 * default small), --lr X (Adam, default 1e-3 for small, 2e-4 for large), --samples N (scored
 * images, default 1000), --judge-epochs N (default 3), --dry (print only, do not append).
 */
import { appendFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { backendLine, initBackend } from "../src/backends";
import { loadFashionMnist } from "../src/data/fashion-mnist";
import {
  dcgan,
  FASHION_MNIST_CONV_FILTERS,
  FASHION_MNIST_INPUT,
  fromTanhRange,
  multiClassCnn,
  toTanhRange,
} from "../src/models";
import { accuracy, fit, GanTrainer, predictClasses, sampleQuality, type SampleQuality } from "../src/training";
import { BenchUsageError, positiveInteger } from "./args";

const ROOT = typeof __dirname === "string" ? resolve(__dirname, "..") : process.cwd();

const FILTERS = {
  small: { generator: [32, 16], discriminator: [16, 32], learningRate: 1e-3 },
  large: { generator: [128, 64], discriminator: [64, 128], learningRate: 2e-4 },
} as const;

interface Options {
  readonly train: number;
  readonly epochs: number;
  readonly filters: keyof typeof FILTERS;
  readonly lr: number;
  readonly samples: number;
  readonly judgeEpochs: number;
  readonly dry: boolean;
}

function parseArgs(args: readonly string[]): Options {
  let train = 6000,
    epochs = 30,
    samples = 1000,
    judgeEpochs = 3,
    dry = false;
  let filters: keyof typeof FILTERS = "small";
  let lr: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--train") train = positiveInteger(args[++i], "train");
    else if (arg === "--epochs") epochs = positiveInteger(args[++i], "epochs");
    else if (arg === "--samples") samples = positiveInteger(args[++i], "samples");
    else if (arg === "--judge-epochs") judgeEpochs = positiveInteger(args[++i], "judge-epochs");
    else if (arg === "--filters") {
      const value = args[++i];
      if (value !== "small" && value !== "large")
        throw new BenchUsageError(`--filters must be small or large, got ${value}`);
      filters = value;
    } else if (arg === "--lr") {
      lr = Number(args[++i]);
      if (!(lr > 0 && Number.isFinite(lr))) throw new BenchUsageError(`--lr must be a positive number, got ${args[i]}`);
    } else if (arg === "--dry") dry = true;
    else throw new BenchUsageError(`bench gan-quality: unknown option ${arg}`);
  }
  return { train, epochs, filters, lr: lr ?? FILTERS[filters].learningRate, samples, judgeEpochs, dry };
}

/** Epochs after which the samples are scored: 1, 2, 4, 8, … and the last. */
function checkpoints(epochs: number): Set<number> {
  const marks = new Set<number>([epochs]);
  for (let e = 1; e < epochs; e *= 2) marks.add(e);
  return marks;
}

function row(label: string, steps: number | string, seconds: number | string, q: SampleQuality): string {
  return `| ${label} | ${steps} | ${typeof seconds === "number" ? seconds.toFixed(0) : seconds} | ${q.inceptionScore.toFixed(2)} | ${(100 * q.confidentShare).toFixed(1)} | ${q.classesCovered} | ${q.medianNearestDistance.toFixed(3)} |`;
}

/** Runs the benchmark (called by `lepton bench gan-quality`). */
export async function main(args: readonly string[]): Promise<void> {
  const options = parseArgs(args);
  const info = await initBackend();
  const seed = 42;
  const train = loadFashionMnist({ split: "train", limit: options.train });
  const heldOut = loadFashionMnist({ split: "test", limit: options.samples });
  const judgeLabels = train.labels.toFloat();
  const judge = multiClassCnn({ inputShape: FASHION_MNIST_INPUT, convFilters: FASHION_MNIST_CONV_FILTERS, seed });
  await fit(judge, train.images, judgeLabels, { epochs: options.judgeEpochs, batchSize: 64, seed, progress: false });
  const judgeAccuracy = accuracy(
    Array.from(await heldOut.labels.data()),
    (await predictClasses(judge, heldOut.images)).classes,
  );
  console.log(`classifier: ${(100 * judgeAccuracy).toFixed(1)} % on ${options.samples} held-out real images`);
  const real = await sampleQuality(judge, heldOut.images, train.images);
  const rows = [row("real, held out", "—", "—", real)];

  const sizes = FILTERS[options.filters];
  const gan = new GanTrainer(
    dcgan({
      latentDim: 64,
      generatorFilters: [...sizes.generator],
      discriminatorFilters: [...sizes.discriminator],
      seed,
    }),
    { seed, learningRate: options.lr },
  );
  const data = toTanhRange(train.images);
  const marks = checkpoints(options.epochs);
  let trainingSeconds = 0;
  let started = performance.now();
  await gan.train(data, {
    epochs: options.epochs,
    batchSize: 64,
    onEpochEnd: async (epoch, logs) => {
      trainingSeconds += (performance.now() - started) / 1000;
      if (marks.has(epoch)) {
        const samples = tf.tidy(() => fromTanhRange(gan.sample(options.samples, seed + 7)));
        const measured = await sampleQuality(judge, samples, train.images);
        samples.dispose();
        rows.push(row(`DCGAN, epoch ${epoch}`, gan.steps, trainingSeconds, measured));
        console.log(`${rows.at(-1)!} D loss ${logs.discriminator.toFixed(3)}, G loss ${logs.generator.toFixed(3)}`);
      }
      started = performance.now();
    },
  });
  const params = `${gan.pair.generator.countParams().toLocaleString("en")} + ${gan.pair.discriminator.countParams().toLocaleString("en")}`;
  gan.dispose();
  judge.dispose();
  tf.dispose([train.images, train.labels, judgeLabels, heldOut.images, heldOut.labels, data]);

  const text =
    `\n## gan-quality — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC\n\n` +
    `Machine: ${cpus()[0]?.model.trim() ?? "unknown CPU"}, ${availableParallelism()} cores; ${backendLine(info)}. Notebook 06's DCGAN (${options.filters} channels, ${params} parameters, Adam ${options.lr}, β1 0.5, batch 64) ` +
    `on ${options.train} Fashion-MNIST training images for ${options.epochs} epochs, seed ${seed}. ${options.samples} samples scored after the marked epochs by a classifier trained on the same real images ` +
    `(${options.judgeEpochs} epochs, ${(100 * judgeAccuracy).toFixed(1)} % on ${options.samples} held-out real images), against those held-out real images in the same run. ` +
    `Distance: median RMS pixel difference ([0, 1]) to the nearest GAN training image. Command: \`npm run bench -- gan-quality${args.length ? ` ${args.join(" ")}` : ""}\`.\n\n` +
    `| images | steps | training s | inception score | confident (p > 0.9) % | classes ≥ 2 % | distance to nearest training image |\n|---|---|---|---|---|---|---|\n` +
    `${rows.join("\n")}\n`;
  console.log(text);
  if (!options.dry) appendFileSync(join(ROOT, "bench", "RESULTS.md"), text);
}
