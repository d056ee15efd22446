/**
 * Jupyter widgets (messaging protocol 2.1.0), as Jupyter's own client sees them on the wire:
 * comm_open to `jupyter.widget` with {state, buffer_paths} and metadata {version: "2.1.0"}, the
 * widget-view display bundle, a front end's update echoed and applied (observers fire), a kernel
 * update, a button click as a custom message, request_state, binary buffers both ways, the
 * Output widget's msg_id, and the control comm's update_states.
 */
import { describe, expect, it } from "vitest";
import { joinBuffers, splitBuffers } from "../../../src/kernel/widgets/buffers";
import { runKernelClient, sourcePath } from "./jupyter-requests";

interface CommMsg {
  readonly data: Record<string, unknown>;
  readonly buffers: string[];
}

describe("widget state buffers", () => {
  it("takes binary values out at their paths (null in lists, no key in objects) and puts them back", () => {
    const state = { a: 1, raw: new Uint8Array([1, 2]), nested: { list: [0, Buffer.from([3]), "x"] } };
    const split = splitBuffers(state);
    expect(split.state).toEqual({ a: 1, nested: { list: [0, null, "x"] } });
    expect(split.bufferPaths).toEqual([["raw"], ["nested", "list", 1]]);
    expect(split.buffers.map((b) => [...b])).toEqual([[1, 2], [3]]);
    const joined = joinBuffers(split.state, split.bufferPaths, split.buffers);
    expect([...(joined.raw as Buffer)]).toEqual([1, 2]);
    expect(((joined.nested as { list: unknown[] }).list[1] as Buffer)[0]).toBe(3);
    expect(() => joinBuffers({}, [["x"]], [])).toThrow(/1 buffer paths but 0 buffers/);
  });
});

describe("widgets, through jupyter_client", () => {
  it("speak the widget messaging protocol 2.1.0 both ways", async () => {
    const observed = await runKernelClient("widgets.py", [sourcePath("kernel", "widgets")]);
    const ids = observed.ids as Record<string, string>;
    const opens = observed.opens as {
      target: string;
      metadata: unknown;
      content_keys: string[];
      model: string;
      buffer_paths: unknown;
      buffers: string[];
    }[];
    // The protocol version is the message's metadata (as ipykernel sends it), not a content field.
    for (const open of opens)
      expect(open).toMatchObject({
        target: "jupyter.widget",
        metadata: { version: "2.1.0" },
        content_keys: ["comm_id", "data", "target_name"],
      });
    // Each DOM widget gets its own layout model, opened before the widget that references it.
    expect(opens.map((open) => open.model)).toEqual([
      "LayoutModel",
      "SliderStyleModel",
      "FloatSliderModel",
      "LayoutModel",
      "ButtonStyleModel",
      "ButtonModel",
      "LayoutModel",
      "OutputModel",
      "BlobModel",
    ]);
    expect(opens.at(-1)).toMatchObject({ buffer_paths: [["data"]], buffers: ["010203"] });
    const slider = observed.slider_state as Record<string, unknown>;
    expect(slider).toMatchObject({
      _model_module: "@jupyter-widgets/controls",
      _model_module_version: "2.0.0",
      _view_name: "FloatSliderView",
      value: 0.25,
      min: 0,
      max: 1,
      step: 0.05,
      description: "rate",
    });
    expect(slider.layout).toBe(`IPY_MODEL_${(observed.layout_ids as string[])[0]}`);

    const displays = observed.displays as Record<string, unknown>[];
    expect(displays.map((d) => d["application/vnd.jupyter.widget-view+json"])).toEqual([
      { model_id: ids.slider, version_major: 2, version_minor: 0 },
      { model_id: ids.button, version_major: 2, version_minor: 0 },
    ]);
    expect(String(displays[0]!["text/plain"])).toMatch(/^FloatSlider\(.*value=0.25/);

    expect(observed.frontend_update).toEqual([
      { data: { method: "echo_update", state: { value: 0.75 }, buffer_paths: [] }, buffers: [] },
    ]);
    expect(observed.after_frontend_update).toEqual(["0.75", "'[0.75]'"]);
    expect(observed.kernel_update).toEqual([
      { data: { method: "update", state: { value: 0.5 }, buffer_paths: [] }, buffers: [] },
    ]);
    expect(observed.clicks).toBe("1");
    const [full] = observed.request_state as CommMsg[];
    expect(full!.data.method).toBe("update");
    expect(full!.data.state).toEqual({ ...slider, value: 0.5 });

    expect(observed.binary_update).toEqual([
      { data: { method: "echo_update", state: {}, buffer_paths: [["data"]] }, buffers: ["0908"] },
    ]);
    expect(observed.binary_value).toBe("'0908'");

    const capture = observed.capture as { updates: CommMsg[]; cell: string; stream: string[] };
    expect(capture.updates.map((u) => u.data.state)).toEqual([{ msg_id: capture.cell }, { msg_id: "" }]);
    expect(capture.stream).toEqual(["captured\n"]);

    const control = observed.control as {
      method: string;
      ids: string[];
      slider: Record<string, unknown>;
      buffer_paths: unknown;
      buffers: string[];
    };
    expect(control.method).toBe("update_states");
    expect(control.ids).toHaveLength(9);
    expect(control.ids).toEqual(expect.arrayContaining(Object.values(ids)));
    expect(control.slider).toEqual({
      model_name: "FloatSliderModel",
      model_module: "@jupyter-widgets/controls",
      model_module_version: "2.0.0",
      state: { ...slider, value: 0.5 },
    });
    expect(control.buffer_paths).toEqual([[ids.blob, "state", "data"]]);
    expect(control.buffers).toEqual(["0908"]);
  }, 240_000);
});
