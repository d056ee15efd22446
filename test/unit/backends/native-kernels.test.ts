import * as tf from "@tensorflow/tfjs";
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { on } from "./on-backend";
import { adam } from "../../../src/backends/adam";
import {
  MapOp,
  NATIVE_KERNELS_PATH,
  nativeKernels,
  nativeKernelsAbsence,
  useNativeKernels,
} from "../../../src/backends/native-kernels";
import { probeWasm } from "../../../src/backends/probes";
import { seededRandom } from "../../../src/random";

const ROOT = join(__dirname, "..", "..", "..");
const native = nativeKernels();

function randomArray(size: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: size }, () => random.between(-2, 2));
}

/** Largest |wasm − cpu| over the cpu values' scale. */
async function wasmAgainstCpu(compute: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  const [wasm, cpu] = [await on("wasm", compute), await on("cpu", compute)];
  let worst = 0;
  wasm.forEach((values, i) => {
    const expected = cpu[i]!;
    expect(values.length).toBe(expected.length);
    let scale = 1;
    for (const v of expected) scale = Math.max(scale, Math.abs(v));
    for (let j = 0; j < values.length; j++) worst = Math.max(worst, Math.abs(values[j]! - expected[j]!) / scale);
  });
  return worst;
}

/** Each output of `compute` on wasm equals cpu's: NaN and ±∞ exactly, finite values within `tolerance` (relative). */
async function expectSameValuesOnWasmAndCpu(compute: () => tf.Tensor[], tolerance: number): Promise<void> {
  const [wasm, cpu] = [await on("wasm", compute), await on("cpu", compute)];
  wasm.forEach((values, i) => {
    const expected = cpu[i]!;
    expect(values.length).toBe(expected.length);
    for (let j = 0; j < values.length; j++) {
      const [got, want] = [values[j]!, expected[j]!];
      if (!Number.isFinite(want)) expect(got, `output ${i}[${j}]`).toBe(want);
      else
        expect(Math.abs(got - want), `output ${i}[${j}]`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(want)));
    }
  });
}

beforeAll(async () => {
  tf.enableProdMode(); // no "install our node backend" banner when cpu starts
  expect((await probeWasm()).available).toBe(true);
});

afterAll(() => useNativeKernels(true));

describe("native kernels (OpenBLAS) for the wasm backend", () => {
  it("are built where CI runs, and say why not where they are absent", () => {
    if (process.env.CI !== undefined) expect(native, nativeKernelsAbsence()).toBeDefined();
    if (native === undefined) expect(nativeKernelsAbsence()).toMatch(/not built|LEPTON_NATIVE_KERNELS=0|does not load/);
    else expect(native.blas()).toMatch(/^OpenBLAS \d/);
  });

  it.skipIf(native === undefined)(
    "run forward convolutions with bias and relu like cpu: 1–6 channels, 3×3 and 5×5, strides 1–2, dilation 1–2, valid/same",
    async () => {
      const cases: [number[], number[], number, number, "valid" | "same"][] = [
        [[2, 9, 9, 4], [3, 3, 4, 5], 1, 1, "valid"],
        [[2, 9, 8, 4], [3, 3, 4, 5], 2, 1, "same"],
        [[1, 11, 11, 6], [5, 5, 6, 3], 1, 2, "same"],
        [[3, 7, 7, 8], [1, 1, 8, 4], 1, 1, "valid"],
        // Short patches (at most 32 values: a first layer), whose output channels go by 32, 8 and 1.
        [[2, 12, 11, 1], [3, 3, 1, 40], 1, 1, "same"],
        [[2, 9, 9, 3], [3, 3, 3, 13], 2, 1, "valid"],
        [[1, 10, 10, 2], [3, 3, 2, 33], 1, 2, "same"],
      ];
      for (const [[xShape, wShape, stride, dilation, pad], seed] of cases.map((c, i) => [c, i] as const)) {
        const x = randomArray(tf.util.sizeFromShape(xShape), seed);
        const w = randomArray(tf.util.sizeFromShape(wShape), seed + 10);
        const bias = randomArray(wShape[3]!, seed + 20);
        const error = await wasmAgainstCpu(() => {
          const input = tf.tensor4d(x, xShape as [number, number, number, number]);
          const filter = tf.tensor4d(w, wShape as [number, number, number, number]);
          return [
            tf.conv2d(input, filter, stride, pad, "NHWC", dilation),
            tf.fused.conv2d({
              x: input,
              filter,
              strides: stride,
              pad,
              dilations: dilation,
              bias: tf.tensor1d(bias),
              activation: "relu",
            }),
          ];
        });
        expect(error, `${xShape} ${wShape} stride ${stride} dilation ${dilation} ${pad}`).toBeLessThan(2e-5);
      }
    },
  );

  it.skipIf(native === undefined)(
    "give the filter and input gradients of cpu for strides 1–2, 3×3 and 5×5, padding included (dilated ones: wasm-kernels)",
    async () => {
      const cases: [number[], number[], number, number, "valid" | "same"][] = [
        [[2, 8, 8, 4], [3, 3, 4, 6], 1, 1, "same"],
        [[2, 9, 7, 5], [3, 3, 5, 4], 2, 1, "same"],
        [[1, 10, 10, 3], [5, 5, 3, 2], 2, 1, "valid"],
        [[2, 7, 7, 1], [3, 3, 1, 8], 1, 1, "valid"],
        // Short patches: taps by three and one, output channels by 32, 8 and 1.
        [[2, 12, 12, 1], [3, 3, 1, 40], 1, 1, "same"],
        [[2, 9, 8, 3], [3, 3, 3, 13], 2, 1, "same"],
        [[1, 8, 8, 2], [2, 2, 2, 33], 1, 1, "valid"],
      ];
      for (const [[xShape, wShape, stride, dilation, pad], seed] of cases.map((c, i) => [c, i] as const)) {
        const x = randomArray(tf.util.sizeFromShape(xShape), seed + 30);
        const w = randomArray(tf.util.sizeFromShape(wShape), seed + 40);
        const error = await wasmAgainstCpu(() =>
          tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf
              .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad, "NHWC", dilation)
              .square()
              .sum(),
          )([tf.tensor(x, xShape), tf.tensor(w, wShape)]),
        );
        expect(error, `${xShape} ${wShape} stride ${stride} dilation ${dilation} ${pad}`).toBeLessThan(2e-5);
      }
    },
  );

  it.skipIf(native === undefined)(
    "multiply like cpu with either operand transposed, batched and broadcast",
    async () => {
      const cases: [number[], number[], boolean, boolean][] = [
        [[5, 7], [7, 3], false, false],
        [[7, 5], [7, 3], true, false],
        [[5, 7], [3, 7], false, true],
        [[7, 5], [3, 7], true, true],
        [[2, 4, 6], [2, 6, 3], false, false],
        [[2, 6, 4], [1, 3, 6], true, true],
      ];
      for (const [[aShape, bShape, ta, tb], seed] of cases.map((c, i) => [c, i] as const)) {
        const a = randomArray(tf.util.sizeFromShape(aShape), seed + 50);
        const b = randomArray(tf.util.sizeFromShape(bShape), seed + 60);
        const error = await wasmAgainstCpu(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), ta, tb));
        expect(error, `${aShape}${ta ? "ᵀ" : ""} · ${bShape}${tb ? "ᵀ" : ""}`).toBeLessThan(2e-6);
      }
    },
  );

  it.skipIf(native === undefined)("refuse views that do not fit the geometry, naming the argument", () => {
    const geometry = [1, 4, 4, 2, 2, 2, 3, 3, 3, 1, 1, 1, 1, 0, 0];
    const x = new Float32Array(32);
    const filter = new Float32Array(54);
    expect(() => native!.conv2d(x, filter, null, new Float32Array(11), geometry, false)).toThrow(
      /out holds 11 values; the geometry needs 12/,
    );
    expect(() => native!.conv2d(x, filter, null, new Float32Array(12), geometry.slice(1), false)).toThrow(
      /geometry must be an array of 15 integers/,
    );
    expect(() => native!.matMul(x, filter, new Float32Array(4), 1, 1, 2, 16, 2, false, false)).toThrow(/b holds 54/);
    expect(() =>
      native!.conv2dBackpropFilter(x, new Float32Array(12), new Float32Array(54), [0, ...geometry.slice(1)]),
    ).toThrow(/must be positive/);
  });

  it.skipIf(native === undefined)(
    "add a bias, multiply, relu, step and relu's gradient like cpu, NaN and ±0 included, and leave other broadcasts to wasm",
    async () => {
      const x = randomArray(2 * 5 * 4 * 6, 80);
      const y = randomArray(x.length, 81);
      x.set([Number.NaN, -0, 0, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY], 7);
      const bias = randomArray(6, 82);
      const compute = () => {
        const a = tf.tensor4d(x, [2, 5, 4, 6]);
        const b = tf.tensor4d(y, [2, 5, 4, 6]);
        const row = tf.tensor1d(bias);
        return [
          tf.add(a, row),
          tf.add(row.reshape([1, 1, 6]), a), // the row on the left, with leading 1s
          tf.add(a, b),
          tf.mul(a, b),
          tf.mul(a, row),
          tf.add(a, tf.tensor2d(bias.subarray(0, 4), [4, 1])), // a column: broadcast by wasm's own kernel
          tf.relu(a),
          tf.step(a, 0.25),
          tf.grad((t: tf.Tensor) => tf.relu(t).mul(b).sum())(a),
          tf.grad((t: tf.Tensor) => tf.relu(t).sum())(tf.zeros([0, 3])), // empty: tfjs' own expression
        ];
      };
      const before = tf.memory().numTensors;
      await expectSameValuesOnWasmAndCpu(compute, 1e-6);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it.skipIf(native === undefined)(
    "max-pool like cpu: sizes 2–3, strides 1–2, valid and same, odd sides, NaN and −∞ in the windows",
    async () => {
      const cases: [number[], number, number, "valid" | "same"][] = [
        [[2, 26, 26, 5], 2, 2, "valid"],
        [[2, 11, 11, 9], 2, 2, "valid"],
        [[1, 9, 8, 3], 2, 2, "same"],
        [[2, 9, 10, 4], 3, 2, "same"],
        [[1, 7, 7, 2], 3, 1, "valid"],
      ];
      for (const [[shape, size, stride, pad], seed] of cases.map((c, i) => [c, i] as const)) {
        const values = randomArray(tf.util.sizeFromShape(shape), seed + 90).map((v, i) =>
          i % 13 === 0 ? Number.NaN : i % 17 === 0 ? Number.NEGATIVE_INFINITY : v,
        );
        values.fill(Number.NaN, 0, 4 * shape[3]!); // a whole first window of NaN: −∞ as on cpu
        await expectSameValuesOnWasmAndCpu(
          () => [tf.maxPool(tf.tensor4d(values, shape as [number, number, number, number]), size, stride, pad)],
          0,
        );
      }
    },
  );

  it.skipIf(native === undefined)("refuse element-wise operands that do not fit, naming them", () => {
    const a = new Float32Array(12);
    expect(() => native!.map(MapOp.add, a, new Float32Array(5), new Float32Array(12), 0)).toThrow(/b must hold/);
    expect(() => native!.map(MapOp.relu, a, null, new Float32Array(11), 0)).toThrow(/out holds 11 values/);
    expect(() => native!.map(MapOp.multiply, a, null, new Float32Array(12), 0)).toThrow(/needs b/);
    expect(() => native!.map(9 as MapOp, a, null, new Float32Array(12), 0)).toThrow(/op must be/);
  });

  it.each(native === undefined ? ["one JavaScript loop"] : ["native kernels", "one JavaScript loop"])(
    "Adam's fused update (%s) trains a CNN step for step like tfjs' Adam on cpu, moments included",
    async (path) => {
      useNativeKernels(path === "native kernels");
      const xs = randomArray(2 * 8 * 8 * 3, 70);
      const ys = Float32Array.from([1, 0]);
      const train = async (backend: "wasm" | "cpu") => {
        await tf.setBackend(backend);
        const model = tf.sequential({
          layers: [
            tf.layers.conv2d({
              inputShape: [8, 8, 3],
              filters: 4,
              kernelSize: 3,
              activation: "relu",
              seed: 1,
            } as never),
            tf.layers.flatten(),
            tf.layers.dense({
              units: 1,
              activation: "sigmoid",
              kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
            }),
          ],
        });
        model.layers[0]!.setWeights([
          tf.tensor4d(randomArray(3 * 3 * 3 * 4, 71), [3, 3, 3, 4]),
          tf.tensor1d(randomArray(4, 72)),
        ]);
        const optimizer = backend === "wasm" ? adam(0.01) : tf.train.adam(0.01);
        model.compile({ optimizer, loss: "binaryCrossentropy" });
        const x = tf.tensor4d(xs, [2, 8, 8, 3]);
        const y = tf.tensor2d(ys, [2, 1]);
        const tensorsAfterFirst: number[] = [];
        for (let step = 0; step < 3; step++) {
          await model.trainOnBatch(x, y);
          tensorsAfterFirst.push(tf.memory().numTensors);
        }
        const weights = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
        const moments = (await optimizer.getWeights()).slice(1).map((w) => Float32Array.from(w.tensor.dataSync()));
        tf.dispose([x, y]);
        model.dispose();
        optimizer.dispose();
        return { weights, moments, tensorsAfterFirst };
      };
      const wasm = await train("wasm");
      const cpu = await train("cpu");
      expect(wasm.tensorsAfterFirst[2], "tensors after step 3 vs step 1").toBe(wasm.tensorsAfterFirst[0]);
      expect(wasm.moments.length).toBe(cpu.moments.length);
      for (const [name, got, want] of [
        ["weights", wasm.weights, cpu.weights],
        ["moments", wasm.moments, cpu.moments],
      ] as const) {
        got.forEach((values, i) => {
          for (let j = 0; j < values.length; j++)
            expect(Math.abs(values[j]! - want[i]![j]!), `${name} ${i}[${j}]`).toBeLessThan(1e-4);
        });
      }
      useNativeKernels(true);
    },
  );

  it.skipIf(native === undefined)(
    "give the one-thread results when their work is split over 3 threads: every kernel, shares of images, rows and columns",
    () => {
      const kernels = native!;
      // Large enough to be split (over a million multiply-adds each), with batches that 12 shares do not divide evenly.
      const conv = [13, 12, 12, 8, 10, 10, 16, 3, 3, 1, 1, 1, 1, 0, 0];
      const pool = [13, 72, 72, 16, 36, 36, 2, 2, 2, 2, 0, 0];
      const run = () => {
        const x = randomArray(13 * 12 * 12 * 8, 1);
        const w = randomArray(3 * 3 * 8 * 16, 2);
        const bias = randomArray(16, 3);
        const dy = randomArray(13 * 10 * 10 * 16, 4);
        const out = new Float32Array(dy.length);
        const dw = new Float32Array(w.length);
        const dx = new Float32Array(x.length);
        kernels.conv2d(x, w, bias, out, conv, true);
        kernels.conv2dBackpropFilter(x, dy, dw, conv);
        kernels.conv2dBackpropInput(dy, w, dx, conv);
        const short = [13, 30, 30, 1, 28, 28, 40, 3, 3, 1, 1, 1, 1, 0, 0];
        const sx = randomArray(13 * 30 * 30, 15);
        const sw = randomArray(9 * 40, 16);
        const sdy = randomArray(13 * 28 * 28 * 40, 17);
        const shortOut = new Float32Array(sdy.length);
        const shortDw = new Float32Array(sw.length);
        kernels.conv2d(sx, sw, randomArray(40, 19), shortOut, short, true);
        kernels.conv2dBackpropFilter(sx, sdy, shortDw, short);
        const biased = new Float32Array(sdy.length);
        const gated = new Float32Array(sdy.length);
        kernels.map(MapOp.add, sdy, randomArray(40, 18), biased, 0);
        kernels.map(MapOp.reluGradient, sdy, shortOut, gated, 0);
        const px = randomArray(13 * 72 * 72 * 16, 5);
        const pdy = randomArray(13 * 36 * 36 * 16, 6);
        const pdx = new Float32Array(px.length);
        kernels.maxPoolGrad(px, pdy, pdx, pool);
        const pooled = new Float32Array(pdy.length);
        kernels.maxPool(px, pooled, pool);
        // One product split by rows (300 ≥ 200), one by columns, and a batch of 5 split by products.
        const a = randomArray(300 * 64, 7);
        const b = randomArray(64 * 200, 8);
        const byRows = new Float32Array(300 * 200);
        const byColumns = new Float32Array(200 * 300);
        const batched = new Float32Array(5 * 300 * 200);
        kernels.matMul(a, b, byRows, 1, 1, 300, 64, 200, false, false);
        kernels.matMul(b, a, byColumns, 1, 1, 200, 64, 300, true, true);
        kernels.matMul(randomArray(5 * 300 * 64, 9), b, batched, 5, 1, 300, 64, 200, false, false);
        const rows = randomArray(40_000 * 32, 10);
        const sums = new Float32Array(32);
        kernels.sumRows(rows, 32, sums);
        const n = 1 << 21;
        const [value, m, v, g] = [11, 12, 13, 14].map((seed) => randomArray(n, seed).map(Math.abs));
        const moved = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
        kernels.adamStep(value!, m!, v!, g!, moved[0]!, moved[1]!, moved[2]!, [0.9, 0.999, 0.01, 1e-7, 0.1, 0.001]);
        return {
          out,
          dw,
          dx,
          shortOut,
          shortDw,
          biased,
          gated,
          pdx,
          pooled,
          byRows,
          byColumns,
          batched,
          sums,
          adam: moved[0]!,
        };
      };
      kernels.setThreads(1);
      const single = run();
      kernels.setThreads(3);
      const split = run();
      kernels.setThreads(1);
      for (const [name, values] of Object.entries(split)) {
        const expected = single[name as keyof typeof single];
        let scale = 1;
        for (const value of expected) scale = Math.max(scale, Math.abs(value));
        let worst = 0;
        for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i]! - expected[i]!) / scale);
        expect(worst, name).toBeLessThan(1e-5);
      }
      // The transposed product is the transpose of the first.
      expect(split.byColumns[7 * 300 + 11]).toBeCloseTo(split.byRows[11 * 200 + 7]!, 3);
    },
  );

  it.skipIf(native === undefined)(
    "start a kernel right after their thread count changes, thousands of times, without waiting forever",
    () => {
      // A pool worker that started running only after the first kernel had begun used to wait for the one after it,
      // and the kernel then spun forever on its share.
      const script = `const k = require(${JSON.stringify(NATIVE_KERNELS_PATH)});
        const a = new Float32Array(256 * 64).fill(1), b = new Float32Array(64 * 128).fill(1), out = new Float32Array(256 * 128);
        for (let i = 0; i < 3000; i++) { k.setThreads(1 + (i % 3)); k.matMul(a, b, out, 1, 1, 256, 64, 128, false, false); }
        console.log("done", out[5]);`;
      const child = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 60_000 });
      expect(child.signal, "killed: a kernel never returned").toBeNull();
      expect(child.stdout.trim(), child.stderr).toBe("done 64");
    },
  );

  it.skipIf(native === undefined)(
    "run kernels of 2 and of 32 shares back to back on more threads than cores, no share lost or run twice",
    () => {
      // A worker preempted between its last share and its next look at the pool once claimed a share of the next
      // kernel before that kernel began (the count of shares was read apart from the generation); the share then ran
      // twice, and the caller waited forever for one more than the kernel had. Eight threads on a small machine
      // preempt workers at every point; the old pool hung within 1,500 pairs of kernels here.
      const script = `const k = require(${JSON.stringify(NATIVE_KERNELS_PATH)});
        const n = 1 << 20, x = new Float32Array(n).map((_, i) => (i % 13) - 6);
        const wide = new Float32Array(n / 2), narrow = new Float32Array(32);
        k.setThreads(1); k.sumRows(x, n / 2, wide); k.sumRows(x, 32, narrow);
        const [w0, n0] = [wide.slice(), narrow.slice()];
        k.setThreads(8);
        for (let i = 0; i < 2000; i++) {
          k.sumRows(x, n / 2, wide); k.sumRows(x, 32, narrow);
          if (wide[(i * 7919) % wide.length] !== w0[(i * 7919) % wide.length] || narrow[i % 32] !== n0[i % 32]) { console.log("wrong sums at", i); process.exit(1); }
        }
        console.log(wide.every((v, j) => v === w0[j]) && narrow.every((v, j) => v === n0[j]) ? "done" : "wrong sums");`;
      const child = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 90_000 });
      expect(child.signal, "killed: a kernel never returned").toBeNull();
      expect(child.stdout.trim(), child.stderr).toBe("done");
    },
    120_000,
  );

  it("are switched off by LEPTON_NATIVE_KERNELS=0, and the backend's description says which path runs", () => {
    const script =
      'require("tsx/cjs/api").register(); require("./src/backends/probes").probeWasm().then((p) => console.log(p.detail))';
    const off = spawnSync(process.execPath, ["-e", script], {
      cwd: ROOT,
      env: { ...process.env, LEPTON_NATIVE_KERNELS: "0", LEPTON_WASM_THREADS: "1" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(off.stdout.trim(), off.stderr).toBe("XNNPACK SIMD, 1 thread");
    if (native === undefined) return;
    // With the native kernels the threads are theirs (by default the machine's cores) and XNNPACK's pool stays on one.
    const detailAndSum =
      'require("tsx/cjs/api").register(); const tf = require("@tensorflow/tfjs"); require("./src/backends/probes").probeWasm().then(async (p) => { await tf.setBackend("wasm"); const y = tf.conv2d(tf.ones([2, 32, 32, 16]), tf.ones([3, 3, 16, 32]), 1, "same"); console.log(p.detail, (await y.data())[33 * 32]); });';
    const described = (threads: string) =>
      spawnSync(process.execPath, ["-e", detailAndSum], {
        cwd: ROOT,
        env: { ...process.env, LEPTON_NATIVE_KERNELS: "", LEPTON_WASM_THREADS: threads },
        encoding: "utf8",
        timeout: 60_000,
      });
    const blas = "native kernels \\(OpenBLAS [^)]+\\)";
    const one = described("1");
    expect(one.stdout.trim(), one.stderr).toMatch(new RegExp(`^XNNPACK SIMD, 1 thread \\+ ${blas}, 1 thread 144$`));
    const two = described("2");
    expect(two.stdout.trim(), two.stderr).toMatch(new RegExp(`^XNNPACK SIMD, 1 thread \\+ ${blas}, 2 threads 144$`));
    const cores = availableParallelism();
    const byDefault = described("");
    expect(byDefault.stdout.trim(), byDefault.stderr).toMatch(
      new RegExp(
        `^XNNPACK SIMD, 1 thread \\+ ${blas}, ${cores > 1 ? `${Math.min(cores, 8)} threads` : "1 thread"} 144$`,
      ),
    );
  });
});
