/**
 * Seed 000 §2.4 storage and network optimisation, measured: the bytes a saved model takes on disk,
 * and the bytes it takes gzip-compressed — what a server sending it with `Content-Encoding: gzip`
 * puts on the network, and where a pruned model's zeros turn into savings.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

/** Bytes of a saved model's files, as stored and gzip-compressed. */
export interface ModelFootprint {
  readonly files: readonly { readonly file: string; readonly bytes: number; readonly gzipBytes: number }[];
  /** All files' bytes on disk. */
  readonly bytes: number;
  /** All files' bytes, each gzip-compressed at level 9. */
  readonly gzipBytes: number;
}

/** Sizes of the files in a saved model's folder (model.json and its weights). */
export function modelFootprint(dir: string): ModelFootprint {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((name) => statSync(join(dir, name)).isFile())
      .sort();
  } catch {
    throw new Error(`${dir}: no saved model folder here`);
  }
  if (!names.includes("model.json")) throw new Error(`${dir}: no model.json in this folder`);
  const files = names.map((file) => {
    const data = readFileSync(join(dir, file));
    return { file, bytes: data.byteLength, gzipBytes: gzipSync(data, { level: 9 }).byteLength };
  });
  return {
    files,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    gzipBytes: files.reduce((n, f) => n + f.gzipBytes, 0),
  };
}
