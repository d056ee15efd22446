/**
 * Classification metrics on plain label arrays (Seed 000 §5.2.3 model evaluation; Seed 001 §5.4's
 * accuracy, recall and F1): accuracy, confusion matrix, precision / recall / F1 per class with
 * macro and support-weighted averages (scikit-learn's definitions; a 0/0 ratio counts as 0), and the
 * ROC curve with its AUC for a binary classifier's scores.
 */
import { LeptonError } from "../errors";

/**
 * Raised when labels or scores cannot be compared (lengths differ, a label out of range, NaN scores); names the index.
 */
export class MetricsInputError extends LeptonError {}

/** Precision, recall, F1 and support of one class. */
export interface ClassScores {
  readonly name: string;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** How many true examples of the class there are. */
  readonly support: number;
}

/** Averages of precision, recall and F1 over classes. */
export interface AveragedScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** Everything {@link classificationReport} measures. */
export interface ClassificationReport {
  readonly accuracy: number;
  readonly perClass: readonly ClassScores[];
  /** Unweighted mean over classes (each class counts the same). */
  readonly macro: AveragedScores;
  /** Mean weighted by support (recall weighted this way always equals accuracy). */
  readonly weighted: AveragedScores;
  /** confusion[trueClass][predictedClass] = count. */
  readonly confusion: readonly (readonly number[])[];
  readonly count: number;
}

/** A ROC curve: false- and true-positive rates at each distinct score threshold, from (0,0) to (1,1). */
export interface RocCurve {
  readonly fpr: readonly number[];
  readonly tpr: readonly number[];
  /** Score threshold of each point (a score ≥ threshold is called positive); the first is +Infinity. */
  readonly thresholds: readonly number[];
  readonly auc: number;
}

function checkLabels(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): void {
  if (yTrue.length !== yPred.length)
    throw new MetricsInputError(`${yTrue.length} true labels but ${yPred.length} predictions`);
  if (yTrue.length === 0) throw new MetricsInputError("no labels to score");
  if (!Number.isInteger(numClasses) || numClasses < 2)
    throw new MetricsInputError(`numClasses must be an integer ≥ 2, got ${numClasses}`);
  for (let i = 0; i < yTrue.length; i++) {
    for (const [what, value] of [
      ["true label", yTrue[i]!],
      ["prediction", yPred[i]!],
    ] as const) {
      if (!Number.isInteger(value) || value < 0 || value >= numClasses) {
        throw new MetricsInputError(
          `${what} at index ${i} is ${value}, expected an integer class in [0, ${numClasses - 1}]`,
        );
      }
    }
  }
}

/** Fraction of predictions equal to the true label. */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  if (yTrue.length !== yPred.length)
    throw new MetricsInputError(`${yTrue.length} true labels but ${yPred.length} predictions`);
  if (yTrue.length === 0) throw new MetricsInputError("no labels to score");
  let right = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) right++;
  return right / yTrue.length;
}

/** confusion[t][p] counts examples of true class t predicted as p. */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): number[][] {
  checkLabels(yTrue, yPred, numClasses);
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) matrix[yTrue[i]!]![yPred[i]!]!++;
  return matrix;
}

const ratio = (numerator: number, denominator: number): number => (denominator === 0 ? 0 : numerator / denominator);

/** Accuracy, per-class precision/recall/F1, macro and weighted averages and the confusion matrix. */
export function classificationReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  classNames: readonly string[],
): ClassificationReport {
  const k = classNames.length;
  const confusion = confusionMatrix(yTrue, yPred, k);
  const perClass = classNames.map((name, c): ClassScores => {
    const truePositives = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((sum, row) => sum + row[c]!, 0);
    const precision = ratio(truePositives, predicted);
    const recall = ratio(truePositives, support);
    return { name, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
  const count = yTrue.length;
  const average = (weight: (s: ClassScores) => number): AveragedScores => {
    const total = perClass.reduce((sum, s) => sum + weight(s), 0);
    const mean = (pick: (s: ClassScores) => number) =>
      perClass.reduce((sum, s) => sum + weight(s) * pick(s), 0) / total;
    return { precision: mean((s) => s.precision), recall: mean((s) => s.recall), f1: mean((s) => s.f1) };
  };
  let right = 0;
  for (let c = 0; c < k; c++) right += confusion[c]![c]!;
  return {
    accuracy: right / count,
    perClass,
    macro: average(() => 1),
    weighted: average((s) => s.support),
    confusion,
    count,
  };
}

/**
 * The ROC curve of binary labels (0/1) against scores, one point per distinct score (highest first),
 * and the area under it by the trapezoid rule — 0.5 for scores that carry no information, 1 for a
 * perfect ranking; ties between classes count half.
 */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): RocCurve {
  if (labels.length !== scores.length)
    throw new MetricsInputError(`${labels.length} labels but ${scores.length} scores`);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1)
      throw new MetricsInputError(`label at index ${i} is ${labels[i]}, expected 0 or 1`);
    if (!Number.isFinite(scores[i]!))
      throw new MetricsInputError(`score at index ${i} is ${scores[i]}, expected a finite number`);
    positives += labels[i]!;
  }
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0)
    throw new MetricsInputError(`ROC needs both classes; got ${positives} positive and ${negatives} negative labels`);
  const order = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const fpr = [0];
  const tpr = [0];
  const thresholds = [Infinity];
  let truePositives = 0;
  let falsePositives = 0;
  for (let j = 0; j < order.length; j++) {
    const i = order[j]!;
    if (labels[i] === 1) truePositives++;
    else falsePositives++;
    const next = order[j + 1];
    if (next === undefined || scores[next] !== scores[i]) {
      fpr.push(falsePositives / negatives);
      tpr.push(truePositives / positives);
      thresholds.push(scores[i]!);
    }
  }
  let auc = 0;
  for (let p = 1; p < fpr.length; p++) auc += ((fpr[p]! - fpr[p - 1]!) * (tpr[p]! + tpr[p - 1]!)) / 2;
  return { fpr, tpr, thresholds, auc };
}
