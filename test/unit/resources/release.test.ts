import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it } from "vitest";
import { failOnTensorLeaks } from "../tensor-leaks";
import { formatLeakReport, leakGuard, TensorLeakError, trackTensors } from "../../../src/resources/release";

const kept: tf.Tensor[] = [];
const tensorsAtStart = failOnTensorLeaks();
// Registered after the harness, so it runs before the harness's check (after-hooks run in reverse).
afterEach(() => {
  tf.dispose(kept.splice(0));
});

describe("leakGuard", () => {
  it("reports the tensors a leaky step leaves behind, with shapes, dtypes and bytes", async () => {
    const { report } = await leakGuard("leaky", () => {
      const a = tf.ones([3, 4]);
      const b = tf.add(a, 1);
      const c = b.toInt();
      tf.square(a).dispose(); // disposed: not a leak
      kept.push(a, b, c); // disposed by afterEach
      return 0;
    });
    expect(report.leakedTensors).toBe(3); // a, the float a + 1, and its int32 cast
    expect(report.leakedBytes).toBe(3 * 12 * 4);
    expect(report.tensors.map((t) => `${t.dtype}[${t.shape.join(",")}]`)).toEqual([
      "float32[3,4]",
      "float32[3,4]",
      "int32[3,4]",
    ]);
    expect(report.released).toBe(false);
    expect(formatLeakReport(report)).toBe(
      'step "leaky" left 3 tensors (144 B) allocated: float32[3,4], float32[3,4], int32[3,4]',
    );
    expect(tf.memory().numTensors - tensorsAtStart()).toBe(3); // reported, not released
  });

  it("reports 0 for a clean step and for one under tf.tidy; a returned tensor is no leak", async () => {
    const clean = await leakGuard("clean", () => {
      const a = tf.ones([5]);
      const total = a.sum();
      const sum = total.dataSync()[0];
      tf.dispose([a, total]);
      return sum;
    });
    expect(clean.report.leakedTensors).toBe(0);
    expect(clean.result).toBe(5);
    const tidied = await leakGuard("tidied", () => tf.tidy(() => tf.ones([5]).mul(2).sum().dataSync()[0]));
    expect(tidied.report.leakedTensors).toBe(0);
    const returning = await leakGuard("returns", () => tf.tidy(() => ({ out: tf.ones([2]).mul(3) })));
    expect(returning.report).toMatchObject({ leakedTensors: 0, returnedTensors: 1 });
    expect(formatLeakReport(returning.report)).toBe('step "returns" left no tensor behind');
    returning.result.out.dispose();
  });

  it("releases the leaked tensors on request", async () => {
    const before = tf.memory().numTensors;
    const { report } = await leakGuard("released", () => void tf.zeros([2, 2]).add(1), { release: true });
    expect(report).toMatchObject({ leakedTensors: 2, leakedBytes: 32, released: true });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("throws a TensorLeakError naming the step", async () => {
    const failure = leakGuard("augment batch 7", () => void tf.ones([8, 28, 28, 1]), {
      throwOnLeak: true,
      release: true,
    });
    await expect(failure).rejects.toBeInstanceOf(TensorLeakError);
    await expect(failure).rejects.toThrow(
      'step "augment batch 7" left 1 tensor (25,088 B) allocated: float32[8,28,28,1] — released',
    );
  });

  it("guards async steps: a real training step leaks nothing; its first call creates the optimizer's variables", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [3], units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      ],
    });
    model.compile({ optimizer: "adam", loss: "meanSquaredError" });
    const x = tf.ones([4, 3]);
    const y = tf.zeros([4, 2]);
    const first = await leakGuard("first step", () => model.trainOnBatch(x, y));
    expect(first.report.leakedTensors).toBe(0);
    expect(first.report.newVariables.length).toBeGreaterThanOrEqual(4); // Adam's m and v for the kernel and the bias
    const second = await leakGuard("second step", () => model.trainOnBatch(x, y));
    expect(second.report).toMatchObject({ leakedTensors: 0, newVariables: [] });
    tf.dispose([x, y]);
    model.dispose();
  });

  it("leaves the tfjs scope stack as it found it, also when the step throws", async () => {
    const depth = tf.engine().state.scopeStack.length;
    const inside = tf.ones([1]);
    await expect(
      trackTensors("fails", () => {
        tf.ones([100]);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(tf.engine().state.scopeStack.length).toBe(depth);
    expect(tf.memory().numTensors - tensorsAtStart()).toBe(1); // the failing step's tensor was released
    inside.dispose();
  });
});
