/**
 * Outputs belong to the cell that made them, as Jupyter's own client sees it: an un-awaited
 * display, a timer's late output while another cell runs, and output after a completion request.
 */
import { describe, expect, it } from "vitest";
import { runKernelClient, sourcePath } from "./jupyter-requests";

interface Observed {
  readonly cells: Record<string, string>;
  readonly outputs: ReadonlyArray<{ index: number; type: string; parent: string; text: string }>;
  readonly idle: Record<string, number>;
}

describe("output parents, through jupyter_client", () => {
  it("parents every output to the execute_request whose code started it", async () => {
    const observed = await runKernelClient<Observed>("output_parents.py", [sourcePath("display")], {
      timeoutMs: 280_000,
    });
    const outputOf = (needle: string) => {
      const found = observed.outputs.filter((o) => o.text.includes(needle));
      expect(found, `one output containing "${needle}" in ${JSON.stringify(observed.outputs)}`).toHaveLength(1);
      return found[0]!;
    };

    const display = outputOf("from the un-awaited cell");
    expect(display.type).toBe("display_data");
    expect(display.parent).toBe(observed.cells.unawaited);
    expect(display.index).toBeLessThan(observed.idle[observed.cells.unawaited!]!);

    expect(outputOf("the busy cell").parent).toBe(observed.cells.busy);
    const late = outputOf("late output from the timer cell");
    expect(late.parent).toBe(observed.cells.timer);
    expect(late.index).toBeLessThan(observed.idle[observed.cells.busy!]!); // it arrived while the busy cell ran

    expect(outputOf("after the completion").parent).toBe(observed.cells.before_complete);
  }, 300_000);
});
