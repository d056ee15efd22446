/**
 * Affine uint8 quantisation, value ≈ code × scale + min, computed as tfjs-converter's
 * `quantize_weights` does: the range is nudged so that 0.0 is exactly a code whenever the range
 * holds it (pruned zeros stay zeros; zero padding stays exact), values are clipped to the nudged
 * range and rounded to the nearest code. A constant tensor gets scale 1 and all codes 0.
 */

/** Largest uint8 code. */
export const UINT8_MAX = 255;

/** Codes with the scale and offset that map them back: value ≈ code × scale + min. */
export interface AffineCodes {
  readonly codes: Uint8Array;
  readonly scale: number;
  readonly min: number;
}

/** The nudged range tfjs-converter uses for values in [low, high]. */
export function affineRange(
  low: number,
  high: number,
): { readonly scale: number; readonly min: number; readonly max: number } {
  if (!Number.isFinite(low) || !Number.isFinite(high) || low > high)
    throw new RangeError(`cannot quantise values in [${low}, ${high}]: the range must be finite`);
  if (low === high) return { scale: 1, min: low, max: high };
  const scale = (high - low) / UINT8_MAX;
  if (low <= 0 && 0 <= high) {
    const min = -Math.round(-low / scale) * scale;
    return { scale, min, max: UINT8_MAX * scale + min };
  }
  return { scale, min: low, max: high };
}

function extent(values: ArrayLike<number>, start: number, end: number, stride: number): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (let i = start; i < end; i += stride) {
    const v = values[i]!;
    if (Number.isNaN(v)) throw new RangeError(`cannot quantise NaN (at index ${i})`);
    if (v < low) low = v;
    if (v > high) high = v;
  }
  return [low, high];
}

function encode(value: number, range: { scale: number; min: number; max: number }): number {
  if (range.min === range.max) return 0;
  const clipped = Math.min(range.max, Math.max(range.min, value));
  return Math.min(UINT8_MAX, Math.max(0, Math.round((clipped - range.min) / range.scale)));
}

/** One scale and offset for the whole tensor (the format tfjs reads). */
export function quantiseAffine(values: Float32Array): AffineCodes {
  if (values.length === 0) return { codes: new Uint8Array(0), scale: 1, min: 0 };
  const range = affineRange(...extent(values, 0, values.length, 1));
  const codes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) codes[i] = encode(values[i]!, range);
  return { codes, scale: range.scale, min: range.min };
}

/** Codes with one scale and offset per channel of the last axis (row-major layout: channel = index mod channels). */
export interface ChannelAffineCodes {
  readonly codes: Uint8Array;
  readonly scales: readonly number[];
  readonly mins: readonly number[];
}

/**
 * One scale and offset per output channel (the last axis of a conv kernel [h, w, in, out] or a
 * dense kernel [in, out]): a channel whose weights are small keeps its own resolution instead of
 * sharing the step size of the largest channel.
 */
export function quantisePerChannel(values: Float32Array, channels: number): ChannelAffineCodes {
  if (!Number.isInteger(channels) || channels < 1 || values.length % channels !== 0) {
    throw new RangeError(`${values.length} values do not split into ${channels} channels along the last axis`);
  }
  const codes = new Uint8Array(values.length);
  const scales: number[] = [];
  const mins: number[] = [];
  for (let c = 0; c < channels; c++) {
    const range =
      values.length === 0 ? { scale: 1, min: 0, max: 0 } : affineRange(...extent(values, c, values.length, channels));
    for (let i = c; i < values.length; i += channels) codes[i] = encode(values[i]!, range);
    scales.push(range.scale);
    mins.push(range.min);
  }
  return { codes, scales, mins };
}

/** Values back from per-channel codes (what a loader does before handing float32 weights to tfjs). */
export function dequantisePerChannel(
  codes: Uint8Array,
  scales: readonly number[],
  mins: readonly number[],
): Float32Array {
  const channels = scales.length;
  if (channels === 0 || mins.length !== channels || codes.length % channels !== 0) {
    throw new RangeError(
      `${codes.length} codes, ${scales.length} scales and ${mins.length} mins do not describe one tensor`,
    );
  }
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = codes[i]! * scales[i % channels]! + mins[i % channels]!;
  return out;
}
