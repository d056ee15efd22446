/**
 * Edited modules are reloaded between cells, through jupyter_client: a changed file is seen by
 * the next cell that imports it (its new exports type-check, a module importing it sees the new
 * value too), and what earlier cells defined stays.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { askKernel, resultText, type ExecuteAnswer } from "./jupyter-requests";

const ROOT = resolve(__dirname, "..", "..", "..");

describe("reloading an edited module, through jupyter_client", () => {
  const folder = mkdtempSync(join(__dirname, "reload-fixture-"));
  const valueFile = join(folder, "value.ts");
  const dependentFile = join(folder, "doubled.ts");
  let answers: (ExecuteAnswer | null)[];
  beforeAll(async () => {
    writeFileSync(valueFile, "export const value: number = 1;\n");
    writeFileSync(dependentFile, 'import { value } from "./value";\nexport const doubled: number = value * 2;\n');
    answers = (await askKernel(
      [
        {
          execute: `import { value } from "${valueFile.replace(/\.ts$/, "")}";\nimport { doubled } from "${dependentFile.replace(/\.ts$/, "")}";\nconst kept = 7;\n[value, doubled]`,
        },
        { write: valueFile, text: 'export const value: number = 5;\nexport const added: string = "new";\n' },
        {
          execute: `import { value, added } from "${valueFile.replace(/\.ts$/, "")}";\nimport { doubled } from "${dependentFile.replace(/\.ts$/, "")}";\n[value, doubled, added, kept]`,
        },
      ],
      resolve(ROOT, "notebooks"),
    )) as (ExecuteAnswer | null)[];
  }, 300_000);
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("imports the module as it was first", () => {
    expect(answers[0]!.reply.status).toBe("ok");
    expect(resultText(answers[0])).toBe("[ 1, 2 ]");
  });

  it("sees the edit in the next cell, with its new export, its importer reloaded, and earlier variables kept", () => {
    expect(answers[2]!.reply).toMatchObject({ status: "ok" });
    expect(resultText(answers[2])).toBe("[ 5, 10, 'new', 7 ]");
  });
});
