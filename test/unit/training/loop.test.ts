/**
 * The training loop on its own: callbacks in order, weighted epoch means, a callback ending the
 * run, a stop signal mid-epoch, onTrainEnd after a failing step, and the seeded batch iterator.
 */
import { describe, expect, it } from "vitest";
import { epochBatches, trainLoop, type Callback } from "../../../src/training";

const twoEpochsOfThree = { epochs: 2, batches: () => [[1], [2, 2], [3, 3, 3]] };
const meanStep = async (batch: number[]) => ({ logs: { loss: batch[0]! }, weight: batch.length });

describe("trainLoop", () => {
  it("calls the callbacks in order and logs the sample-weighted mean of each epoch", async () => {
    const calls: string[] = [];
    const recorder: Callback = {
      onTrainBegin: () => void calls.push("train"),
      onEpochBegin: (epoch) => void calls.push(`epoch ${epoch}`),
      onBatchEnd: (at, logs, mean) =>
        void calls.push(`batch ${at.batch}: ${logs.loss} (mean ${mean.loss!.toFixed(3)})`),
      onEpochEnd: (epoch, logs) => void calls.push(`end ${epoch}: ${logs.loss!.toFixed(3)}, val ${logs.val_loss}`),
      onTrainEnd: (end) => void calls.push(`done ${end.failed}`),
    };
    const { history, stopped } = await trainLoop({
      ...twoEpochsOfThree,
      step: meanStep,
      endEpoch: (epoch) => ({ val_loss: epoch }),
      callbacks: [recorder],
    });
    expect(stopped).toBeUndefined();
    expect(history).toEqual({ loss: [14 / 6, 14 / 6], val_loss: [0, 1] });
    expect(calls.slice(0, 6)).toEqual([
      "train",
      "epoch 0",
      "batch 0: 1 (mean 1.000)",
      "batch 1: 2 (mean 1.667)",
      "batch 2: 3 (mean 2.333)",
      "end 0: 2.333, val 0",
    ]);
    expect(calls.at(-1)).toBe("done false");
  });

  it("ends after the epoch in which a callback sets stopTraining", async () => {
    const stopAfterSecond: Callback = { onEpochEnd: (epoch, _logs, run) => void (run.stopTraining = epoch === 1) };
    const { history } = await trainLoop({
      ...twoEpochsOfThree,
      epochs: 5,
      step: meanStep,
      callbacks: [stopAfterSecond],
    });
    expect(history.loss).toHaveLength(2);
  });

  it("stops before the next batch on a signal and leaves the epoch in flight out of the history", async () => {
    const controller = new AbortController();
    const ends: unknown[] = [];
    const { history, stopped } = await trainLoop({
      ...twoEpochsOfThree,
      step: async (batch, at) => {
        if (at.epoch === 1 && at.batch === 1) controller.abort("enough");
        return meanStep(batch);
      },
      signal: controller.signal,
      callbacks: [{ onTrainEnd: (end) => void ends.push(end) }],
    });
    expect(stopped).toEqual({ epoch: 1, batch: 2, reason: "enough" });
    expect(history.loss).toHaveLength(1);
    expect(ends).toEqual([{ stopped, failed: false }]);
  });

  it("runs onTrainEnd when a step throws, and rethrows", async () => {
    const ends: boolean[] = [];
    const failing = trainLoop({
      ...twoEpochsOfThree,
      step: async () => {
        throw new Error("diverged");
      },
      callbacks: [{ onTrainEnd: (end) => void ends.push(end.failed) }],
    });
    await expect(failing).rejects.toThrow("diverged");
    expect(ends).toEqual([true]);
  });
});

describe("epochBatches", () => {
  it("covers every sample once, repeats under a seed, differs between epochs, and can drop a short last batch", () => {
    const first = epochBatches(10, { batchSize: 4, seed: 3, epoch: 0 });
    expect(first.map((batch) => batch.length)).toEqual([4, 4, 2]);
    expect(first.flat().sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect(epochBatches(10, { batchSize: 4, seed: 3, epoch: 0 })).toEqual(first);
    expect(epochBatches(10, { batchSize: 4, seed: 3, epoch: 1 })).not.toEqual(first);
    expect(epochBatches(10, { batchSize: 4, epoch: 0, shuffle: false }).flat()).toEqual([...Array(10).keys()]);
    expect(epochBatches(10, { batchSize: 4, seed: 3, epoch: 0, dropRemainder: true })).toHaveLength(2);
  });
});
