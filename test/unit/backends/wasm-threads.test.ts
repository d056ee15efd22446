import * as tf from "@tensorflow/tfjs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nodeWorkerSource, wasmThreadCount, WasmThreadsError } from "../../../src/backends/wasm-threads";

// XNNPACK's pool takes the threads only where the native kernels are off; these tests are about that pool.
process.env.LEPTON_NATIVE_KERNELS = "0";

describe("wasm threads under Node", () => {
  it("reads LEPTON_WASM_THREADS, defaulting to one thread and refusing nonsense", () => {
    expect(wasmThreadCount({})).toBe(1);
    expect(wasmThreadCount({}, 2)).toBe(2);
    expect(wasmThreadCount({}, 64)).toBe(8);
    expect(wasmThreadCount({ LEPTON_WASM_THREADS: "1" }, 2)).toBe(1);
    expect(wasmThreadCount({ LEPTON_WASM_THREADS: "2" })).toBe(2);
    expect(wasmThreadCount({ LEPTON_WASM_THREADS: "64" })).toBe(8);
    expect(() => wasmThreadCount({ LEPTON_WASM_THREADS: "two" })).toThrow(WasmThreadsError);
    expect(() => wasmThreadCount({ LEPTON_WASM_THREADS: "0" })).toThrow(/positive integer/);
  });

  it("rewrites the pthread worker to import the module factory from a file", () => {
    const worker =
      'x;if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}Factory(Module)';
    expect(nodeWorkerSource(worker, "/tmp/f.js")).toBe('x;importScripts("/tmp/f.js");Factory(Module)');
    expect(() => nodeWorkerSource("no loader here", "/tmp/f.js")).toThrow(WasmThreadsError);
  });

  it("starts the threaded build with 2 threads, whose convolutions and training gradients match cpu", async () => {
    process.env.LEPTON_WASM_THREADS = "2";
    const { probeWasm } = await import("../../../src/backends/probes");
    const wasm = await probeWasm();
    expect(wasm.available).toBe(true);
    expect(wasm.detail).toBe("XNNPACK SIMD, 2 threads");
    const x = Float32Array.from({ length: 2 * 16 * 16 * 8 }, (_, i) => Math.sin(i));
    const w = Float32Array.from({ length: 3 * 3 * 8 * 16 }, (_, i) => Math.cos(i));
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const out = tf.tidy(() => {
        const [xt, wt] = [tf.tensor4d(x, [2, 16, 16, 8]), tf.tensor4d(w, [3, 3, 8, 16])];
        return [
          tf.conv2d(xt, wt, 1, "same"),
          ...tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf
              .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "valid")
              .square()
              .sum(),
          )([xt, wt]),
        ];
      });
      const values = await Promise.all(out.map((t) => t.data()));
      tf.dispose(out);
      return values;
    };
    const [threaded, cpu] = [await run("wasm"), await run("cpu")];
    threaded.forEach((values, i) => {
      const reference = cpu[i]!;
      const scale = Math.max(1, ...Array.from(reference, Math.abs));
      expect(Math.max(...Array.from(values, (v, j) => Math.abs(v - reference[j]!))) / scale).toBeLessThan(2e-5);
    });
  });

  it("lets a process on the threaded build exit by itself once its work is done", () => {
    const probes = join(__dirname, "../../../src/backends/probes.ts");
    const script = `require("tsx/cjs/api").register(); const tf = require("@tensorflow/tfjs"); require(${JSON.stringify(probes)}).probeWasm().then(async (p) => { const y = tf.conv2d(tf.ones([1, 8, 8, 4]), tf.ones([3, 3, 4, 8]), 1, "same"); console.log(p.detail, (await y.data())[9] /* an edge pixel: 6 taps × 4 channels */); }); process.once("beforeExit", () => console.error("event loop empty")); process.on("exit", (code) => console.error("exit code", code));`;
    const child = spawnSync(process.execPath, ["-e", script], {
      env: { ...process.env, LEPTON_WASM_THREADS: "2" },
      encoding: "utf8",
      timeout: 60_000,
    });
    // Everything the child said goes into the failure, so an early or silent exit explains itself.
    const report = `status ${child.status}, signal ${child.signal}, stdout ${JSON.stringify(child.stdout)}, stderr ${JSON.stringify(child.stderr)}`;
    expect(child.error, report).toBeUndefined();
    expect(child.status, report).toBe(0);
    expect(child.stdout.trim(), report).toBe("XNNPACK SIMD, 2 threads 24");
  }, 90_000);

  // A pool worker that never reports ready left tfjs' wasm start pending forever (0 % CPU, nothing printed);
  // one that throws crashed the process. Each must now fall back to one thread within seconds, saying so.
  it.each([
    [
      "never answers",
      'require("worker_threads").parentPort.on("message", () => {});',
      /did not start within 3 s \(0 of 8 pool workers reported ready\); then the 2-thread/,
    ],
    ["exits at once", "process.exit(3);", /did not start within 3 s \(0 of 8 pool workers reported ready\)/],
    ["throws", 'throw new Error("broken worker");', /a pthread pool worker failed while starting: broken worker/],
  ])(
    "falls back to one thread when a pool worker %s",
    (_, workerSource, why) => {
      const probes = join(__dirname, "../../../src/backends/probes.ts");
      const script = `require("tsx/cjs/api").register(); const tf = require("@tensorflow/tfjs"); require(${JSON.stringify(probes)}).probeWasm({ threads: 2, startSeconds: 3, threadsOptions: { rewriteWorker: () => process.argv[1] } }).then(async (p) => { const y = tf.conv2d(tf.ones([1, 8, 8, 4]), tf.ones([3, 3, 4, 8]), 1, "same"); console.log(p.detail, (await y.data())[9]); });`;
      const started = Date.now();
      const child = spawnSync(process.execPath, ["-e", script, workerSource], { encoding: "utf8", timeout: 60_000 });
      const report = `status ${child.status}, signal ${child.signal}, stdout ${JSON.stringify(child.stdout)}, stderr ${JSON.stringify(child.stderr.slice(-2000))}`;
      expect(child.signal, report).toBeNull();
      expect(child.status, report).toBe(0);
      expect(child.stdout.trim(), report).toBe("XNNPACK SIMD, 1 thread 24");
      expect(child.stderr, report).toMatch(why);
      expect(child.stderr, report).toMatch(/wasm: 2 threads did not start .*; training on 1 thread/);
      expect(Date.now() - started, report).toBeLessThan(45_000);
    },
    90_000,
  );

  it("retries a start where one pool worker never reports ready (the hang seen on this machine) and keeps 2 threads", () => {
    const probes = join(__dirname, "../../../src/backends/probes.ts");
    // Only the first worker of the first try is broken: the module asks for the worker's source once per worker.
    const script = `require("tsx/cjs/api").register(); let calls = 0; require(${JSON.stringify(probes)}).probeWasm({ threads: 2, startSeconds: 3, threadsOptions: { rewriteWorker: (source) => (calls++ === 0 ? 'require("worker_threads").parentPort.on("message", () => {});' : source) } }).then((p) => console.log(JSON.stringify(p)));`;
    const child = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 60_000 });
    const report = `status ${child.status}, signal ${child.signal}, stdout ${JSON.stringify(child.stdout)}, stderr ${JSON.stringify(child.stderr.slice(-2000))}`;
    expect(child.status, report).toBe(0);
    const probe = JSON.parse(child.stdout.trim().split("\n").pop()!) as { detail: string; reason: string };
    expect(probe.detail, report).toBe("XNNPACK SIMD, 2 threads");
    expect(probe.reason, report).toMatch(
      /on try 2; before: the 2-thread wasm backend did not start within 3 s \(7 of 8 pool workers reported ready\)/,
    );
    expect(child.stderr, report).not.toMatch(/training on 1 thread/);
  }, 90_000);
});
