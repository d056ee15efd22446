import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { DatasetError } from "../../../src/data/errors";
import { FASHION_MNIST_CLASSES, loadFashionMnist, readFashionMnistBytes } from "../../../src/data/fashion-mnist";
import { parseIdx } from "../../../src/data/idx";
import {
  carRecords,
  flightsFrame,
  loadCars,
  loadFlights,
  loadMovies,
  loadPenguins,
  loadSeattleWeather,
  penguinRecords,
  seattleWeatherRecords,
} from "../../../src/data/vega";

const DATA = join(__dirname, "../../../data");

describe("shipped data", () => {
  it("every file listed in data/SHA256SUMS has its sha256", () => {
    const lines = readFileSync(join(DATA, "SHA256SUMS"), "utf8").trim().split("\n");
    expect(lines.length).toBe(204);
    for (const line of lines) {
      const [sum, file] = line.split(/\s+/) as [string, string];
      expect(
        createHash("sha256")
          .update(readFileSync(join(DATA, file)))
          .digest("hex"),
        file,
      ).toBe(sum);
    }
  });
});

describe("vega-datasets loaders", () => {
  it("load the real tables with their shapes and types", () => {
    expect(loadPenguins().shape).toEqual([344, 7]);
    expect(loadCars().shape).toEqual([406, 9]);
    expect(loadMovies().shape).toEqual([3201, 16]);
    expect(loadSeattleWeather().shape).toEqual([1461, 6]);
    expect(penguinRecords()[3]?.["Body Mass (g)"]).toBeNull();
    expect(carRecords()[0]).toMatchObject({ Name: "chevrolet chevelle malibu", Miles_per_Gallon: 18, Cylinders: 8 });
    expect(seattleWeatherRecords()[1]).toEqual({
      date: "2012-01-02",
      precipitation: 10.9,
      temp_max: 10.6,
      temp_min: 2.8,
      wind: 4.5,
      weather: "rain",
    });
  });

  it("flights: first rows of the 3M parquet, date as text; bad row counts are named", () => {
    const flights = loadFlights({ rows: 3 });
    expect(flights.shape).toEqual([3, 5]);
    expect(flights.column("date").values[0]).toBe("2001-01-01 00:01");
    expect(flights.column("origin").values).toEqual(["LAS", "ATL", "MCI"]);
    expect(flightsFrame({ rows: 1000 }).height).toBe(1000);
    expect(() => flightsFrame({ rows: 0 })).toThrow(/flights-3m\.parquet: rows must be/);
  });
});

describe("IDX parsing and Fashion-MNIST", () => {
  const header = (magic: number, ...dims: number[]) => {
    const b = Buffer.alloc(4 + 4 * dims.length);
    b.writeUInt32BE(magic, 0);
    dims.forEach((d, k) => b.writeUInt32BE(d, 4 + 4 * k));
    return b;
  };

  it("rejects a wrong magic number and a truncated file, naming both", () => {
    expect(() => parseIdx("x.idx", Buffer.concat([header(0x0803, 2, 2, 2), Buffer.alloc(8)]), 1)).toThrow(
      /x\.idx: magic number 0x00000803, expected 0x00000801/,
    );
    expect(() => parseIdx("y.idx", Buffer.concat([header(0x0803, 2, 2, 2), Buffer.alloc(5)]), 3)).toThrow(
      /y\.idx: header promises 2×2×2 = 8 bytes of data, file has 5 \(truncated\?\)/,
    );
    expect(parseIdx("z.idx", Buffer.concat([header(0x0801, 3), Buffer.from([1, 2, 3])]), 1).shape).toEqual([3]);
  });

  it("loads images in [0,1] as [n,28,28,1] and int32 labels, without leaking tensors", () => {
    const before = tf.memory().numTensors;
    const data = loadFashionMnist({ split: "train", limit: 16 });
    expect(data.images.shape).toEqual([16, 28, 28, 1]);
    expect(data.labels.dtype).toBe("int32");
    expect(data.classNames).toEqual([...FASHION_MNIST_CLASSES]);
    expect(Array.from(data.labels.dataSync()).slice(0, 5)).toEqual([9, 0, 0, 3, 0]);
    const [min, max] = tf.tidy(() => [data.images.min().dataSync()[0]!, data.images.max().dataSync()[0]!]);
    expect(min).toBe(0);
    expect(max).toBeCloseTo(1, 6);
    tf.dispose([data.images, data.labels]);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(readFashionMnistBytes({ split: "test", limit: 4 }).labels)).toEqual([9, 2, 1, 1]);
  });

  it("says which file is wrong: mismatched counts, bad labels, too many asked", () => {
    const dir = mkdtempSync(join(tmpdir(), "lepton-fmnist-"));
    writeFileSync(
      join(dir, "t10k-images-idx3-ubyte.gz"),
      gzipSync(Buffer.concat([header(0x0803, 2, 28, 28), Buffer.alloc(2 * 784)])),
    );
    writeFileSync(
      join(dir, "t10k-labels-idx1-ubyte.gz"),
      gzipSync(Buffer.concat([header(0x0801, 3), Buffer.from([1, 2, 3])])),
    );
    expect(() => readFashionMnistBytes({ split: "test", dir })).toThrow(
      /t10k-labels-idx1-ubyte\.gz: 3 labels for 2 images/,
    );
    writeFileSync(
      join(dir, "t10k-labels-idx1-ubyte.gz"),
      gzipSync(Buffer.concat([header(0x0801, 2), Buffer.from([1, 12])])),
    );
    expect(() => readFashionMnistBytes({ split: "test", dir })).toThrow(/label 12 at index 1 is outside 0\.\.9/);
    expect(() => readFashionMnistBytes({ split: "test", dir, limit: 5 })).toThrow(/5 images asked for, the file has 2/);
    expect(() => readFashionMnistBytes({ split: "test", dir: join(dir, "nope") })).toThrow(DatasetError);
  });
});
