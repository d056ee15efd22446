/**
 * The installed kernel started by Jupyter from a folder outside the project: it starts, runs
 * cells, and a cell imports the library by package name, type-checked.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { installKernelSpec } from "../../../src/kernel/install";
import { askKernel, resultText, type ExecuteAnswer } from "./jupyter-requests";

describe("the installed kernel in a folder outside the project, through jupyter_client", () => {
  let answers: ExecuteAnswer[];
  beforeAll(async () => {
    const prefix = mkdtempSync(join(tmpdir(), "lepton-prefix-"));
    installKernelSpec({ kind: "prefix", prefix });
    const folder = mkdtempSync(join(tmpdir(), "lepton-notebook-"));
    answers = (await askKernel(
      [
        { execute: 'console.log("from " + process.cwd());\n6 * 7' },
        {
          execute:
            'import { initBackend } from "lepton-workbook/backends";\nimport { bySize } from "lepton-workbook/config";\n`${typeof initBackend} ${bySize({ test: 2, full: 2 })}`',
        },
        {
          execute: 'import { loadConfig } from "lepton-workbook/config";\nconst seedText: string = loadConfig().seed;',
        },
      ],
      folder,
      join(prefix, "share", "jupyter"),
    )) as ExecuteAnswer[];
  }, 300_000);

  it("starts and runs a cell", () => {
    expect(answers[0]!.reply.status).toBe("ok");
    expect(answers[0]!.outputs.find((o) => o.msg_type === "stream")?.text).toMatch(/from .*lepton-notebook-/);
    expect(resultText(answers[0])).toBe("42");
  });

  it("imports the library by package name, with its types", () => {
    expect(answers[1]!.reply).toMatchObject({ status: "ok" });
    expect(resultText(answers[1])).toBe("'function 2'");
    expect(answers[2]!.reply).toMatchObject({ status: "error", ename: "TypeScriptError" });
    expect(String(answers[2]!.reply.evalue)).toMatch(/not assignable to type 'string'/);
  });
});
