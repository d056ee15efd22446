/**
 * Data mining (seed 001 §3.3 step 4, pattern recognition "use machine learning and statistical
 * methods to discover patterns"): k-means clustering (Lloyd's algorithm, k-means++ seeding) and
 * principal component analysis, in float64 so results match numpy / torch to ~1e-10.
 */
import * as tf from "@tensorflow/tfjs";
import { CleaningError } from "./errors";
import { seededRandom, type Random } from "../random";

/** Rows of numbers: a nested array or a 2-D tensor (read once into float64). */
export type Matrix = readonly (readonly number[])[] | tf.Tensor2D;

interface Dense {
  readonly n: number;
  readonly d: number;
  readonly data: Float64Array;
}

function toDense(x: Matrix, step: string): Dense {
  const rows = x instanceof tf.Tensor ? (x.arraySync() as number[][]) : x;
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  if (n === 0 || d === 0) throw new CleaningError(`${step}: needs a non-empty matrix`);
  const data = new Float64Array(n * d);
  rows.forEach((row, i) => {
    if (row.length !== d) throw new CleaningError(`${step}: row ${i} has ${row.length} values, row 0 has ${d}`);
    row.forEach((v, j) => {
      if (!Number.isFinite(v))
        throw new CleaningError(`${step}: row ${i}, column ${j} is ${v}; clean missing values first`);
      data[i * d + j] = v;
    });
  });
  return { n, d, data };
}

function squaredDistance(a: Float64Array, ai: number, b: Float64Array, bi: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = a[ai + j]! - b[bi + j]!;
    s += t * t;
  }
  return s;
}

/** Options of kMeans. */
export interface KMeansOptions {
  readonly k: number;
  /** Initial centroids (k rows), or "k-means++" (default) seeded by `seed`. */
  readonly init?: "k-means++" | readonly (readonly number[])[];
  readonly maxIterations?: number;
  /** Stop when the centroids move less than this in total squared distance (default 1e-10). */
  readonly tolerance?: number;
  readonly seed?: number;
}

/** A clustering: centroids, each row's cluster, the within-cluster sum of squares, and how it ended. */
export interface KMeansResult {
  readonly centroids: number[][];
  readonly labels: number[];
  /** Sum of squared distances of rows to their centroid (sklearn's inertia). */
  readonly inertia: number;
  readonly iterations: number;
  readonly converged: boolean;
}

function kMeansPlusPlus(x: Dense, k: number, random: Random): Float64Array {
  const { n, d, data } = x;
  const centroids = new Float64Array(k * d);
  const first = random.int(n);
  centroids.set(data.subarray(first * d, first * d + d), 0);
  const closest = new Float64Array(n).fill(Infinity);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      closest[i] = Math.min(closest[i]!, squaredDistance(data, i * d, centroids, (c - 1) * d, d));
      total += closest[i]!;
    }
    let target = random.uniform() * total;
    let chosen = n - 1;
    for (let i = 0; i < n; i++) {
      target -= closest[i]!;
      if (target <= 0) {
        chosen = i;
        break;
      }
    }
    centroids.set(data.subarray(chosen * d, chosen * d + d), c * d);
  }
  return centroids;
}

/**
 * k-means by Lloyd's algorithm: assign each row to its nearest centroid, move each centroid to its
 * rows' mean, until nothing moves. An empty cluster keeps its centroid.
 */
export function kMeans(x: Matrix, options: KMeansOptions): KMeansResult {
  const dense = toDense(x, "kMeans");
  const { n, d, data } = dense;
  const k = options.k;
  if (!Number.isInteger(k) || k < 1 || k > n)
    throw new CleaningError(`kMeans: k must be an integer in 1..${n}, got ${k}`);
  let centroids: Float64Array;
  if (options.init === undefined || options.init === "k-means++") {
    centroids = kMeansPlusPlus(dense, k, seededRandom(options.seed ?? 0));
  } else {
    if (options.init.length !== k || options.init.some((row) => row.length !== d))
      throw new CleaningError(`kMeans: init must be ${k} rows of ${d} numbers`);
    centroids = Float64Array.from(options.init.flat());
  }
  const maxIterations = options.maxIterations ?? 300;
  const tolerance = options.tolerance ?? 1e-10;
  const labels = new Int32Array(n);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestDistance = Infinity;
      for (let c = 0; c < k; c++) {
        const dist = squaredDistance(data, i * d, centroids, c * d, d);
        if (dist < bestDistance) {
          bestDistance = dist;
          best = c;
        }
      }
      labels[i] = best;
    }
    const sums = new Float64Array(k * d);
    const counts = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const c = labels[i]!;
      counts[c]! += 1;
      for (let j = 0; j < d; j++) sums[c * d + j]! += data[i * d + j]!;
    }
    let shift = 0;
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue;
      for (let j = 0; j < d; j++) {
        const next = sums[c * d + j]! / counts[c]!;
        shift += (next - centroids[c * d + j]!) ** 2;
        centroids[c * d + j] = next;
      }
    }
    if (shift <= tolerance) {
      converged = true;
      break;
    }
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += squaredDistance(data, i * d, centroids, labels[i]! * d, d);
  const rows = Array.from({ length: k }, (_, c) => Array.from(centroids.subarray(c * d, c * d + d)));
  return { centroids: rows, labels: Array.from(labels), inertia, iterations, converged };
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: eigenvalues descending, eigenvectors as rows.
 */
export function symmetricEigen(matrix: readonly (readonly number[])[]): { values: number[]; vectors: number[][] } {
  const m = matrix.length;
  const a = matrix.map((row) => [...row]);
  const v: number[][] = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < m; p++) for (let q = p + 1; q < m; q++) off += a[p]![q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = a[p]![q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < m; r++) {
          const arp = a[r]![p]!;
          const arq = a[r]![q]!;
          a[r]![p] = c * arp - s * arq;
          a[r]![q] = s * arp + c * arq;
        }
        for (let r = 0; r < m; r++) {
          const apr = a[p]![r]!;
          const aqr = a[q]![r]!;
          a[p]![r] = c * apr - s * aqr;
          a[q]![r] = s * apr + c * aqr;
        }
        for (let r = 0; r < m; r++) {
          const vrp = v[r]![p]!;
          const vrq = v[r]![q]!;
          v[r]![p] = c * vrp - s * vrq;
          v[r]![q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const order = a.map((row, i) => ({ value: row[i]!, i })).sort((x, y) => y.value - x.value);
  return { values: order.map((o) => o.value), vectors: order.map((o) => v.map((row) => row[o.i]!)) };
}

/**
 * Principal component analysis: centred data, covariance with n − 1, components as unit rows, largest loading positive.
 */
export class PCA {
  private constructor(
    readonly mean: number[],
    readonly components: number[][],
    readonly explainedVariance: number[],
    readonly explainedVarianceRatio: number[],
  ) {}

  /**
   * Fits the top `components` directions. Up to 256 dimensions the covariance is diagonalised exactly
   * (Jacobi); above, by subspace iteration on the covariance with a Rayleigh–Ritz step.
   */
  static fit(x: Matrix, options: { readonly components: number; readonly seed?: number }): PCA {
    const { n, d, data } = toDense(x, "PCA.fit");
    const k = options.components;
    if (!Number.isInteger(k) || k < 1 || k > Math.min(d, n))
      throw new CleaningError(`PCA.fit: components must be an integer in 1..${Math.min(d, n)}, got ${k}`);
    if (n < 2) throw new CleaningError("PCA.fit: needs at least 2 rows");
    const mean = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += data[i * d + j]! / n;
    const centred = new Float64Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) centred[i * d + j] = data[i * d + j]! - mean[j]!;
    const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (let i = 0; i < n; i++) {
      const row = i * d;
      for (let p = 0; p < d; p++) {
        const xp = centred[row + p]!;
        if (xp === 0) continue;
        const cp = cov[p]!;
        for (let q = p; q < d; q++) cp[q]! += xp * centred[row + q]!;
      }
    }
    let trace = 0;
    for (let p = 0; p < d; p++) {
      for (let q = p; q < d; q++) {
        cov[p]![q]! /= n - 1;
        cov[q]![p] = cov[p]![q]!;
      }
      trace += cov[p]![p]!;
    }
    const { values, vectors } = d <= 256 ? symmetricEigen(cov) : subspaceEigen(cov, k, options.seed ?? 0);
    const components = vectors.slice(0, k).map((vec) => {
      const largest = vec.reduce((best, v) => (Math.abs(v) > Math.abs(best) ? v : best), 0);
      return largest < 0 ? vec.map((v) => -v) : vec;
    });
    const variance = values.slice(0, k);
    return new PCA(
      Array.from(mean),
      components,
      variance,
      variance.map((v) => v / trace),
    );
  }

  /** Projects rows onto the components: [n, components]. */
  transform(x: Matrix): number[][] {
    const { n, d, data } = toDense(x, "PCA.transform");
    if (d !== this.mean.length)
      throw new CleaningError(`PCA.transform: rows have ${d} values, the PCA was fitted on ${this.mean.length}`);
    return Array.from({ length: n }, (_, i) =>
      this.components.map((comp) => comp.reduce((s, c, j) => s + c * (data[i * d + j]! - this.mean[j]!), 0)),
    );
  }

  /** Maps projections back to the original space (the best rank-k approximation of the rows). */
  inverseTransform(scores: readonly (readonly number[])[]): number[][] {
    return scores.map((row) =>
      this.mean.map((m, j) => m + row.reduce((s, z, c) => s + z * this.components[c]![j]!, 0)),
    );
  }
}

function subspaceEigen(
  cov: readonly (readonly number[])[],
  k: number,
  seed: number,
): { values: number[]; vectors: number[][] } {
  const d = cov.length;
  const m = Math.min(d, k + 15);
  const c = new Float64Array(d * d);
  cov.forEach((row, i) => row.forEach((v, j) => (c[i * d + j] = v)));
  const random = seededRandom(seed);
  // m vectors of length d, stored row after row
  let q: Float64Array = Float64Array.from({ length: m * d }, () => random.uniform() - 0.5);
  const multiply = (vs: Float64Array) => {
    const out = new Float64Array(m * d);
    for (let a = 0; a < m; a++) {
      for (let i = 0; i < d; i++) {
        let sum = 0;
        for (let j = 0; j < d; j++) sum += c[i * d + j]! * vs[a * d + j]!;
        out[a * d + i] = sum;
      }
    }
    return out;
  };
  const dot = (x: Float64Array, a: number, y: Float64Array, b: number) => {
    let sum = 0;
    for (let j = 0; j < d; j++) sum += x[a * d + j]! * y[b * d + j]!;
    return sum;
  };
  const orthonormalise = (vs: Float64Array) => {
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < a; b++) {
        const proj = dot(vs, a, vs, b);
        for (let j = 0; j < d; j++) vs[a * d + j]! -= proj * vs[b * d + j]!;
      }
      const norm = Math.sqrt(dot(vs, a, vs, a));
      for (let j = 0; j < d; j++) vs[a * d + j]! /= norm;
    }
    return vs;
  };
  q = orthonormalise(q);
  let cq: Float64Array = multiply(q);
  // Ritz values: eigenvalues of Qᵀ C Q, checked every 5 multiplications until the top k settle
  const ritz = () =>
    symmetricEigen(Array.from({ length: m }, (_, a) => Array.from({ length: m }, (_, b) => dot(q, a, cq, b))));
  let { values, vectors } = ritz();
  for (let iteration = 1; iteration <= 400; iteration++) {
    q = orthonormalise(cq);
    cq = multiply(q);
    if (iteration % 5 !== 0) continue;
    const next = ritz();
    const settled = next.values
      .slice(0, k)
      .every((v, a) => Math.abs(v - values[a]!) <= 1e-13 * Math.abs(next.values[0]!));
    ({ values, vectors } = next);
    if (settled) break;
  }
  return {
    values,
    vectors: vectors.map((w) =>
      Array.from({ length: d }, (_, j) => w.reduce((sum, wa, a) => sum + wa * q[a * d + j]!, 0)),
    ),
  };
}
