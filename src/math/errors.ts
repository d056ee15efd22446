/**
 * Errors of src/math: bad input to a loss, an activation, a gradient check or
 * a regression names the function, the argument and the offending index or shape.
 */
import { LeptonError } from "../errors";

/**
 * Raised when a math function gets inputs it cannot use; the message names the function, argument and index or shape.
 */
export class MathInputError extends LeptonError {}

/** Throws MathInputError unless `a` and `b` have the same length (`where` names the function, e.g. "mse(y, yHat)"). */
export function assertSameLength(where: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new MathInputError(`${where}: lengths differ (${a.length} vs ${b.length})`);
  if (a.length === 0) throw new MathInputError(`${where}: no values`);
}

/** Throws MathInputError unless two shapes are equal. */
export function assertSameShape(where: string, a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new MathInputError(`${where}: shapes differ ([${a.join(", ")}] vs [${b.join(", ")}])`);
  }
}
