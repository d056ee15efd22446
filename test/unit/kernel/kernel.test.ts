/**
 * The Lepton kernel over the Jupyter protocol: each defect of plain tslab that this kernel
 * fixes, checked against the running kernel.
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKernel, type KernelClient } from "../../../src/runner/kernel-client";
import type { JupyterMessage } from "../../../src/jupyter";

const NOTEBOOKS = resolve(__dirname, "..", "..", "..", "notebooks");
let kernel: KernelClient;

beforeAll(async () => {
  kernel = await startKernel({ kernelName: "lepton", cwd: NOTEBOOKS });
});
afterAll(async () => {
  await kernel.shutdown();
});

const ofType = (messages: readonly JupyterMessage[], type: string) =>
  messages.filter((m) => m.header.msg_type === type);

describe("kernel_info", () => {
  it("has a status and the TypeScript version that really compiles cells", async () => {
    const { reply } = await kernel.request("shell", "kernel_info_request", {}, 30_000);
    expect(reply.status).toBe("ok");
    const language = reply.language_info as Record<string, unknown>;
    expect(language.name).toBe("typescript");
    expect(language.version).toBe(require("typescript/package.json").version);
    expect(language.file_extension).toBe(".ts");
  });
});

describe("errors", () => {
  it("replies error with ename, evalue and a traceback at the cell's TypeScript line, and publishes it", async () => {
    const code = [
      'const note: string = "typed";',
      "",
      "function fail(): never {",
      '  throw new RangeError("out of range");',
      "}",
      "fail();",
    ].join("\n");
    const result = await kernel.execute(code, { timeoutMs: 60_000 });
    expect(result.reply).toMatchObject({ status: "error", ename: "RangeError", evalue: "out of range" });
    const traceback = (result.reply.traceback as string[]).join("\n");
    expect(traceback).toMatch(/cell\[\d+\]:4:/);
    expect(traceback).toMatch(/cell\[\d+\]:6:/);
    const published = ofType(result.iopub, "error");
    expect(published).toHaveLength(1);
    expect(published[0]!.content).toMatchObject({ ename: "RangeError", evalue: "out of range" });
  });

  it("keeps what a failing cell defined before its error, as IPython does", async () => {
    const failed = await kernel.execute(
      'function halve(n: number): number { return n / 2; }\nthrow new Error("after the definition");',
      { timeoutMs: 30_000 },
    );
    expect(failed.reply.status).toBe("error");
    const result = await kernel.execute("halve(84)", { timeoutMs: 30_000 });
    expect(result.reply.status).toBe("ok");
    expect(ofType(result.iopub, "execute_result")[0]!.content.data).toMatchObject({ "text/plain": "42" });
  });

  it("executes the next request normally after an error", async () => {
    await kernel.execute('throw new Error("first")', { timeoutMs: 30_000 });
    const result = await kernel.execute("40 + 2", { timeoutMs: 30_000 });
    expect(result.reply.status).toBe("ok");
  });

  it("fails a cell whose top-level await rejects, and one whose value is a rejected promise", async () => {
    const awaited = await kernel.execute('await Promise.reject(new TypeError("rejected"));', { timeoutMs: 30_000 });
    expect(awaited.reply).toMatchObject({ status: "error", ename: "TypeError", evalue: "rejected" });
    const returned = await kernel.execute('Promise.reject(new Error("returned rejection"))', { timeoutMs: 30_000 });
    expect(returned.reply).toMatchObject({ status: "error", evalue: "returned rejection" });
  });

  it("reports strict type errors (noImplicitAny, strictNullChecks) with their cell line", async () => {
    const implicitAny = await kernel.execute("const ok = 1;\nfunction f(a) { return a; }", { timeoutMs: 30_000 });
    expect(implicitAny.reply).toMatchObject({ status: "error", ename: "TypeScriptError" });
    expect((implicitAny.reply.traceback as string[]).join("\n")).toMatch(/cell\[\d+\]:2:\d+ - error TS7006/);
    const nullable = await kernel.execute(
      "const maybe: string | undefined = undefined as string | undefined;\nmaybe.length",
      { timeoutMs: 30_000 },
    );
    expect(nullable.reply).toMatchObject({ status: "error", ename: "TypeScriptError" });
    expect(String(nullable.reply.evalue)).toMatch(/possibly 'undefined'/);
  });

  it("names a thrown non-error value", async () => {
    const result = await kernel.execute('throw "plain string";', { timeoutMs: 30_000 });
    expect(result.reply).toMatchObject({ status: "error", evalue: "plain string" });
    expect(String(result.reply.ename)).not.toBe("");
  });
});

describe("values and imports", () => {
  it("sends the last value as execute_result with the execution count", async () => {
    const result = await kernel.execute("const answer = 6 * 7;\nanswer", { timeoutMs: 30_000 });
    const [value] = ofType(result.iopub, "execute_result");
    expect(value!.content).toMatchObject({
      execution_count: result.reply.execution_count,
      data: { "text/plain": "42" },
    });
  });

  it("imports the library's TypeScript from ../src, type-checked, and renders tensors richly", async () => {
    const bad = await kernel.execute(
      'import { bySize } from "../src/config";\nconst n: string = bySize({ test: 1, full: 2 });',
      { timeoutMs: 30_000 },
    );
    expect(bad.reply).toMatchObject({ status: "error", ename: "TypeScriptError" });
    const good = await kernel.execute(
      'import * as tf from "@tensorflow/tfjs";\nimport { loadConfig } from "../src/config";\nloadConfig().seed;\ntf.tensor2d([[1, 2], [3, 4]])',
      { timeoutMs: 60_000 },
    );
    expect(good.reply.status).toBe("ok");
    const [value] = ofType(good.iopub, "execute_result");
    const data = value!.content.data as Record<string, string>;
    expect(data["text/plain"]).toContain("Tensor [2, 2] float32");
    expect(data["text/plain"]).toContain("max 4");
    expect(data["text/html"]).toContain("<b>Tensor</b>");
  });

  it("resolves a shorthand property naming an earlier cell's variable", async () => {
    await kernel.execute("const earlierSeed = 7;", { timeoutMs: 30_000 });
    const result = await kernel.execute("const settings = { n: 100, earlierSeed };\nsettings", { timeoutMs: 30_000 });
    expect(result.reply.status).toBe("ok");
    const [value] = ofType(result.iopub, "execute_result");
    expect(value!.content.data).toMatchObject({ "text/plain": "{ n: 100, earlierSeed: 7 }" });
  });

  it("renders an object with [Symbol.for('Jupyter.display')] as its own bundle", async () => {
    const code =
      'const custom = { [Symbol.for("Jupyter.display")]() { return { "text/markdown": "**bold**", "application/json": { a: 1 } }; } };\ncustom';
    const result = await kernel.execute(code, { timeoutMs: 30_000 });
    const [value] = ofType(result.iopub, "execute_result");
    expect(value!.content.data).toMatchObject({ "text/markdown": "**bold**", "application/json": { a: 1 } });
  });
});

describe("protocol", () => {
  it("says incomplete for an unclosed block and invalid for a syntax error", async () => {
    const ask = async (code: string) => (await kernel.request("shell", "is_complete_request", { code }, 30_000)).reply;
    expect(await ask("for (let i = 0; i < 3; i++) {")).toMatchObject({ status: "incomplete" });
    expect(await ask("const x = 1;")).toMatchObject({ status: "complete" });
    expect(await ask("const = 1;")).toMatchObject({ status: "invalid" });
  });

  it("answers `name?` with the name's documentation as a pager payload", async () => {
    const result = await kernel.execute("Math.max?", { timeoutMs: 30_000 });
    expect(result.reply.status).toBe("ok");
    const [page] = result.reply.payload as { source: string; data: Record<string, string> }[];
    expect(page?.source).toBe("page");
    expect(page?.data["text/plain"]).toContain("Math.max(...values: number[]): number");
  });

  it("reports a value whose own display method fails as the cell's error", async () => {
    const code = 'const broken = { [Symbol.for("Jupyter.display")]() { return { "application/json": 42 }; } };\nbroken';
    const result = await kernel.execute(code, { timeoutMs: 30_000 });
    expect(result.reply).toMatchObject({ status: "error", ename: "DisplayBundleError" });
    expect(ofType(result.iopub, "error")).toHaveLength(1);
  });

  it("answers history", async () => {
    await kernel.execute("const remembered = 'history';", { timeoutMs: 30_000 });
    const { reply } = await kernel.request(
      "shell",
      "history_request",
      { hist_access_type: "tail", n: 1, output: false, raw: true },
      30_000,
    );
    expect(reply.status).toBe("ok");
    expect(reply.history).toEqual([[0, expect.any(Number), "const remembered = 'history';"]]);
  });

  it("interrupts a busy cell and keeps serving", async () => {
    const pending = kernel.execute("await new Promise<void>((done) => setTimeout(done, 60_000));", {
      timeoutMs: 120_000,
    });
    await new Promise((r) => setTimeout(r, 1_500));
    await kernel.interrupt();
    const result = await pending;
    expect(result.reply).toMatchObject({ status: "error", ename: "KernelInterrupt" });
    const after = await kernel.execute("1 + 1", { timeoutMs: 30_000 });
    expect(after.reply.status).toBe("ok");
  });

  it("interrupts a synchronous busy loop", async () => {
    const pending = kernel.execute("while (true) {}", { timeoutMs: 120_000 });
    await new Promise((r) => setTimeout(r, 1_500));
    await kernel.interrupt();
    const result = await pending;
    expect(result.reply.status).toBe("error");
    expect(String(result.reply.evalue)).toMatch(/interrupted/i);
  });
});
