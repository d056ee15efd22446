import * as tf from "@tensorflow/tfjs";
import * as dfd from "danfojs-node";
import { beforeAll, describe, expect, it } from "vitest";
import { isDanfoFrame, table, toMimeBundle } from "../../../src/display";
import { expectWellFormed, text } from "./helpers";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** The cells of an HTML table's body rows, row by row. */
function bodyCells(html: string): string[][] {
  const body = /<tbody>([\s\S]*)<\/tbody>/.exec(html)![1]!;
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<t[hd]>([\s\S]*?)<\/t[hd]>/g)].map((cell) => cell[1]!),
  );
}

describe("arrays of records", () => {
  it("become a table with escaped cells, head and tail of a long array", async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({
      id: i,
      name: i === 0 ? "<script>alert(1)</script>" : `row ${i}`,
    }));
    const bundle = await toMimeBundle(rows);
    expectWellFormed(bundle);
    const html = text(bundle, "text/html");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>");
    expect(html).toContain("30 rows × 2 columns");
    const cells = bodyCells(html);
    expect(cells.map((row) => row[0])).toEqual(["0", "1", "2", "3", "4", "…", "25", "26", "27", "28", "29"]);
    expect(cells[6]).toEqual(["25", "25", "row 25"]);
    expect(text(bundle, "text/plain").split("\n").at(-1)).toBe("[30 rows × 2 columns]");
  });

  it("take the union of keys, tell missing, null and NaN apart, and align plain text", async () => {
    const bundle = await toMimeBundle([
      { a: 1.23456789, b: null },
      { a: NaN, c: "x" },
    ]);
    expectWellFormed(bundle);
    expect(bodyCells(text(bundle, "text/html"))).toEqual([
      ["0", "1.23457", "null", ""],
      ["1", "NaN", "", "x"],
    ]);
    expect(text(bundle, "text/plain").split("\n")).toEqual([
      "         a     b  c",
      "0  1.23457  null",
      "1      NaN        x",
      "[2 rows × 3 columns]",
    ]);
  });

  it("show the first and last columns of a wide table", async () => {
    const wide = [Object.fromEntries(Array.from({ length: 784 }, (_, i) => [`p${i}`, i]))];
    const html = text((await toMimeBundle(wide))!, "text/html");
    expect(html).toContain("1 rows × 784 columns");
    expect(bodyCells(html)[0]).toHaveLength(1 + 10 + 1 + 10);
    expect(bodyCells(html)[0]!.slice(9, 14)).toEqual(["8", "9", "…", "774", "775"]);
  });

  it("table(records) takes a caption and reads well in a script", async () => {
    const shown = table([{ k: "v" }], { caption: "probes <1>" });
    const bundle = await toMimeBundle(shown);
    expectWellFormed(bundle);
    expect(text(bundle, "text/html")).toContain("probes &lt;1&gt; · 1 rows × 1 columns");
    expect(String(shown)).toBe("[table: 1 rows]");
  });
});

describe("danfojs frames", () => {
  it("a DataFrame shows shape, dtypes, head and tail, escaping cells", async () => {
    const species = Array.from({ length: 12 }, (_, i) => (i % 2 ? "Adelie" : "<Gentoo>"));
    const df = new dfd.DataFrame(
      { species, mass: Array.from({ length: 12 }, (_, i) => 3000 + i * 0.5) },
      { index: Array.from({ length: 12 }, (_, i) => `r${i}`) },
    );
    expect(isDanfoFrame(df)).toBe(true);
    const bundle = await toMimeBundle(df);
    expectWellFormed(bundle);
    const html = text(bundle, "text/html");
    expect(html).toContain("DataFrame · 12 rows × 2 columns");
    expect(html).toContain(
      '<tr class="lepton-dtypes"><th><i>dtype</i></th><td><i>string</i></td><td><i>float32</i></td></tr>',
    );
    expect(html).toContain("&lt;Gentoo&gt;");
    expect(html).not.toContain("<Gentoo>");
    const cells = bodyCells(html);
    expect(cells[0]).toEqual(["r0", "&lt;Gentoo&gt;", "3000"]);
    expect(cells[5]!.every((cell) => cell === "…")).toBe(true);
    expect(cells.at(-1)).toEqual(["r11", "Adelie", "3005.5"]);
    const plain = text(bundle, "text/plain");
    expect(plain).toContain("dtype    string  float32");
    expect(plain.split("\n").at(-1)).toBe("[DataFrame · 12 rows × 2 columns]");
  });

  it("a Series shows its name, dtype and values", async () => {
    const df = new dfd.DataFrame({ a: [1, 2, 3], b: ["x", "y", "z"] });
    const series = df.column("a");
    const bundle = await toMimeBundle(series);
    expectWellFormed(bundle);
    const html = text(bundle, "text/html");
    expect(html).toContain("Series · 3 rows × 1 columns");
    expect(html).toContain("<th>a</th>");
    expect(bodyCells(html)).toEqual([
      ["0", "1"],
      ["1", "2"],
      ["2", "3"],
    ]);
  });

  it("is not confused with objects that merely have a shape", () => {
    expect(isDanfoFrame({ shape: [1, 1], values: [[1]], index: [0], columns: ["a"], dtypes: ["int32"] })).toBe(false);
  });
});
