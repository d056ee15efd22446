/**
 * Tensors as values: plain text and a small HTML card with shape, dtype, min / max / mean (NaNs
 * counted apart) and the values — all of them for a small tensor, the first few otherwise.
 * Statistics are reduced on the backend and read with `await data()` (every backend, webgpu
 * included, supports it; a large GPU tensor is never downloaded); no tensor is left behind.
 */
import * as tf from "@tensorflow/tfjs";
import { escapeHtml } from "./escape";
import type { MimeBundle } from "./sink";

/** Tensors up to this many values are shown in full; larger ones by their first values. */
const FULL_VALUES = 64;
const PREVIEW_VALUES = 8;

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

function formatValue(value: unknown): string {
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(formatValue).join(", ")}]`;
  return String(value);
}

interface Statistics {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly nanCount: number;
}

/** min / max / mean over the non-NaN values, and the NaN count, reduced on the backend. */
async function statistics(tensor: tf.Tensor): Promise<Statistics> {
  const reduced = tf.tidy(() => {
    const values = tensor.toFloat().flatten();
    const nan = tf.isNaN(values);
    const nanCount = nan.toFloat().sum();
    const finiteCount = tf.scalar(values.size).sub(nanCount);
    const min = tf.where(nan, tf.fill(values.shape, Infinity), values).min();
    const max = tf.where(nan, tf.fill(values.shape, -Infinity), values).max();
    const mean = tf.where(nan, tf.zerosLike(values), values).sum().div(finiteCount);
    return tf.stack([min, max, mean, nanCount]);
  });
  try {
    const [min, max, mean, nanCount] = Array.from(await reduced.data());
    return { min: min!, max: max!, mean: mean!, nanCount: nanCount! };
  } finally {
    reduced.dispose();
  }
}

/** The values shown: all of a small tensor (nested), else the first few in flat order. */
async function preview(tensor: tf.Tensor): Promise<string> {
  if (tensor.size <= FULL_VALUES) return formatValue(await tensor.array());
  const head = tf.tidy(() => tensor.flatten().slice(0, PREVIEW_VALUES));
  try {
    const values = Array.from((await head.data()) as ArrayLike<number | string>);
    return `[${values.map(formatValue).join(", ")}, … ${tensor.size - PREVIEW_VALUES} more]`;
  } finally {
    head.dispose();
  }
}

/** The bundle of a tensor's summary: text/plain and text/html. */
export async function tensorBundle(tensor: tf.Tensor): Promise<MimeBundle> {
  const shape = `[${tensor.shape.join(", ")}]`;
  const title = `Tensor ${shape} ${tensor.dtype}`;
  if (tensor.isDisposed) return { "text/plain": `${title} (disposed)` };
  if (tensor.size === 0) return { "text/plain": `${title} (empty)` };
  if (tensor.dtype === "complex64") return { "text/plain": `${title} (${tensor.size} values)` };
  const lines: string[] = [];
  if (tensor.dtype !== "string") {
    const stats = await statistics(tensor);
    const nan = stats.nanCount > 0 ? ` · NaN ${stats.nanCount}` : "";
    lines.push(
      stats.nanCount === tensor.size
        ? `all ${tensor.size} values NaN`
        : `min ${formatNumber(stats.min)} · max ${formatNumber(stats.max)} · mean ${formatNumber(stats.mean)}${nan}`,
    );
  }
  lines.push(await preview(tensor));
  const plain = [title, ...lines.map((line) => `  ${line}`)].join("\n");
  const html =
    `<div class="lepton-tensor"><b>Tensor</b> <code>${shape}</code> <i>${tensor.dtype}</i>` +
    lines.map((line) => `<pre style="margin:2px 0">${escapeHtml(line)}</pre>`).join("") +
    `</div>`;
  return { "text/plain": plain, "text/html": html };
}

/** Whether `value` is a tfjs tensor (tfjs' own `instanceof`, which also accepts another copy's tensors). */
export function isTensor(value: unknown): value is tf.Tensor {
  return value instanceof tf.Tensor;
}
