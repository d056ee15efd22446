import { cpus, totalmem } from "node:os";
import { describe, expect, it } from "vitest";
import { describeMachine } from "../../../src/resources/machine";

describe("describeMachine", () => {
  it("reports what the operating system reports", () => {
    const report = describeMachine();
    expect(report.logicalCores).toBe(cpus().length);
    expect(report.totalMemoryGiB).toBeCloseTo(totalmem() / 1024 ** 3, 6);
    expect(report.freeMemoryGiB).toBeGreaterThan(0);
    expect(report.freeMemoryGiB).toBeLessThanOrEqual(report.totalMemoryGiB);
    expect(report.node).toBe(process.versions.node);
    expect(report.tfjs).toBe("4.22.0");
    expect(Array.isArray(report.gpus)).toBe(true);
  });
});
