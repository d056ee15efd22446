/**
 * Every plotly figure of an executed notebook names its axes: for each figure output, the axes its
 * traces use (`xaxis`, `yaxis2`, …, or a 3-D scene's x, y and z) that have no title.
 */
import { PLOTLY_MIME } from "../src/display/plotly";

interface Output {
  readonly data?: Readonly<Record<string, unknown>>;
}
interface Cell {
  readonly outputs?: readonly Output[];
}
interface Figure {
  readonly data: readonly Readonly<Record<string, unknown>>[];
  readonly layout: Readonly<Record<string, unknown>>;
}

const THREE_D = new Set(["surface", "scatter3d", "mesh3d"]);

function axisTitle(axis: unknown): string {
  if (typeof axis !== "object" || axis === null) return "";
  const title = (axis as { title?: unknown }).title;
  if (typeof title === "string") return title;
  if (typeof title === "object" && title !== null && typeof (title as { text?: unknown }).text === "string")
    return (title as { text: string }).text;
  return "";
}

function figureTitle(layout: Readonly<Record<string, unknown>>): string {
  const title = layout.title;
  return typeof title === "string" ? title : axisTitle(layout) || "(untitled)";
}

/** The axes of one figure that lack a title. */
export function untitledAxes(fig: Figure): string[] {
  if (fig.data.some((trace) => THREE_D.has(String(trace.type)))) {
    const scene = (fig.layout.scene ?? {}) as Record<string, unknown>;
    return ["xaxis", "yaxis", "zaxis"].filter((axis) => axisTitle(scene[axis]) === "").map((axis) => `scene.${axis}`);
  }
  const axes = new Set<string>();
  for (const trace of fig.data) {
    axes.add(`xaxis${String(trace.xaxis ?? "x").slice(1)}`);
    axes.add(`yaxis${String(trace.yaxis ?? "y").slice(1)}`);
  }
  return [...axes].sort().filter((axis) => axisTitle(fig.layout[axis]) === "");
}

/** "cell N, figure "title": axes" for every figure in the notebook with an untitled axis. */
export function figuresWithUntitledAxes(notebook: { readonly cells: readonly Cell[] }): string[] {
  const problems: string[] = [];
  notebook.cells.forEach((cell, index) => {
    for (const output of cell.outputs ?? []) {
      const fig = output.data?.[PLOTLY_MIME] as Figure | undefined;
      if (fig === undefined) continue;
      const missing = untitledAxes(fig);
      if (missing.length > 0)
        problems.push(`cell ${index}, figure "${figureTitle(fig.layout)}": no title on ${missing.join(", ")}`);
    }
  });
  return problems;
}
