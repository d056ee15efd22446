import { describe, expect, it } from "vitest";
import { accuracy, classificationReport, confusionMatrix, MetricsInputError, rocCurve } from "../../../src/training";

describe("classification metrics (Seed 001 §5.4)", () => {
  // scikit-learn's documented example: precision_recall_fscore_support(y_true, y_pred, average="macro")
  // → (0.2222…, 0.3333…, 0.2666…), and accuracy 2/6.
  const yTrue = [0, 1, 2, 0, 1, 2];
  const yPred = [0, 2, 1, 0, 0, 1];

  it("matches scikit-learn's documented macro scores", () => {
    const report = classificationReport(yTrue, yPred, ["cat", "dog", "pig"]);
    expect(report.accuracy).toBeCloseTo(2 / 6, 12);
    expect(report.macro.precision).toBeCloseTo(2 / 9, 12);
    expect(report.macro.recall).toBeCloseTo(1 / 3, 12);
    expect(report.macro.f1).toBeCloseTo(4 / 15, 12);
    expect(report.perClass[0]).toEqual({ name: "cat", precision: 2 / 3, recall: 1, f1: 0.8, support: 2 });
    expect(report.perClass[1]!.precision).toBe(0); // 0/1 predicted right; class 1 never right
    expect(report.confusion).toEqual([
      [2, 0, 0],
      [1, 0, 1],
      [0, 2, 0],
    ]);
  });

  it("has weighted recall equal to accuracy, and macro recall too when classes are balanced", () => {
    const unbalancedTrue = [0, 0, 0, 1, 1, 2];
    const unbalancedPred = [0, 0, 1, 1, 2, 2];
    const report = classificationReport(unbalancedTrue, unbalancedPred, ["a", "b", "c"]);
    expect(report.weighted.recall).toBeCloseTo(report.accuracy, 12);
    expect(report.macro.recall).not.toBeCloseTo(report.accuracy, 3);
    const balanced = classificationReport(yTrue, yPred, ["a", "b", "c"]);
    expect(balanced.macro.recall).toBeCloseTo(balanced.accuracy, 12);
  });

  it("counts the confusion matrix by true row and predicted column, and names a bad label's index", () => {
    expect(confusionMatrix([1, 1, 0], [1, 0, 0], 2)).toEqual([
      [1, 0],
      [1, 1],
    ]);
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/true label at index 1 is 3/);
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow(MetricsInputError);
    expect(accuracy([1, 2, 3], [1, 2, 0])).toBeCloseTo(2 / 3, 12);
  });

  it("draws scikit-learn's documented ROC curve and AUC", () => {
    // roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) and roc_auc_score → 0.75.
    const roc = rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    expect(roc.fpr).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(roc.tpr).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(roc.thresholds).toEqual([Infinity, 0.8, 0.4, 0.35, 0.1]);
    expect(roc.auc).toBeCloseTo(0.75, 12);
  });

  it("gives 1 to a perfect ranking, 0.5 to ties across classes, and refuses one-class labels", () => {
    expect(rocCurve([0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8]).auc).toBe(1);
    expect(rocCurve([0, 1], [0.5, 0.5]).auc).toBe(0.5);
    expect(() => rocCurve([1, 1], [0.2, 0.3])).toThrow(/both classes/);
    expect(() => rocCurve([0, 1], [0.2, Number.NaN])).toThrow(/score at index 1/);
  });
});
