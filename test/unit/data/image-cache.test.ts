/** The decoded-image cache (Seed 000 §2.4 data caching): LRU by bytes, and an image folder reading through it. */
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { CacheBudgetError, DecodedImageCache } from "../../../src/data/image-cache";
import { imageDatasetFromDirectory } from "../../../src/data/image-folder";
import { failOnTensorLeaks } from "../tensor-leaks";

failOnTensorLeaks();
const FOLDER = join(__dirname, "../../../data/fashion-mnist-png");
const pixels = (n: number, fill = 0) => new Float32Array(n).fill(fill); // 4 bytes each

describe("DecodedImageCache", () => {
  it("evicts the least recently used entries to stay within its bytes, counting hits and misses", () => {
    const cache = new DecodedImageCache(40); // room for ten floats
    cache.set("a", pixels(4, 1));
    cache.set("b", pixels(4, 2));
    expect(cache.get("a")?.[0]).toBe(1); // a is now newer than b
    cache.set("c", pixels(3, 3)); // 44 bytes wanted: b, the least recent, goes
    expect(cache.has("b")).toBe(false);
    expect(cache.has("a") && cache.has("c")).toBe(true);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.stats).toMatchObject({
      hits: 1,
      misses: 1,
      evictions: 1,
      entries: 2,
      bytes: 28,
      maxBytes: 40,
      hitRate: 0.5,
    });
  });

  it("replaces an entry under the same key, refuses one larger than the budget, and rejects a bad budget", () => {
    const cache = new DecodedImageCache(16);
    cache.set("a", pixels(2));
    cache.set("a", pixels(4));
    expect(cache.stats).toMatchObject({ entries: 1, bytes: 16, evictions: 0 });
    cache.set("big", pixels(5));
    expect(cache.stats).toMatchObject({ refused: 1, entries: 1, bytes: 16 });
    expect(() => new DecodedImageCache(-1)).toThrow(CacheBudgetError);
    expect(() => new DecodedImageCache(Number.NaN)).toThrow(/non-negative number of bytes, got NaN/);
  });
});

describe("an image folder reading through the cache", () => {
  const options = {
    imageSize: [28, 28] as const,
    colorMode: "grayscale" as const,
    rescale: 1 / 255,
    batchSize: 50,
    seed: 4,
  };

  async function pass(data: ReturnType<typeof imageDatasetFromDirectory>): Promise<Map<string, number>> {
    const sums = new Map<string, number>();
    for await (const batch of data) {
      const perImage = tf.tidy(() => batch.images.reshape([batch.paths.length, -1]).sum(1));
      const values = await perImage.data();
      batch.paths.forEach((path, i) => sums.set(path, values[i]!));
      tf.dispose([perImage, batch.images, batch.labels!]);
    }
    return sums;
  }

  it("a second pass is all hits with the same pixels; a half-size budget hits under half the time", async () => {
    const plain = await pass(imageDatasetFromDirectory(FOLDER, options));
    const cache = new DecodedImageCache(200 * 28 * 28 * 4);
    const cached = imageDatasetFromDirectory(FOLDER, { ...options, cache });
    await pass(cached);
    expect(cache.stats).toMatchObject({ hits: 0, misses: 200, entries: 200 });
    cache.resetStats();
    const second = await pass(cached);
    expect(cache.stats).toMatchObject({ hits: 200, misses: 0, hitRate: 1 });
    for (const [path, sum] of plain) expect(second.get(path)).toBeCloseTo(sum, 4);

    const half = new DecodedImageCache(100 * 28 * 28 * 4);
    const halfData = imageDatasetFromDirectory(FOLDER, { ...options, cache: half });
    await pass(halfData);
    half.resetStats();
    // Reshuffled: the cache starts with the previous pass's last 100, and every miss evicts one
    // not yet reached — a loop over more than the budget hits well under half the time.
    await pass(halfData);
    expect(half.stats.hitRate).toBeGreaterThan(0);
    expect(half.stats.hitRate).toBeLessThan(0.5);
  });

  it("keys by size: the same file at another size is a miss", async () => {
    const cache = new DecodedImageCache(1e7);
    const small = imageDatasetFromDirectory(FOLDER, { ...options, imageSize: [14, 14], cache });
    const path = small.filePaths[0]!;
    await small.decode(path);
    await imageDatasetFromDirectory(FOLDER, { ...options, cache }).decode(path);
    expect(cache.stats).toMatchObject({ hits: 0, misses: 2, entries: 2 });
  });
});
