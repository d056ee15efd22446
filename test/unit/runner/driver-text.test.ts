import { describe, expect, it } from "vitest";
import { findDriverText } from "../../../src/runner/driver-text";
import type { CellOutput, Notebook } from "../../../src/runner/notebook";

const notebookWith = (...outputs: CellOutput[][]): Notebook => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: outputs.map((list, i) => ({
    id: `c${i}`,
    cell_type: "code",
    source: "",
    metadata: {},
    outputs: list,
    execution_count: i + 1,
  })),
});

const stream = (text: string): CellOutput => ({ output_type: "stream", name: "stdout", text });

describe("driver text in notebook outputs", () => {
  it("passes the backend line, which names Dawn and Vulkan itself", () => {
    const notebook = notebookWith([
      stream(
        "backend: webgpu (Dawn (Vulkan), software adapter) · device: google swiftshader SwiftShader driver 5.0.0\n",
      ),
    ]);
    expect(findDriverText(notebook)).toEqual([]);
  });

  it("finds Dawn's warnings, the runtime-dir complaint and loader messages, naming the cell", () => {
    const notebook = notebookWith(
      [stream("epoch 1\n")],
      [stream("Warning: Vulkan shaderUniformBufferArrayDynamicIndexing required\n    at CheckVkFeatures\n")],
      [
        {
          output_type: "error",
          ename: "Error",
          evalue: "boom",
          traceback: ["error: XDG_RUNTIME_DIR is invalid or not set in the environment."],
        },
      ],
      [
        {
          output_type: "display_data",
          data: { "text/plain": "ERROR: [Loader Message] Code 0 : vkCreateInstance failed" },
          metadata: {},
        },
      ],
    );
    const findings = findDriverText(notebook);
    expect(findings.map((f) => f.cellId)).toEqual(["c1", "c2", "c3"]);
    expect(findings[0]!.line).toBe("Warning: Vulkan shaderUniformBufferArrayDynamicIndexing required");
  });

  it("reads text and JSON outputs, never base64 images", () => {
    const notebook = notebookWith([
      {
        output_type: "display_data",
        data: {
          "image/png": "iVBORvkCreateDeviceXDG_RUNTIME_DIR",
          "text/html": '<img src="data:image/png;base64,iVBORvkCreateDevice+/=">',
          "text/plain": "image grid",
        },
        metadata: {},
      },
    ]);
    expect(findDriverText(notebook)).toEqual([]);
  });
});
