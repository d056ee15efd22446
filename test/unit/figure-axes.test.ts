import { describe, expect, it } from "vitest";
import { PLOTLY_MIME } from "../../src/display/plotly";
import { figuresWithUntitledAxes, untitledAxes } from "../figure-axes";

describe("figure axis titles", () => {
  it("names the axes without a title, including a second y axis and a 3-D scene", () => {
    expect(
      untitledAxes({
        data: [{ type: "scatter" }],
        layout: { xaxis: { title: { text: "epoch" } }, yaxis: { title: "loss" } },
      }),
    ).toEqual([]);
    expect(untitledAxes({ data: [{ type: "heatmap" }], layout: { xaxis: { title: { text: "" } } } })).toEqual([
      "xaxis",
      "yaxis",
    ]);
    expect(
      untitledAxes({
        data: [{ type: "scatter" }, { type: "scatter", yaxis: "y2" }],
        layout: { xaxis: { title: "x" }, yaxis: { title: "a" } },
      }),
    ).toEqual(["yaxis2"]);
    expect(
      untitledAxes({
        data: [{ type: "surface" }],
        layout: { scene: { xaxis: { title: "w" }, yaxis: { title: "b" } } },
      }),
    ).toEqual(["scene.zaxis"]);
  });

  it("reports the cell and the figure's title", () => {
    const notebook = {
      cells: [
        { outputs: [{ data: { "text/plain": "no figure" } }] },
        {
          outputs: [
            {
              data: { [PLOTLY_MIME]: { data: [{ type: "bar" }], layout: { title: "Counts", yaxis: { title: "n" } } } },
            },
          ],
        },
      ],
    };
    expect(figuresWithUntitledAxes(notebook)).toEqual(['cell 1, figure "Counts": no title on xaxis']);
  });
});
