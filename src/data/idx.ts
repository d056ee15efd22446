/**
 * IDX files (the MNIST / Fashion-MNIST format, optionally gzipped): header checked — magic number,
 * dimension count, sizes — against the bytes present, so a truncated or wrong file says what is wrong
 * (Seed 001 §5.2 step 1 "read image data").
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { DatasetError } from "./errors";

/** A parsed IDX file of unsigned bytes: its dimensions and its data. */
export interface IdxArray {
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

const UBYTE = 0x08;

/**
 * Reads an unsigned-byte IDX file (gzipped or not) with the expected number of dimensions; DatasetError names the file
 * and the problem.
 */
export function readIdx(path: string, dimensions: number): IdxArray {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (error) {
    throw new DatasetError(path, `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let bytes: Buffer = raw;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      bytes = gunzipSync(raw);
    } catch (error) {
      throw new DatasetError(path, `corrupt gzip data (${(error as Error).message})`);
    }
  }
  return parseIdx(path, bytes, dimensions);
}

/** Parses IDX bytes; `source` names them in errors. */
export function parseIdx(source: string, bytes: Uint8Array, dimensions: number): IdxArray {
  if (bytes.length < 4) throw new DatasetError(source, `only ${bytes.length} byte(s), too short for an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const expectedMagic = (UBYTE << 8) | dimensions;
  if (bytes[0] !== 0 || bytes[1] !== 0 || magic !== expectedMagic) {
    throw new DatasetError(
      source,
      `magic number 0x${magic.toString(16).padStart(8, "0")}, expected 0x${expectedMagic.toString(16).padStart(8, "0")} (unsigned bytes, ${dimensions} dimension(s))`,
    );
  }
  const headerBytes = 4 + 4 * dimensions;
  if (bytes.length < headerBytes)
    throw new DatasetError(source, `header needs ${headerBytes} bytes, file has ${bytes.length}`);
  const shape = Array.from({ length: dimensions }, (_, k) => view.getUint32(4 + 4 * k));
  const size = shape.reduce((a, b) => a * b, 1);
  const present = bytes.length - headerBytes;
  if (present !== size) {
    throw new DatasetError(
      source,
      `header promises ${shape.join("×")} = ${size} bytes of data, file has ${present}${present < size ? " (truncated?)" : ""}`,
    );
  }
  return { shape, data: bytes.subarray(headerBytes) };
}
