/** Command-line helpers shared by the benchmarks. */

/** Raised for a bad command line of a benchmark. */
export class BenchUsageError extends Error {
  override name = "BenchUsageError";
}

/** The value of `--name` as a positive integer, or BenchUsageError naming the option and the value. */
export function positiveInteger(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new BenchUsageError(`--${name} must be a positive integer, got ${value}`);
  return n;
}
