/**
 * Synthetic house prices with a known line (Seed 000 §4.4: "xᵢ 是房屋面积, yᵢ 是房价"), so that
 * every fitting method can be checked against the truth it should recover.
 */
import { MathInputError } from "./errors";
import { seededRandom } from "../random";
import type { Line } from "./regression";

/** How to draw the synthetic houses: count, true line, noise and area range. */
export interface HousePriceOptions {
  readonly n: number;
  /** The true line: price = w · area + b (default w = 2.5 per m², b = 30). */
  readonly truth?: Line;
  /** Standard deviation of the Gaussian noise on the price (default 15). */
  readonly noise?: number;
  /** Floor area range in m² (default [50, 150]). */
  readonly areaRange?: readonly [number, number];
  readonly seed: number;
}

/** Houses with area uniform in the range and price = w · area + b + noise. */
export interface HousePrices {
  readonly area: Float64Array;
  readonly price: Float64Array;
  readonly truth: Line;
}

/** Draws `n` synthetic houses on the known line. */
export function syntheticHousePrices(options: HousePriceOptions): HousePrices {
  const { n, truth = { w: 2.5, b: 30 }, noise = 15, areaRange = [50, 150], seed } = options;
  if (!Number.isInteger(n) || n < 1)
    throw new MathInputError(`syntheticHousePrices: n must be a positive integer, got ${n}`);
  const random = seededRandom(seed);
  const area = Float64Array.from({ length: n }, () => random.between(areaRange[0], areaRange[1]));
  const price = Float64Array.from(area, (a) => truth.w * a + truth.b + noise * random.normal());
  return { area, price, truth };
}
