import type * as tf from "@tensorflow/tfjs";

/** Reads (and frees) training or evaluation results; asynchronously, as a GPU backend in Node requires. */
export async function scalars(values: tf.Scalar | tf.Scalar[] | number | number[]): Promise<number[]> {
  const list = Array.isArray(values) ? values : [values];
  const numbers: number[] = [];
  for (const value of list) {
    if (typeof value === "number") numbers.push(value);
    else {
      try {
        numbers.push((await value.data())[0]!);
      } finally {
        value.dispose();
      }
    }
  }
  return numbers;
}
