/**
 * src/math: Seed 000 §3.2 and §4, Seed 001 §4 where its formulas reach activations. The
 * TensorFlow.js (float32) forms are exported by name; the float64 reference forms as `f64`.
 */
export * from "./activations";
export * from "./losses";
export * as f64 from "./float64";
export { PROBABILITY_EPSILON } from "./float64";
export * from "./gradcheck";
export { gradientCases } from "./cases";
export * from "./regression";
export * from "./house-prices";
export * from "./convolution";
export { MathInputError } from "./errors";
