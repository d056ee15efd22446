import { describe, expect, it } from "vitest";
import { AllocationError, allocateShards, planEpoch, shardSizes } from "../../../src/distributed";

const sorted = (values: Iterable<number>) => [...values].sort((a, b) => a - b);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("Seed 001 §3.2 step 1: task allocation", () => {
  it("splits sizes evenly, the remainder one each over the first workers", () => {
    expect(shardSizes(10, 3)).toEqual([4, 3, 3]);
    expect(shardSizes(12, 4)).toEqual([3, 3, 3, 3]);
    expect(shardSizes(7, 7)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(shardSizes(60_001, 2)).toEqual([30_001, 30_000]);
  });

  it("puts every sample in exactly one shard, in order or shuffled by a seed", () => {
    for (const [count, workers] of [
      [10, 3],
      [1000, 2],
      [17, 5],
      [5, 5],
    ] as const) {
      for (const options of [{}, { seed: 3 }]) {
        const shards = allocateShards(count, workers, options);
        expect(shards.map((s) => s.worker)).toEqual(range(workers));
        expect(shards.map((s) => s.indices.length)).toEqual(shardSizes(count, workers));
        expect(sorted(shards.flatMap((s) => [...s.indices]))).toEqual(range(count));
      }
    }
    expect([...allocateShards(6, 2)[1]!.indices]).toEqual([3, 4, 5]);
  });

  it("is deterministic for a seed and differs between seeds", () => {
    const a = allocateShards(100, 3, { seed: 7 }).map((s) => [...s.indices]);
    const b = allocateShards(100, 3, { seed: 7 }).map((s) => [...s.indices]);
    const c = allocateShards(100, 3, { seed: 8 }).map((s) => [...s.indices]);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("refuses sizes that cannot be balanced, naming them", () => {
    expect(() => shardSizes(2, 3)).toThrow(AllocationError);
    expect(() => shardSizes(2, 3)).toThrow(/3 workers for 2 samples/);
    expect(() => allocateShards(0, 1)).toThrow(/number of samples/);
    expect(() => allocateShards(10, 1.5)).toThrow(/number of workers/);
    expect(() => planEpoch([5, 5], { globalBatch: 1, seed: 1, epoch: 0 })).toThrow(
      /globalBatch 1 is smaller than the 2 workers/,
    );
    expect(() => planEpoch([5, 5], { globalBatch: 4, seed: 1, epoch: -1 })).toThrow(/epoch/);
  });
});

describe("Seed 001 §3.2 step 1: steps of an epoch", () => {
  it("visits every shard position exactly once per epoch, the global batch split over the workers", () => {
    const counts = [34, 33, 33];
    const plan = planEpoch(counts, { globalBatch: 16, seed: 1, epoch: 0 });
    // local batches 6, 5, 5: ceil(34 / 6) = 6, ceil(33 / 5) = 7 steps
    expect(plan).toHaveLength(7);
    expect(plan[0]!.map((p) => p.length)).toEqual([6, 5, 5]);
    counts.forEach((count, w) => expect(sorted(plan.flatMap((step) => [...step[w]!]))).toEqual(range(count)));
    expect(plan.at(-1)!.map((p) => p.length)).toEqual([0, 3, 3]);
  });

  it("shuffles per epoch and per worker, reproducibly; shuffle: false walks in order", () => {
    const first = planEpoch([20, 20], { globalBatch: 8, seed: 5, epoch: 0 });
    const again = planEpoch([20, 20], { globalBatch: 8, seed: 5, epoch: 0 });
    const second = planEpoch([20, 20], { globalBatch: 8, seed: 5, epoch: 1 });
    const flat = (plan: typeof first, w: number) => plan.flatMap((step) => [...step[w]!]);
    expect(flat(first, 0)).toEqual(flat(again, 0));
    expect(flat(first, 0)).not.toEqual(flat(second, 0));
    expect(flat(first, 0)).not.toEqual(flat(first, 1));
    expect(flat(planEpoch([20, 20], { globalBatch: 8, seed: 5, epoch: 0, shuffle: false }), 1)).toEqual(range(20));
  });
});
