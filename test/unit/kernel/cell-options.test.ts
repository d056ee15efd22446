/** Pure parts of the kernel layer: tsconfig options for cells, help requests, the TypeScript code cache. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { helpRequest } from "../../../src/kernel/server/help";
import { cellCheckOptions } from "../../../src/kernel/compiler/typescript-bridge";

describe("cellCheckOptions", () => {
  it("takes checking flags, types (plus the kernel's cell globals) and lib (without DOM) from tsconfig.json, not unused-variable checks", () => {
    const dir = mkdtempSync(join(tmpdir(), "lepton-tsconfig-"));
    const compilerOptions = {
      strict: true,
      noImplicitAny: false,
      noUnusedLocals: true,
      types: ["node"],
      lib: ["ES2022", "DOM"],
      module: "preserve",
    };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions }));
    expect(cellCheckOptions(dir)).toEqual({
      strict: true,
      noImplicitAny: false,
      types: ["node", "lepton-cell"],
      lib: ["lib.es2022.d.ts", "lib.esnext.disposable.d.ts"],
    });
  });

  it("is strict when there is no tsconfig.json", () => {
    expect(cellCheckOptions(mkdtempSync(join(tmpdir(), "lepton-none-")))).toEqual({
      strict: true,
      types: ["node", "lepton-cell"],
      lib: ["lib.es2022.d.ts", "lib.esnext.disposable.d.ts"],
    });
  });
});

describe("helpRequest", () => {
  it("reads `name?` and `?name` as help requests, `name??` and `??name` with the definition's source", () => {
    expect(helpRequest("Math.max?")).toEqual({ name: "Math.max", detailLevel: 0 });
    expect(helpRequest("  ? console . log \n")).toEqual({ name: "console.log", detailLevel: 0 });
    expect(helpRequest("Math.max??")).toEqual({ name: "Math.max", detailLevel: 1 });
    expect(helpRequest("?? bySize")).toEqual({ name: "bySize", detailLevel: 1 });
  });

  it("leaves code alone", () => {
    for (const code of ["a ? b : c", "x?.y", "a ?? b", "Math.max(1, 2)", "const q = 1; q?", "?", "x???"])
      expect(helpRequest(code)).toBeUndefined();
  });
});

describe("loadTypeScript", () => {
  it("loads the compiler, writes a code cache and uses it on the next start", () => {
    const root = resolve(__dirname, "..", "..", "..");
    const script = [
      'require("tsx/cjs/api").register();',
      `const { loadTypeScript } = require(${JSON.stringify(join(root, "src/kernel/compiler/typescript-loader.ts"))});`,
      `const loaded = loadTypeScript(${JSON.stringify(root)});`,
      "const file = loaded.saveCache();",
      "console.log(JSON.stringify({ version: loaded.exports.version, cache: loaded.cache, saved: file !== undefined }));",
    ].join("\n");
    const run = () =>
      JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" })) as Record<
        string,
        unknown
      >;
    run();
    const second = run();
    expect(second).toEqual({ version: require("typescript/package.json").version, cache: "used", saved: true });
  });
});
