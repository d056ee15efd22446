import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { accuracy, labelsOf, predictClasses, selectModel, SelectionError, type Candidate } from "../../../src/training";
import { adoptOptimizer } from "../../../src/io";
import { failOnTensorLeaks } from "../tensor-leaks";
import { tinyClassifier, tinyData } from "./tiny-model";

failOnTensorLeaks();

/** A candidate whose models record which tensors they were asked to predict on. */
function recorded(name: string, learningRate: number, seen: Map<string, number[]>): Candidate {
  return {
    name,
    build: () => {
      const model = adoptOptimizer(tinyClassifier(7, learningRate)); // disposed with its model, as builders in src/models do
      const predict = model.predict.bind(model);
      model.predict = (x, args) => {
        seen.set(name, [...(seen.get(name) ?? []), (x as tf.Tensor).id]);
        return predict(x, args);
      };
      return model;
    },
  };
}

function splits() {
  const train = tinyData(120, 1);
  const validation = tinyData(60, 2);
  const test = tinyData(60, 3);
  return {
    train: [train.x, train.y] as const,
    validation: [validation.x, validation.y] as const,
    test: [test.x, test.y] as const,
    all: [train, validation, test],
  };
}

describe("model selection (Seed 000 §2.3)", () => {
  it("chooses on validation, touches the test split once and only with the winner, and disposes the others", async () => {
    const data = splits();
    const seen = new Map<string, number[]>();
    const candidates = [recorded("frozen", 0, seen), recorded("learning", 0.05, seen), recorded("slow", 0.0005, seen)];
    const selection = await selectModel({
      candidates,
      train: data.train,
      validation: data.validation,
      test: data.test,
      fit: { epochs: 15, batchSize: 16, seed: 4, progress: false },
    });
    expect(selection.winner).toBe("learning");
    expect(selection.scores.map((s) => s.name)).toEqual(["frozen", "learning", "slow"]);
    const byName = Object.fromEntries(selection.scores.map((s) => [s.name, s]));
    expect(byName.learning!.validationAccuracy).toBeGreaterThan(byName.frozen!.validationAccuracy + 0.2);
    expect(byName.learning!.validationAccuracy).toBeCloseTo(
      accuracy(await labelsOf(data.validation[1]), (await predictClasses(selection.model, data.validation[0])).classes),
      10,
    );
    const testId = data.test[0].id;
    expect(seen.get("learning")!.filter((id) => id === testId)).toHaveLength(1);
    expect([...(seen.get("frozen") ?? []), ...(seen.get("slow") ?? [])]).not.toContain(testId);
    expect(selection.testAccuracy).toBeCloseTo(
      accuracy(await labelsOf(data.test[1]), (await predictClasses(selection.model, data.test[0])).classes),
      10,
    );
    expect(selection.testCount).toBe(60);
    selection.model.dispose();
    data.all.forEach((split) => tf.dispose([split.x, split.y]));
  });

  it("keeps the first of candidates that tie on validation, and checkpoints each in its own folder", async () => {
    const data = splits();
    const seen = new Map<string, number[]>();
    const checkpointDir = mkdtempSync(join(tmpdir(), "lepton-selection-"));
    const selection = await selectModel({
      candidates: [recorded("a", 0, seen), recorded("b", 0, seen)],
      train: data.train,
      validation: data.validation,
      test: data.test,
      fit: { epochs: 1, seed: 4, progress: false, checkpointDir },
    });
    expect(selection.scores[0]!.validationAccuracy).toBe(selection.scores[1]!.validationAccuracy);
    expect(selection.winner).toBe("a");
    expect(readdirSync(checkpointDir).sort()).toEqual(["candidate-0", "candidate-1"]);
    expect(
      existsSync(join(checkpointDir, "candidate-1")) && readdirSync(join(checkpointDir, "candidate-1")).length,
    ).toBeGreaterThan(0);
    rmSync(checkpointDir, { recursive: true, force: true });
    selection.model.dispose();
    data.all.forEach((split) => tf.dispose([split.x, split.y]));
  });

  it("refuses no candidates and two with one name, and disposes a candidate whose training fails", async () => {
    const data = splits();
    const options = {
      train: data.train,
      validation: data.validation,
      test: data.test,
      fit: { epochs: 1, progress: false },
    };
    await expect(selectModel({ ...options, candidates: [] })).rejects.toThrow(SelectionError);
    const seen = new Map<string, number[]>();
    await expect(
      selectModel({ ...options, candidates: [recorded("x", 0, seen), recorded("x", 0.1, seen)] }),
    ).rejects.toThrow(/two candidates are named "x"/);
    await expect(
      selectModel({ ...options, fit: { epochs: 0 }, candidates: [recorded("bad", 0.1, seen)] }),
    ).rejects.toThrow(/epochs must be an integer/);
    data.all.forEach((split) => tf.dispose([split.x, split.y]));
  });
});
