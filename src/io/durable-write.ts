/**
 * Writes a file so that a crash at any instant leaves either the old file or the whole new one:
 * bytes go to a temporary name, are flushed to disk, then renamed over the target.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";

/** Writes `data` to `path` durably; `mode` sets the new file's permissions (e.g. 0o600). */
export function writeDurably(path: string, data: Uint8Array, mode = 0o666): void {
  const temporary = `${path}.tmp-${process.pid}`;
  const fd = openSync(temporary, "w", mode);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
