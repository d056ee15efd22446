/**
 * The training-progress widget's Stop button, clicked by Jupyter's own client while `fit` runs in
 * a cell: the click is handled while the cell still runs, fit returns `stopped` with the button's
 * reason at the next batch, the history and the last checkpoint hold the same whole epochs, and no
 * tensor is left behind.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runKernelClient, sourcePath } from "./jupyter-requests";
const checkpoints = mkdtempSync(join(tmpdir(), "lepton-stop-"));
afterAll(() => rmSync(checkpoints, { recursive: true, force: true }));

describe("training-progress widget, through jupyter_client", () => {
  it("ends fit cleanly at the next batch when its Stop button is clicked", async () => {
    const observed = await runKernelClient("training_stop.py", [sourcePath(), checkpoints]);
    expect(observed.display_is_box).toBe(true);
    expect(observed.box_children).toBe(3);
    expect(observed.click_handled_while_running).toBe(true);
    expect(observed.click_updates).toEqual([{ disabled: true, description: "Stopping…" }]);
    expect(observed.reply).toBe("ok");
    const result = observed.result as {
      stopped: { epoch: number; batch: number; reason: string };
      epochs: number;
      lossEpochs: number;
      checkpointEpoch: number;
      leaked: number;
      label: string;
      button: boolean;
    };
    expect(result.stopped.reason).toBe("stopped from the Stop button");
    // Stopped within the epoch after the click: two whole epochs had ended when it was sent.
    expect(result.epochs).toBeGreaterThanOrEqual(2);
    expect(result.epochs).toBeLessThan(100_000);
    expect(result.stopped.epoch).toBe(result.epochs);
    expect(result.lossEpochs).toBe(result.epochs);
    expect(result.checkpointEpoch).toBe(result.epochs);
    expect(result.leaked).toBe(0);
    expect(result.label).toBe(
      `${result.epochs}/100000 epochs · stopped in epoch ${result.stopped.epoch + 1} by the Stop button`,
    );
    expect(result.button).toBe(true);
  }, 240_000);
});
