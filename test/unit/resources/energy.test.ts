/**
 * Energy (Seed 001 §2.2): the RAPL reader on a prepared powercap tree — zones, sub-zones left out,
 * wraparound — read through the real resource monitor, and the labelled CPU estimate without RAPL.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  energyOf,
  EnergyError,
  raplJoulesBetween,
  readRapl,
  type CpuPowerAssumption,
} from "../../../src/resources/energy";
import { ResourceMonitor } from "../../../src/resources/monitor";

const ASSUMPTION: CpuPowerAssumption = { wattsPerBusyCore: 5, basis: "test figure" };
const MAX = 262_143_328_850;

let root: string;
const zoneFile = (zone: string, file: string) => join(root, zone, file);
function makeZone(zone: string, name: string, energyUj: number): void {
  mkdirSync(join(root, zone), { recursive: true });
  writeFileSync(zoneFile(zone, "name"), `${name}\n`);
  writeFileSync(zoneFile(zone, "energy_uj"), `${energyUj}\n`);
  writeFileSync(zoneFile(zone, "max_energy_range_uj"), `${MAX}\n`);
}
const setEnergy = (zone: string, energyUj: number) => writeFileSync(zoneFile(zone, "energy_uj"), `${energyUj}\n`);

function busyFor(ms: number): void {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
}

beforeAll(async () => {
  await tf.setBackend("cpu");
  root = mkdtempSync(join(tmpdir(), "powercap-"));
  makeZone("intel-rapl:0", "package-0", 1_000_000);
  makeZone("intel-rapl:0:0", "core", 400_000); // part of package 0: must not be added again
  makeZone("intel-rapl:1", "package-1", 5_000_000);
  mkdirSync(join(root, "intel-rapl"), { recursive: true }); // the control-type folder, not a zone
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("readRapl", () => {
  it("reads each package zone, leaving sub-zones out", () => {
    expect(readRapl(root)).toEqual({
      zones: [
        { zone: "intel-rapl:0", name: "package-0", energyUj: 1_000_000, maxEnergyRangeUj: MAX },
        { zone: "intel-rapl:1", name: "package-1", energyUj: 5_000_000, maxEnergyRangeUj: MAX },
      ],
    });
  });

  it("says why there is nothing to read, naming the folder", () => {
    const missing = readRapl(join(root, "absent"));
    expect(missing.zones).toBeNull();
    expect(missing.zones === null && missing.reason).toMatch(/absent does not exist/);
    const empty = mkdtempSync(join(tmpdir(), "powercap-empty-"));
    expect(readRapl(empty)).toEqual({
      zones: null,
      reason: `${empty} has no intel-rapl:N zone (no RAPL driver for this CPU)`,
    });
    rmSync(empty, { recursive: true });
  });

  it.runIf(process.getuid?.() !== 0)("reports a root-only counter as unreadable", () => {
    chmodSync(zoneFile("intel-rapl:1", "energy_uj"), 0o400);
    chmodSync(join(root, "intel-rapl:1"), 0o300);
    try {
      expect(readRapl(root).zones).toBeNull();
    } finally {
      chmodSync(join(root, "intel-rapl:1"), 0o755);
    }
  });

  it("names a counter file that holds no number", () => {
    setEnergy("intel-rapl:1", -1);
    expect(() => readRapl(root)).toThrow(EnergyError);
    expect(() => readRapl(root)).toThrow(
      `${zoneFile("intel-rapl:1", "energy_uj")}: expected a non-negative integer, got "-1"`,
    );
    setEnergy("intel-rapl:1", 5_000_000);
  });
});

describe("raplJoulesBetween", () => {
  const zone = (energyUj: number) => ({
    zone: "intel-rapl:0",
    name: "package-0",
    energyUj,
    maxEnergyRangeUj: 10_000_000,
  });

  it("sums the growth of each zone and undoes one wraparound", () => {
    expect(raplJoulesBetween([zone(2_000_000)], [zone(5_500_000)])).toBeCloseTo(3.5, 9);
    // 9.5 J → wrap at 10 J → 1.5 J: 0.5 + 1.5 = 2 J.
    expect(raplJoulesBetween([zone(9_500_000)], [zone(1_500_000)])).toBeCloseTo(2, 9);
  });

  it("refuses readings of different zones", () => {
    expect(() => raplJoulesBetween([zone(1)], [{ ...zone(2), zone: "intel-rapl:1" }])).toThrow(/intel-rapl:1 appeared/);
  });
});

describe("energy through the resource monitor", () => {
  it("integrates RAPL counters sampled by the monitor, across a wraparound", async () => {
    const monitor = new ResourceMonitor({ gpu: false, powercapRoot: root, diskPath: root });
    setEnergy("intel-rapl:0", 1_000_000);
    setEnergy("intel-rapl:1", 5_000_000);
    await monitor.sample();
    setEnergy("intel-rapl:0", 4_000_000); // +3 J
    setEnergy("intel-rapl:1", MAX - 1_000_000); // +(MAX − 6e6) µJ
    await monitor.sample();
    setEnergy("intel-rapl:1", 2_000_000); // wraps: +3 J
    setEnergy("intel-rapl:0", 4_500_000); // +0.5 J
    await monitor.sample();
    const report = energyOf(monitor.samples, ASSUMPTION);
    expect(report.cpuSource).toBe("rapl");
    expect(report.assumption).toBeUndefined();
    expect(report.cpuJoules).toBeCloseTo(3 + (MAX - 6_000_000) / 1e6 + 3 + 0.5, 6);
    expect(report.gpuJoules).toBeNull();
    expect(monitor.raplAbsence).toBe("");
  });

  it("without RAPL, estimates CPU energy from this process's CPU time and says so", async () => {
    const monitor = new ResourceMonitor({ gpu: false, powercapRoot: join(root, "absent") });
    await monitor.sample();
    busyFor(200);
    await monitor.sample();
    const report = energyOf(monitor.samples, ASSUMPTION);
    expect(report.cpuSource).toBe("estimate");
    expect(report.assumption).toEqual(ASSUMPTION);
    expect(report.cpuCoreSeconds).toBeGreaterThan(0.02); // 0.2 s busy; the machine is shared, so only part of it is ours
    expect(report.cpuJoules).toBeCloseTo(report.cpuCoreSeconds * 5, 9);
    expect(report.totalJoules).toBe(report.cpuJoules);
    expect(monitor.raplAbsence).toMatch(/absent does not exist/);
    expect(() => energyOf(monitor.samples.slice(0, 1), ASSUMPTION)).toThrow(/at least two samples/);
  });
});
