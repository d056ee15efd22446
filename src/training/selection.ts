/**
 * Seed 000 §2.3 step 2, model selection, as a stage of its own: every candidate is trained on the
 * training split and scored on the validation split; the best validation accuracy wins, and only
 * the winner is scored — once — on the test split. Choosing on the test split would make its
 * accuracy the best of several tries, biased upwards; a test split touched once stays an honest
 * estimate of the chosen model.
 */
import { join } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { fit, type FitOptions, type FitResult } from "./fit";
import { accuracy } from "./metrics";
import { labelsOf, predictClasses } from "./predict";
import { LeptonError } from "../errors";

/** A model to consider: a name and a builder returning it compiled and untrained. */
export interface Candidate {
  readonly name: string;
  readonly build: () => tf.LayersModel;
}

/** Inputs and labels of one split. */
export type Split = readonly [x: tf.Tensor, y: tf.Tensor];

/** Options of {@link selectModel}. */
export interface SelectModelOptions {
  readonly candidates: readonly Candidate[];
  readonly train: Split;
  readonly validation: Split;
  readonly test: Split;
  /**
   * How each candidate is trained; the validation split is passed as `validationData`. A
   * `checkpointDir` gets one subfolder per candidate, so no candidate resumes from another's.
   */
  readonly fit: Omit<FitOptions, "validationData">;
}

/** How one candidate did on the training and validation splits. */
export interface CandidateScore {
  readonly name: string;
  readonly parameters: number;
  readonly trainAccuracy: number;
  readonly validationAccuracy: number;
  readonly seconds: number;
  readonly history: FitResult["history"];
}

/** The chosen model, every candidate's scores, and the winner's one test score. */
export interface Selection {
  /** The winner, trained; the caller owns (and disposes) it. The other candidates are disposed. */
  readonly model: tf.LayersModel;
  readonly winner: string;
  readonly scores: readonly CandidateScore[];
  readonly testAccuracy: number;
  readonly testCount: number;
}

/** Raised for a selection that cannot be made (no candidates, two with one name). */
export class SelectionError extends LeptonError {}

async function accuracyOn(model: tf.LayersModel, [x, y]: Split): Promise<number> {
  return accuracy(await labelsOf(y), (await predictClasses(model, x)).classes);
}

/**
 * Trains each candidate on `train`, keeps the one with the best accuracy on `validation` (the
 * first listed on a tie), and reports its accuracy on `test` — the only time `test` is used.
 *
 */
export async function selectModel(options: SelectModelOptions): Promise<Selection> {
  const { candidates } = options;
  if (candidates.length === 0) throw new SelectionError("selectModel needs at least one candidate");
  const names = candidates.map((c) => c.name);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined)
    throw new SelectionError(`two candidates are named ${JSON.stringify(repeated)}; names must tell them apart`);
  let best: { model: tf.LayersModel; score: CandidateScore } | undefined;
  const scores: CandidateScore[] = [];
  for (const [index, candidate] of candidates.entries()) {
    const model = candidate.build();
    try {
      const checkpointDir =
        options.fit.checkpointDir === undefined ? undefined : join(options.fit.checkpointDir, `candidate-${index}`);
      const run = await fit(model, options.train[0], options.train[1], {
        ...options.fit,
        validationData: options.validation,
        ...(checkpointDir !== undefined ? { checkpointDir } : {}),
      });
      const score: CandidateScore = {
        name: candidate.name,
        parameters: model.countParams(),
        trainAccuracy: await accuracyOn(model, options.train),
        validationAccuracy: await accuracyOn(model, options.validation),
        seconds: run.seconds,
        history: run.history,
      };
      scores.push(score);
      if (best === undefined || score.validationAccuracy > best.score.validationAccuracy) {
        best?.model.dispose();
        best = { model, score };
      } else {
        model.dispose();
      }
    } catch (error) {
      model.dispose();
      best?.model.dispose();
      throw error;
    }
  }
  const winner = best!;
  return {
    model: winner.model,
    winner: winner.score.name,
    scores,
    testAccuracy: await accuracyOn(winner.model, options.test),
    testCount: options.test[0].shape[0] ?? 0,
  };
}
