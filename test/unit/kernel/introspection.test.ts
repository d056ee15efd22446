/**
 * Introspection through jupyter_client: `x?` / inspect at detail 0 give the signature and
 * documentation, `x??` / detail 1 add the definition's source, from an earlier cell or a library
 * file; completions carry their kind and signature, prefix matches first, and no DOM globals.
 */
import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { askKernel, type ExecuteAnswer } from "./jupyter-requests";

const NOTEBOOKS = resolve(__dirname, "..", "..", "..", "notebooks");

interface InspectReply {
  readonly status: string;
  readonly found: boolean;
  readonly data: Record<string, string>;
}

const pageText = (answer: unknown) =>
  ((answer as ExecuteAnswer).reply.payload as { data: Record<string, string> }[])[0]?.data["text/plain"] ?? "";

describe("introspection, through jupyter_client", () => {
  let answers: unknown[];
  const library = 'import { bySize } from "../src/config";\nbySize';
  beforeAll(async () => {
    answers = await askKernel(
      [
        {
          execute:
            "/** Halves a number. */\nfunction halve(n: number): number {\n  return n / 2;\n}\nconst unrelated = 1;",
        },
        { inspect: "halve", cursor: 5, detail: 0 },
        { inspect: "halve", cursor: 5, detail: 1 },
        { inspect: library, cursor: library.length, detail: 1 },
        { execute: "halve?" },
        { execute: "halve??" },
      ],
      NOTEBOOKS,
    );
  }, 300_000);

  it("shows the signature and documentation at detail 0, without the source", () => {
    const reply = answers[1] as InspectReply;
    expect(reply).toMatchObject({ status: "ok", found: true });
    expect(reply.data["text/plain"]).toContain("function halve(n: number): number");
    expect(reply.data["text/plain"]).toContain("Halves a number.");
    expect(reply.data["text/plain"]).not.toContain("return n / 2");
  });

  it("adds the definition's source at detail 1: an earlier cell's, a library file's with its place", () => {
    const cell = (answers[2] as InspectReply).data["text/plain"]!;
    expect(cell).toContain("Source (an earlier cell)");
    expect(cell).toContain("return n / 2;");
    expect(cell).not.toContain("unrelated");
    const file = (answers[3] as InspectReply).data["text/plain"]!;
    expect(file).toMatch(/Source \(src\/config\.ts:\d+\)/);
    expect(file).toContain("export function bySize");
  });

  it("pages `halve?` without the source and `halve??` with it", () => {
    expect(pageText(answers[4])).toContain("function halve(n: number): number");
    expect(pageText(answers[4])).not.toContain("return n / 2");
    expect(pageText(answers[5])).toContain("return n / 2;");
  });
});

interface CompleteReply {
  readonly status: string;
  readonly matches: string[];
  readonly cursor_start: number;
  readonly cursor_end: number;
  readonly metadata: {
    _jupyter_types_experimental?: { start: number; end: number; text: string; type: string; signature: string }[];
  };
}

describe("completions, through jupyter_client", () => {
  let answers: unknown[];
  beforeAll(async () => {
    answers = await askKernel(
      [
        { execute: "const alphabet = 1;\nfunction betaAlpha(x: number): string {\n  return String(x);\n}" },
        { complete: "alph", cursor: 4 },
        { complete: "docu", cursor: 4 },
      ],
      NOTEBOOKS,
    );
  }, 300_000);

  it("puts prefix matches before substring matches, each typed with its kind and signature", () => {
    const reply = answers[1] as CompleteReply;
    expect(reply).toMatchObject({ status: "ok", cursor_start: 0, cursor_end: 4 });
    expect(reply.matches.indexOf("alphabet")).toBe(0);
    expect(reply.matches).toContain("betaAlpha");
    const types = reply.metadata._jupyter_types_experimental!;
    expect(types.map((t) => t.text)).toEqual(reply.matches);
    expect(types.find((t) => t.text === "alphabet")).toEqual({
      start: 0,
      end: 4,
      text: "alphabet",
      type: "const",
      signature: "",
    });
    expect(types.find((t) => t.text === "betaAlpha")).toEqual({
      start: 0,
      end: 4,
      text: "betaAlpha",
      type: "function",
      signature: "(x: number): string",
    });
  });

  it("offers no DOM globals", () => {
    const reply = answers[2] as CompleteReply;
    expect(reply.status).toBe("ok");
    expect(reply.matches).not.toContain("document");
  });
});
