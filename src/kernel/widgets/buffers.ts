/**
 * Binary buffers in widget state (widget messaging protocol 2, "buffer_paths"): every binary
 * value anywhere in a state object travels as a separate message buffer, and its path in the
 * object travels in `buffer_paths`; a value taken out of a list leaves `null`, one taken out of an
 * object leaves no key.
 */

/** A path into a state object: keys and list indices. */
export type BufferPath = (string | number)[];

/** A state split for the wire: JSON, the paths of the binary values, and the values. */
export interface SplitState {
  readonly state: Record<string, unknown>;
  readonly bufferPaths: BufferPath[];
  readonly buffers: Buffer[];
}

function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

function toBuffer(value: ArrayBuffer | ArrayBufferView): Buffer {
  return value instanceof ArrayBuffer
    ? Buffer.from(value)
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** Takes the binary values out of `state` (which is not modified). */
export function splitBuffers(state: Record<string, unknown>): SplitState {
  const bufferPaths: BufferPath[] = [];
  const buffers: Buffer[] = [];
  const walk = (value: unknown, path: BufferPath): unknown => {
    if (Array.isArray(value)) {
      return value.map((item, i) => {
        if (!isBinary(item)) return walk(item, [...path, i]);
        bufferPaths.push([...path, i]);
        buffers.push(toBuffer(item));
        return null;
      });
    }
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (isBinary(item)) {
        bufferPaths.push([...path, key]);
        buffers.push(toBuffer(item));
      } else out[key] = walk(item, [...path, key]);
    }
    return out;
  };
  return { state: walk(state, []) as Record<string, unknown>, bufferPaths, buffers };
}

/** Puts `buffers` back into `state` at `paths` (a copy of `state` is returned). */
export function joinBuffers(
  state: Record<string, unknown>,
  paths: readonly BufferPath[],
  buffers: readonly Buffer[],
): Record<string, unknown> {
  if (paths.length !== buffers.length)
    throw new RangeError(`${paths.length} buffer paths but ${buffers.length} buffers`);
  const joined = structuredClone(state);
  paths.forEach((path, i) => {
    if (path.length === 0) throw new RangeError("an empty buffer path");
    let node: Record<string | number, unknown> = joined;
    path.slice(0, -1).forEach((key, depth) => {
      node[key] ??= typeof path[depth + 1] === "number" ? [] : {};
      node = node[key] as Record<string | number, unknown>;
    });
    node[path.at(-1)!] = buffers[i]!;
  });
  return joined;
}
