/**
 * Seed 001 §4.1's convolution, Output = ReLU(W · I + b), written out by hand in float64 numbers:
 * the kernel W slides over the image I and each output is the sum of the elementwise products
 * under it plus b — what a CNN layer computes (a cross-correlation: W is not flipped), not the
 * matrix product the "·" suggests. Pooling (max and average) likewise. Plain loops, so a reader
 * can follow every term; the notebooks check them against tf.conv2d, tf.maxPool and tf.avgPool.
 */
import { MathInputError } from "./errors";

/** A 2-D grid of numbers, row by row (an image, a kernel or a feature map). */
export type Grid = readonly (readonly number[])[];

/** One term of an output's sum: the kernel weight and the pixel under it, at their positions. */
export interface ConvolutionTerm {
  readonly kernelRow: number;
  readonly kernelColumn: number;
  readonly weight: number;
  readonly pixel: number;
}

function sizeOf(where: string, grid: Grid): [number, number] {
  const rows = grid.length;
  const columns = grid[0]?.length ?? 0;
  if (rows === 0 || columns === 0) throw new MathInputError(`${where}: empty grid`);
  grid.forEach((row, r) => {
    if (row.length !== columns)
      throw new MathInputError(`${where}: row ${r} has ${row.length} values, row 0 has ${columns}`);
  });
  return [rows, columns];
}

function outputSize(image: Grid, kernel: Grid): [number, number] {
  const [h, w] = sizeOf("convolution image", image);
  const [kh, kw] = sizeOf("convolution kernel", kernel);
  if (kh > h || kw > w) throw new MathInputError(`convolution: a ${kh}×${kw} kernel does not fit a ${h}×${w} image`);
  return [h - kh + 1, w - kw + 1];
}

/** The terms W[i][j] · I[row + i][column + j] of the output at (row, column) ('valid' placement, stride 1). */
export function convolutionTerms(image: Grid, kernel: Grid, row: number, column: number): ConvolutionTerm[] {
  const [outRows, outColumns] = outputSize(image, kernel);
  if (
    !Number.isInteger(row) ||
    !Number.isInteger(column) ||
    row < 0 ||
    column < 0 ||
    row >= outRows ||
    column >= outColumns
  ) {
    throw new MathInputError(
      `convolutionTerms: position (${row}, ${column}) is outside the ${outRows}×${outColumns} output`,
    );
  }
  return kernel.flatMap((weights, i) =>
    weights.map((weight, j) => ({ kernelRow: i, kernelColumn: j, weight, pixel: image[row + i]![column + j]! })),
  );
}

/** Seed 001 §4.1: Output[r][c] = activation(Σᵢⱼ W[i][j] · I[r + i][c + j] + b), every 'valid' position, stride 1. */
export function convolve2d(
  image: Grid,
  kernel: Grid,
  bias: number,
  activation: "relu" | "linear" = "relu",
): number[][] {
  const [outRows, outColumns] = outputSize(image, kernel);
  return Array.from({ length: outRows }, (_, r) =>
    Array.from({ length: outColumns }, (_, c) => {
      const sum = convolutionTerms(image, kernel, r, c).reduce((s, t) => s + t.weight * t.pixel, bias);
      return activation === "relu" ? Math.max(0, sum) : sum;
    }),
  );
}

/** Max or average pooling of a feature map over size×size windows moved by `stride` ('valid': windows that fit). */
export function pool2d(map: Grid, size: number, kind: "max" | "average", stride = size): number[][] {
  const [h, w] = sizeOf("pool2d map", map);
  if (!Number.isInteger(size) || size < 1 || size > h || size > w)
    throw new MathInputError(`pool2d: a ${size}×${size} window does not fit a ${h}×${w} map`);
  if (!Number.isInteger(stride) || stride < 1)
    throw new MathInputError(`pool2d: stride must be a positive integer, got ${stride}`);
  const outRows = Math.floor((h - size) / stride) + 1;
  const outColumns = Math.floor((w - size) / stride) + 1;
  return Array.from({ length: outRows }, (_, r) =>
    Array.from({ length: outColumns }, (_, c) => {
      const window = map
        .slice(r * stride, r * stride + size)
        .flatMap((row) => row.slice(c * stride, c * stride + size));
      return kind === "max" ? Math.max(...window) : window.reduce((s, v) => s + v, 0) / window.length;
    }),
  );
}
