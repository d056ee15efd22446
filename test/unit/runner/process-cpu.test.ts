import { describe, expect, it } from "vitest";
import { parseProcStatCpuTicks, processCpuSeconds } from "../../../src/runner/process-cpu";

describe("kernel CPU seconds", () => {
  it("reads utime, stime, cutime and cstime from a stat line whose name holds spaces and parentheses", () => {
    const stat = "4242 (node (a b)) S 1 4242 4242 0 -1 4194560 9000 0 0 0 150 25 7 3 20 0 11 0 123 456 789";
    expect(parseProcStatCpuTicks(stat)).toBe(150 + 25 + 7 + 3);
    expect(() => parseProcStatCpuTicks("4242 (node) S 1")).toThrow(/unexpected/);
  });

  it("grows while this process computes, and is undefined for a process that is not there", () => {
    if (process.platform !== "linux") return;
    const before = processCpuSeconds(process.pid)!;
    const until = Date.now() + 300;
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    expect(x).toBeGreaterThan(0);
    expect(processCpuSeconds(process.pid)! - before).toBeGreaterThan(0.05);
    expect(processCpuSeconds(2 ** 22 + 1)).toBeUndefined();
  });
});
