import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import {
  affineRange,
  compareCompressions,
  dequantisePerChannel,
  fromFloat16Bits,
  kernelSparsity,
  loadCompressedModel,
  modelFootprint,
  pruneByMagnitude,
  PruningError,
  QUANTISATIONS,
  quantiseAffine,
  quantisePerChannel,
  saveQuantisedModel,
  timeInference,
  toFloat16Bits,
  type PerChannelQuantization,
  type Quantisation,
} from "../../../src/compression";
import { readModelArtifacts } from "../../../src/io";
import { accuracy, labelsOf, predictClasses } from "../../../src/training";
import { multiClassCnn } from "../../../src/models";
import { seededRandom } from "../../../src/random";
import { failOnTensorLeaks } from "../tensor-leaks";

failOnTensorLeaks();
const scratch = mkdtempSync(join(tmpdir(), "lepton-compression-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tinyCnn(seed = 3): tf.Sequential {
  return multiClassCnn({ inputShape: [8, 8, 1], convFilters: [4], denseUnits: 6, classes: 3, seed });
}

function randomValues(n: number, seed: number, scale = 1): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n }, () => random.between(-scale, scale));
}

/** Weights in model order, the order model.save writes them. */
function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.weights.map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
}

interface ManifestSpec {
  name: string;
  shape: number[];
  quantization?: { dtype: string; scale?: number; min?: number } & Partial<Omit<PerChannelQuantization, "dtype">>;
}
function manifestOf(dir: string): ManifestSpec[] {
  return (
    JSON.parse(readFileSync(join(dir, "model.json"), "utf8")) as { weightsManifest: { weights: ManifestSpec[] }[] }
  ).weightsManifest.flatMap((g) => g.weights);
}

/** Saves tinyCnn(`seed`) as `quantisation` in a scratch folder `name`, and reads back the manifest it wrote. */
async function savedTinyCnn(seed: number, name: string, quantisation: Quantisation) {
  const model = tinyCnn(seed);
  const dir = join(scratch, name);
  await saveQuantisedModel(model, dir, quantisation);
  return { model, dir, specs: manifestOf(dir) };
}

describe("float16 (Seed 000 §8.1)", () => {
  it("encodes known values exactly, rounds half to even, overflows to Infinity", () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(65520)).toBe(0x7c00);
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(toFloat16Bits(2 ** -26)).toBe(0x0000);
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // halfway between 1 and its successor: even wins
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(NaN)))).toBe(true);
  });

  it("round-trips within half a unit in the last place (relative 2^-11) in the normal range", () => {
    for (const value of randomValues(2000, 1, 100)) {
      if (Math.abs(value) < 2 ** -14) continue;
      expect(Math.abs(fromFloat16Bits(toFloat16Bits(value)) - value)).toBeLessThanOrEqual(Math.abs(value) * 2 ** -11);
    }
  });
});

describe("affine uint8 (tfjs-converter's ranges)", () => {
  it("represents zero exactly and stays within half a step", () => {
    const values = randomValues(500, 2, 0.3);
    values[7] = 0;
    const { codes, scale, min } = quantiseAffine(values);
    expect(codes[7]! * scale + min).toBe(0);
    values.forEach((v, i) => expect(Math.abs(codes[i]! * scale + min - v)).toBeLessThanOrEqual(scale / 2 + 1e-7));
  });

  it("nudges the range as tfjs-converter does, so that zero is a code", () => {
    const scale = 1.6 / 255;
    const range = affineRange(-1, 0.6);
    expect(range.scale).toBeCloseTo(scale, 12);
    expect(range.min).toBeCloseTo(-159 * scale, 12); // -(-1 / scale) = 159.375 rounds to 159
    const quantised = quantiseAffine(Float32Array.from([-1, 0, 0.6]));
    expect(Array.from(quantised.codes)).toEqual([0, 159, 255]);
    expect(159 * quantised.scale + quantised.min).toBe(0);
  });

  it("handles a constant tensor and a range without zero", () => {
    expect(affineRange(0.5, 0.5)).toEqual({ scale: 1, min: 0.5, max: 0.5 });
    const positive = quantiseAffine(Float32Array.from([1, 2, 3]));
    expect(positive.min).toBe(1);
    expect(Array.from(positive.codes)).toEqual([0, 128, 255]);
    expect(() => quantiseAffine(Float32Array.from([1, NaN]))).toThrow(/NaN \(at index 1\)/);
  });

  it("per channel: each channel within half its own step, finer than one range for all", () => {
    const channels = 4;
    const values = new Float32Array(400);
    const random = seededRandom(3);
    for (let i = 0; i < values.length; i++) values[i] = random.between(-1, 1) * 10 ** -(i % channels); // channel c spans ±10^-c
    const { codes, scales, mins } = quantisePerChannel(values, channels);
    const back = dequantisePerChannel(codes, scales, mins);
    values.forEach((v, i) => expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(scales[i % channels]! / 2 + 1e-9));
    const whole = quantiseAffine(values);
    const errorOf = (decoded: (i: number) => number) =>
      values.reduce((worst, v, i) => (i % channels === 3 ? Math.max(worst, Math.abs(decoded(i) - v)) : worst), 0);
    expect(errorOf((i) => back[i]!)).toBeLessThan(errorOf((i) => whole.codes[i]! * whole.scale + whole.min) / 100);
    expect(() => quantisePerChannel(values, 3)).toThrow(/do not split into 3 channels/);
  });
});

describe("quantised models saved in tfjs's format and loaded back (Seed 000 §8.1, §2.4)", () => {
  it("writes 4, 2, 1 and 1 bytes per weight and loads each back within its error bound", async () => {
    const model = tinyCnn();
    const original = weightsOf(model);
    const parameters = model.countParams();
    const x = tf.randomUniform([5, 8, 8, 1], 0, 1, "float32", 4);
    const expected = model.predict(x) as tf.Tensor;
    const bytesPerWeight = { float32: 4, float16: 2, uint8: 1, "uint8-per-channel": 1 } as const;
    for (const quantisation of QUANTISATIONS) {
      const dir = join(scratch, `tiny-${quantisation}`);
      const saved = await saveQuantisedModel(model, dir, quantisation);
      expect(statSync(saved.weightsFile).size).toBe(parameters * bytesPerWeight[quantisation]);
      const specs = manifestOf(dir);
      const loaded = await loadCompressedModel(dir);
      const back = weightsOf(loaded);
      expect(specs).toHaveLength(original.length);
      for (const [w, spec] of specs.entries()) {
        const before = original[w]!;
        const after = back[w]!;
        expect(after.length, spec.name).toBe(before.length);
        const q = spec.quantization;
        before.forEach((v, i) => {
          const error = Math.abs(after[i]! - v);
          if (quantisation === "float32") expect(error).toBe(0);
          else if (quantisation === "float16")
            expect(error).toBeLessThanOrEqual(Math.max(Math.abs(v) * 2 ** -11, 2 ** -25));
          else if (q?.channelScales !== undefined)
            expect(error).toBeLessThanOrEqual(q.channelScales[i % q.channelScales.length]! / 2 + 1e-7);
          else expect(error).toBeLessThanOrEqual(q!.scale! / 2 + 1e-7);
        });
      }
      const predicted = loaded.predict(x) as tf.Tensor;
      const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(predicted, expected))).dataSync()[0]!);
      expect(gap, quantisation).toBeLessThan(quantisation === "float32" ? 1e-6 : 0.05);
      tf.dispose(predicted);
      loaded.dispose();
    }
    tf.dispose([x, expected]);
    model.dispose();
  });

  it("writes the manifest tfjs-converter writes, which tfjs's own loadLayersModel dequantises", async () => {
    const { model, dir, specs } = await savedTinyCnn(5, "converter-format", "uint8");
    for (const spec of specs)
      expect(spec.quantization).toEqual({ dtype: "uint8", scale: expect.any(Number), min: expect.any(Number) });
    const artifacts = readModelArtifacts(dir);
    const plain = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    const kernel = specs.find((s) => s.shape.length === 4)!;
    const codes = new Uint8Array(
      readFileSync(join(dir, "weights.bin")).subarray(
        0,
        kernel.shape.reduce((a, b) => a * b, 1),
      ),
    );
    expect(manifestOf(dir)[0]!.name).toBe(kernel.name); // the conv kernel comes first in weights.bin
    const decoded = plain.weights[0]!.read().dataSync();
    codes.forEach((code, i) =>
      expect(decoded[i]).toBeCloseTo(code * kernel.quantization!.scale! + kernel.quantization!.min!, 6),
    );
    plain.dispose();
    await saveQuantisedModel(model, join(scratch, "half"), "float16");
    expect(manifestOf(join(scratch, "half")).every((s) => s.quantization?.dtype === "float16")).toBe(true);
    model.dispose();
  });

  it("per channel: stored per output channel, refused by a plain tfjs loader, read by loadCompressedModel", async () => {
    const { model, dir, specs } = await savedTinyCnn(6, "per-channel", "uint8-per-channel");
    const conv = specs.find((s) => s.shape.length === 4)!;
    expect(conv.quantization!.channelAxis).toBe(3);
    expect(conv.quantization!.channelScales).toHaveLength(4);
    expect(conv.quantization!.scale).toBeUndefined();
    expect(specs.find((s) => s.shape.length === 1)!.quantization!.scale).toEqual(expect.any(Number));
    const loaded = await loadCompressedModel(dir);
    expect(loaded.countParams()).toBe(model.countParams());
    loaded.dispose();
    model.dispose();
    await expect(tf.loadLayersModel(tf.io.fromMemory(readModelArtifacts(dir)))).rejects.toThrow(/min and scale/);
    // tfjs leaves the weights of the model it failed to fill behind; nothing else holds variables here.
    tf.disposeVariables();
  });
});

describe("magnitude pruning (Seed 000 §8.1)", () => {
  it.each([0.5, 0.75, 0.9])(
    "zeroes exactly round(%s × size) of each kernel, the smallest, and leaves biases alone",
    (sparsity) => {
      const model = tinyCnn(7);
      const before = weightsOf(model);
      const report = pruneByMagnitude(model, sparsity);
      const after = weightsOf(model);
      expect(report.map((r) => r.name.split("/").pop())).toEqual(["kernel", "kernel", "kernel"]);
      for (const [w, weight] of model.weights.entries()) {
        const old = before[w]!;
        const now = after[w]!;
        if (weight.shape.length === 1) {
          expect(now).toEqual(old);
          continue;
        }
        const zeros = now.filter((v) => v === 0).length;
        expect(zeros).toBe(Math.round(sparsity * now.length));
        const largestPruned = Math.max(
          ...Array.from(old)
            .filter((_, i) => now[i] === 0)
            .map(Math.abs),
        );
        const smallestKept = Math.min(
          ...Array.from(old)
            .filter((_, i) => now[i] !== 0)
            .map(Math.abs),
        );
        expect(largestPruned).toBeLessThanOrEqual(smallestKept);
        now.forEach((v, i) => v !== 0 && expect(v).toBe(old[i]));
      }
      expect(kernelSparsity(model)).toBeCloseTo(sparsity, 2);
      model.dispose();
    },
  );

  it("refuses a sparsity outside [0, 1)", () => {
    const model = tinyCnn();
    expect(() => pruneByMagnitude(model, 1)).toThrow(PruningError);
    expect(() => pruneByMagnitude(model, -0.1)).toThrow(/\[0, 1\), got -0.1/);
    model.dispose();
  });

  it("keeps pruned zeros exactly zero through uint8, and gzip turns the zeros into bytes saved", async () => {
    const model = tinyCnn(8);
    const dense = join(scratch, "dense");
    await saveQuantisedModel(model, dense, "float32");
    pruneByMagnitude(model, 0.9);
    const sparse = join(scratch, "sparse");
    await saveQuantisedModel(model, sparse, "float32");
    await saveQuantisedModel(model, join(scratch, "sparse-uint8"), "uint8");
    const loaded = await loadCompressedModel(join(scratch, "sparse-uint8"));
    expect(kernelSparsity(loaded)).toBeCloseTo(kernelSparsity(model), 6);
    loaded.dispose();
    const [denseSize, sparseSize] = [modelFootprint(dense), modelFootprint(sparse)];
    expect(sparseSize.files.find((f) => f.file === "weights.bin")!.bytes).toBe(
      denseSize.files.find((f) => f.file === "weights.bin")!.bytes,
    );
    expect(sparseSize.bytes).toBe(sparseSize.files.reduce((n, f) => n + statSync(join(sparse, f.file)).size, 0));
    expect(sparseSize.gzipBytes).toBeLessThan(denseSize.gzipBytes * 0.6);
    expect(() => modelFootprint(join(scratch, "nothing"))).toThrow(/nothing: no saved model folder/);
    model.dispose();
  });
});

describe("inference time", () => {
  it("times the requested passes without leaving tensors", async () => {
    const model = tinyCnn();
    const x = tf.randomUniform([4, 8, 8, 1]);
    const timing = await timeInference(model, x, { repeats: 2 });
    expect(timing.passesMs).toHaveLength(2);
    expect(timing.images).toBe(4);
    expect(timing.msPerImage).toBeGreaterThan(0);
    await expect(timeInference(model, x, { repeats: 0 })).rejects.toThrow(/repeats must be a positive integer/);
    x.dispose();
    model.dispose();
  });
});

describe("compareCompressions (Seed 000 §8.1, §2.4)", () => {
  it("measures every variant from its own files and leaves the model unchanged", async () => {
    const model = tinyCnn(9);
    const before = weightsOf(model);
    const x = tf.randomUniform([12, 8, 8, 1], 0, 1, "float32", 10);
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2], "int32");
    const rows = await compareCompressions(model, {
      dir: join(scratch, "compare"),
      test: [x, y],
      sparsities: [0.5, 0.9],
      repeats: 1,
      timedImages: 5,
    });
    expect(rows.map((r) => r.variant)).toEqual([
      "float32",
      "float16",
      "uint8",
      "uint8-per-channel",
      "pruned 50 %",
      "pruned 90 %",
      "pruned 90 % + uint8",
    ]);
    const row = Object.fromEntries(rows.map((r) => [r.variant, r]));
    expect(row.float32!.accuracy).toBe(accuracy(await labelsOf(y), (await predictClasses(model, x)).classes));
    expect(row.float16!.bytes).toBeLessThan(row.float32!.bytes);
    expect(row.uint8!.bytes).toBeLessThan(row.float16!.bytes);
    expect(row["pruned 90 %"]!.bytes).toBe(row.float32!.bytes);
    expect(row["pruned 90 %"]!.gzipBytes).toBeLessThan(row["pruned 50 %"]!.gzipBytes);
    const gzippedWeights = (variant: string) =>
      modelFootprint(row[variant]!.dir).files.find((f) => f.file === "weights.bin")!.gzipBytes;
    expect(gzippedWeights("pruned 90 % + uint8")).toBeLessThan(gzippedWeights("pruned 90 %")); // model.json, larger with scales, dominates at this size
    for (const r of rows) expect(r.bytes).toBe(modelFootprint(r.dir).bytes);
    expect(weightsOf(model)).toEqual(before);
    tf.dispose([x, y]);
    model.dispose();
  });
});
