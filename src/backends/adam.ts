/**
 * Adam with a fused update where the backend has one: `adam()` takes tf.train.adam's arguments and returns a
 * tf.AdamOptimizer (same state, weights, config and serialization); on a backend that registers
 * {@link ADAM_STEP_KERNEL} (wasm, src/backends/wasm-training) each variable's update is one kernel instead of about
 * fourteen element-wise ones. Elsewhere it is tfjs' own Adam, unchanged.
 */
import * as tf from "@tensorflow/tfjs";
import { ADAM_STEP_KERNEL, type AdamConstants } from "./wasm-training/adam-step";
import { LeptonError } from "../errors";

/** Raised when Adam is asked to update a variable that is not float32. */
export class AdamDtypeError extends LeptonError {}

interface MomentSlot {
  originalName: string;
  variable: tf.Variable;
}

/** tfjs' AdamOptimizer state this subclass reads (private fields in tfjs' typings). */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: MomentSlot[];
  accumulatedSecondMoment: MomentSlot[];
}

/** tf.AdamOptimizer whose update runs as one fused kernel per variable where the backend registers one. */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer["applyGradients"]>[0]): void {
    if (tf.getKernel(ADAM_STEP_KERNEL, tf.getBackend()) === undefined) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
    const list = Array.isArray(variableGradients)
      ? variableGradients.map(({ name, tensor }) => ({ name, gradient: tensor }))
      : Object.keys(variableGradients).map((name) => ({
          name,
          gradient: variableGradients[name] as tf.Tensor | undefined,
        }));
    const constants: AdamConstants = [
      state.beta1,
      state.beta2,
      state.learningRate,
      state.epsilon,
      1 - state.accBeta1.dataSync()[0]!,
      1 - state.accBeta2.dataSync()[0]!,
    ];
    tf.tidy(() => {
      list.forEach(({ name, gradient }, i) => {
        const value = tf.engine().registeredVariables[name]!;
        state.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: momentLike(value) };
        state.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: momentLike(value) };
        if (gradient === undefined || gradient === null) return;
        const m = state.accumulatedFirstMoment[i]!.variable;
        const v = state.accumulatedSecondMoment[i]!.variable;
        if (value.dtype !== "float32" || gradient.dtype !== "float32") {
          throw new AdamDtypeError(
            `Adam updates float32 variables; ${name} is ${value.dtype}, its gradient ${gradient.dtype}`,
          );
        }
        const [newValue, newM, newV] = tf.engine().runKernel(ADAM_STEP_KERNEL, { value, m, v, gradient }, {
          constants,
        } as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(newM!);
        v.assign(newV!);
        value.assign(newValue!);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, state.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, state.beta2));
    });
    this.incrementIterations();
  }
}

function momentLike(value: tf.Variable): tf.Variable {
  return tf.tidy(() => tf.zerosLike(value).variable(false));
}

/** tf.train.adam's signature and defaults, with the fused update of {@link FusedAdamOptimizer}. */
export function adam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): tf.AdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
