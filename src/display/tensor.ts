/**
 * Tensors as values (kernel issue "Rich values": shape, dtype, value summary): a small HTML
 * card and plain text with shape, dtype, min / max / mean and the first values. Reads with
 * `await data()`, which every backend supports, and leaves no tensor behind.
 */
import * as tf from "@tensorflow/tfjs";
import { escapeHtml } from "./displayable";
import type { MimeBundle } from "./sink";

const PREVIEW_VALUES = 8;

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}

/** The bundle of a tensor's summary. */
export async function tensorBundle(tensor: tf.Tensor): Promise<MimeBundle> {
  const shape = `[${tensor.shape.join(", ")}]`;
  if (tensor.isDisposed) return { "text/plain": `Tensor ${shape} ${tensor.dtype} (disposed)` };
  if (tensor.dtype === "string" || tensor.size === 0) {
    return { "text/plain": `Tensor ${shape} ${tensor.dtype}${tensor.size === 0 ? " (empty)" : ""}` };
  }
  const values = (await tensor.data()) as Float32Array | Int32Array | Uint8Array;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const mean = sum / values.length;
  const preview = Array.from(values.slice(0, PREVIEW_VALUES), format).join(", ") + (values.length > PREVIEW_VALUES ? ", …" : "");
  const stats = `min ${format(min)} · max ${format(max)} · mean ${format(mean)}`;
  const plain = `Tensor ${shape} ${tensor.dtype} · ${stats}\n  [${preview}]`;
  const html =
    `<div class="lepton-tensor"><b>Tensor</b> <code>${escapeHtml(shape)}</code> <i>${tensor.dtype}</i> · ${escapeHtml(stats)}` +
    `<br><code>[${escapeHtml(preview)}]</code></div>`;
  return { "text/plain": plain, "text/html": html };
}
