/**
 * `usage_request` on the control channel through jupyter_client, as JupyterLab's kernel-usage
 * panel sends it: ipykernel's reply fields, and tfjs's memory once a cell has loaded tfjs.
 */
import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { askKernel } from "./jupyter-requests";

const NOTEBOOKS = resolve(__dirname, "..", "..", "..", "notebooks");

describe("usage_request, through jupyter_client", () => {
  let before: Record<string, unknown>;
  let after: Record<string, unknown>;
  beforeAll(async () => {
    const answers = await askKernel(
      [
        { usage: true },
        { execute: 'import * as tf from "@tensorflow/tfjs";\nconst kept = tf.ones([64, 64]);\nkept.size' },
        { usage: true },
      ],
      NOTEBOOKS,
    );
    before = answers[0] as Record<string, unknown>;
    after = answers[2] as Record<string, unknown>;
  }, 300_000);

  it("answers with the kernel's and the host's CPU and memory, as ipykernel does", () => {
    expect(typeof before.hostname).toBe("string");
    expect(before.pid).toEqual(expect.any(Number));
    expect(before.kernel_cpu).toBeGreaterThanOrEqual(0);
    expect(before.kernel_memory).toBeGreaterThan(10 * 2 ** 20);
    expect(before.host_cpu_percent).toBeGreaterThanOrEqual(0);
    expect(before.cpu_count).toBeGreaterThanOrEqual(1);
    const memory = before.host_virtual_memory as Record<string, number>;
    expect(memory.total).toBeGreaterThan(memory.available!);
    expect(memory.percent).toBeGreaterThan(0);
    expect(memory.percent).toBeLessThanOrEqual(100);
    expect(before.tfjs_memory).toBeUndefined();
  });

  it("adds tf.memory() once a cell has loaded tfjs", () => {
    const tfjs = after.tfjs_memory as Record<string, number>;
    expect(tfjs.numTensors).toBeGreaterThanOrEqual(1);
    expect(tfjs.numBytes).toBeGreaterThanOrEqual(64 * 64 * 4);
  });
});
