import { statfsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  nvidiaGpus,
  parseNvidiaSmi,
  parseProcNetDev,
  queryNvidiaSmi,
  readCpuTimes,
  readDiskSpace,
  readNetworkCounters,
} from "../../../src/resources";

const PROC_NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 9883170     868    0    0    0     0          0         0  9883170     868    0    0    0     0       0          0
  eth0: 1000   10    0    0    0     0          0         0     250       5    0    0    0     0       0          0
  eth1:   24    1    0    0    0     0          0         0       6       1    0    0    0     0       0          0
`;

describe("parseProcNetDev", () => {
  it("sums received and sent bytes over every interface but loopback", () => {
    expect(parseProcNetDev(PROC_NET_DEV)).toEqual({ rxBytes: 1024, txBytes: 256, interfaces: ["eth0", "eth1"] });
  });
  it("refuses text in another format", () => {
    expect(parseProcNetDev("hello\nworld\n")).toBeNull();
    expect(parseProcNetDev(`${PROC_NET_DEV.split("\n").slice(0, 2).join("\n")}\n eth0: 1 2 x\n`)).toBeNull();
  });
});

describe("parseNvidiaSmi", () => {
  it("reads utilisation, memory and power draw per GPU, [N/A] as null", () => {
    expect(parseNvidiaSmi("37, 1024, 81559, 312.45\n[N/A], 20, 40960, [N/A]\n")).toEqual([
      { index: 0, utilizationPercent: 37, memoryUsedMiB: 1024, memoryTotalMiB: 81559, powerWatts: 312.45 },
      { index: 1, utilizationPercent: null, memoryUsedMiB: 20, memoryTotalMiB: 40960, powerWatts: null },
    ]);
  });
});

describe("system readers", () => {
  it("reads CPU counters that only grow", async () => {
    const first = readCpuTimes();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const second = readCpuTimes();
    expect(second.totalMs).toBeGreaterThanOrEqual(first.totalMs);
    expect(second.busyMs).toBeGreaterThanOrEqual(first.busyMs);
    expect(first.busyMs).toBeLessThanOrEqual(first.totalMs);
  });

  it("reads the disk space statfs reports, and null for a path that does not exist", () => {
    const stats = statfsSync(".");
    const disk = readDiskSpace(".");
    expect(disk?.totalBytes).toBe(stats.blocks * stats.bsize);
    expect(disk!.freeBytes).toBeGreaterThan(0);
    expect(disk!.freeBytes).toBeLessThanOrEqual(disk!.totalBytes);
    expect(readDiskSpace("/no/such/folder/lepton")).toBeNull();
  });

  it("reads network counters on Linux and nothing elsewhere", () => {
    const counters = readNetworkCounters();
    if (process.platform === "linux") expect(counters?.rxBytes).toBeGreaterThanOrEqual(0);
    else expect(counters).toBeNull();
    expect(readNetworkCounters("/no/such/file")).toBeNull();
  });

  it("gets GPU readings exactly when nvidia-smi lists GPUs", async () => {
    const reading = await queryNvidiaSmi();
    const listed = nvidiaGpus();
    if (listed.length === 0) {
      expect(reading.gpus).toBeNull();
    } else {
      expect(reading.gpus).toHaveLength(listed.length);
    }
  });
});
