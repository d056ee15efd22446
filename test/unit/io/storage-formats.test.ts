/** Storage formats of an image dataset (Seed 000 §2.4 data compression): round trips, sizes, errors naming the file. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  compareStorageFormats,
  decodeImages,
  encodeImages,
  packImages,
  STORAGE_FORMATS,
  StorageFormatError,
  unpackImages,
  type ImageBytes,
} from "../../../src/io/storage-formats";

const dir = mkdtempSync(join(tmpdir(), "storage-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Six 5×4 images: mostly background with a few strokes, so they compress as real images do.
const images: ImageBytes = (() => {
  const count = 6,
    height = 5,
    width = 4;
  const pixels = new Uint8Array(count * height * width);
  for (let i = 0; i < pixels.length; i++) pixels[i] = i % 7 === 0 ? 200 + (i % 50) : 0;
  return { count, height, width, pixels, labels: Uint8Array.from([0, 9, 3, 3, 1, 7]) };
})();

describe("encode and decode", () => {
  it.each(STORAGE_FORMATS)("%s round-trips labels and pixels exactly", async (format) => {
    const bytes = await encodeImages(images, format);
    const back = await decodeImages(bytes, format, `x.${format}`, images);
    expect([back.count, back.height, back.width]).toEqual([6, 5, 4]);
    expect(Array.from(back.labels)).toEqual(Array.from(images.labels));
    expect(Array.from(back.pixels)).toEqual(Array.from(images.pixels));
  });

  it("refuses inconsistent images before writing", () => {
    expect(() => packImages({ ...images, labels: new Uint8Array(5) })).toThrow(/5 labels for 6 images/);
    expect(() => packImages({ ...images, count: 0 })).toThrow(RangeError);
  });

  it("names the file that is not what its format says", async () => {
    const raw = packImages(images);
    expect(() => unpackImages(raw.subarray(0, raw.length - 1), "/d/cut.bin")).toThrow(
      "/d/cut.bin: holds 141 bytes, its header (6 images of 5×4) needs 142",
    );
    expect(() => unpackImages(Buffer.from("hello"), "/d/hello.bin")).toThrow(StorageFormatError);
    await expect(decodeImages(Buffer.from("not gzip"), "gzip", "/d/a.bin.gz", images)).rejects.toThrow(
      /^\/d\/a\.bin\.gz: cannot be decompressed as gzip/,
    );
    await expect(decodeImages(Buffer.from("not zstd"), "zstd", "/d/a.bin.zst", images)).rejects.toThrow(
      /^\/d\/a\.bin\.zst: cannot be decompressed as zstd/,
    );
    await expect(decodeImages(Buffer.from("PAR1 no"), "parquet", "/d/a.parquet", images)).rejects.toThrow(
      /^\/d\/a\.parquet: is not a readable Parquet file/,
    );
    const parquet = await encodeImages(images, "parquet");
    await expect(decodeImages(parquet, "parquet", "/d/b.parquet", { height: 4, width: 4 })).rejects.toThrow(
      "/d/b.parquet: holds 120 pixels for 6 rows, images of 4×4 need 96",
    );
  });
});

describe("compareStorageFormats", () => {
  it("writes every format, reads each back, and compressed files are smaller than raw", async () => {
    const rows = await compareStorageFormats(images, dir, { name: "tiny", reads: 2 });
    expect(rows.map((row) => row.format)).toEqual([...STORAGE_FORMATS]);
    const raw = rows[0]!;
    expect(raw.bytes).toBe(16 + 6 + 120);
    expect(raw.ratio).toBe(1);
    for (const row of rows.filter((r) => ["gzip", "brotli", "zstd"].includes(r.format)))
      expect(row.bytes).toBeLessThan(raw.bytes);
    for (const row of rows) {
      expect(readFileSync(row.path).length).toBe(row.bytes);
      expect(row.readMs).toBeGreaterThanOrEqual(0);
      expect(row.ratio).toBeCloseTo(raw.bytes / row.bytes, 12);
    }
  });

  it("names a file changed on disk so it no longer reads back", async () => {
    const [gz] = await compareStorageFormats(images, dir, { name: "changed", formats: ["gzip"], reads: 1 });
    const bytes = readFileSync(gz!.path);
    bytes[bytes.length - 5]! ^= 0xff; // inside gzip's CRC/size trailer
    writeFileSync(gz!.path, bytes);
    await expect(decodeImages(bytes, "gzip", gz!.path, images)).rejects.toThrow(gz!.path);
  });
});
