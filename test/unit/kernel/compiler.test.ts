/**
 * The cell compiler through Jupyter's own client: cells compile with the project's TypeScript
 * (`using` declarations), on a lib without DOM, as strictly as tsconfig.json says.
 */
import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { askKernel, resultText, type ExecuteAnswer } from "./jupyter-requests";

const NOTEBOOKS = resolve(__dirname, "..", "..", "..", "notebooks");

describe("the cell compiler, through jupyter_client", () => {
  let answers: ExecuteAnswer[];
  beforeAll(async () => {
    answers = (await askKernel(
      [
        {
          execute:
            "const disposed: string[] = [];\n{\n  using resource = { [Symbol.dispose]() { disposed.push('resource'); } };\n}\ndisposed.join()",
        },
        { execute: "document.title" },
        { execute: "localStorage.getItem('name')" },
        { execute: "function untyped(a) { return a; }" },
        { execute: "const later = await Promise.resolve(41);\nlater + 1" },
        { execute: "const ask: (message?: string) => string | null = prompt;\ntypeof ask" },
      ],
      NOTEBOOKS,
    )) as ExecuteAnswer[];
  }, 300_000);

  it("runs a `using` declaration with the project's TypeScript, disposing at the block's end", () => {
    expect(answers[0]!.reply.status).toBe("ok");
    expect(resultText(answers[0])).toBe("'resource'");
  });

  it("has no DOM: `document` and `localStorage` do not type-check", () => {
    for (const answer of [answers[1]!, answers[2]!]) {
      expect(answer.reply).toMatchObject({ status: "error", ename: "TypeScriptError" });
    }
    expect(String(answers[1]!.reply.evalue)).toMatch(/document/);
    expect(String(answers[2]!.reply.evalue)).toMatch(/localStorage/);
  });

  it("types the `prompt` the kernel installs (Jupyter's input_request) for cells", () => {
    expect(answers[5]!.reply.status).toBe("ok");
    expect(resultText(answers[5])).toBe("'function'");
  });

  it("stays strict (noImplicitAny from tsconfig.json) and keeps top-level await", () => {
    expect(answers[3]!.reply).toMatchObject({ status: "error", ename: "TypeScriptError" });
    expect(String(answers[3]!.reply.evalue)).toMatch(/implicitly has an 'any' type/);
    expect(answers[4]!.reply.status).toBe("ok");
    expect(resultText(answers[4])).toBe("42");
  });
});
