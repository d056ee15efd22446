import { describe, expect, it } from "vitest";
import type { CellOutput } from "../../../src/runner/notebook";
import { OutputCollector } from "../../../src/runner/outputs";
import type { JupyterMessage } from "../../../src/jupyter";

function message(msgType: string, content: Record<string, unknown>): JupyterMessage {
  return {
    identities: [],
    header: { msg_id: "m", session: "s", username: "u", date: "", msg_type: msgType, version: "5.3" },
    parent_header: {},
    metadata: {},
    content,
    buffers: [],
  };
}

describe("OutputCollector", () => {
  it("merges consecutive stream text of the same stream only", () => {
    const outputs: CellOutput[] = [];
    new OutputCollector().collect(
      [
        message("stream", { name: "stdout", text: "a" }),
        message("stream", { name: "stdout", text: "b" }),
        message("stream", { name: "stderr", text: "c" }),
        message("stream", { name: "stdout", text: "d" }),
      ],
      outputs,
    );
    expect(outputs).toEqual([
      { output_type: "stream", name: "stdout", text: "ab" },
      { output_type: "stream", name: "stderr", text: "c" },
      { output_type: "stream", name: "stdout", text: "d" },
    ]);
  });

  it("keeps execute_result with its count and error with its traceback", () => {
    const outputs: CellOutput[] = [];
    new OutputCollector().collect(
      [
        message("execute_result", { data: { "text/plain": "42" }, metadata: {}, execution_count: 3 }),
        message("error", { ename: "Error", evalue: "boom", traceback: ["Error: boom", "    at cell:1:7"] }),
      ],
      outputs,
    );
    expect(outputs[0]).toEqual({
      output_type: "execute_result",
      data: { "text/plain": "42" },
      metadata: {},
      execution_count: 3,
    });
    expect(outputs[1]).toEqual({
      output_type: "error",
      ename: "Error",
      evalue: "boom",
      traceback: ["Error: boom", "    at cell:1:7"],
    });
  });

  it("replaces a display in an earlier cell on update_display_data", () => {
    const collector = new OutputCollector();
    const first: CellOutput[] = [];
    const second: CellOutput[] = [];
    collector.collect(
      [message("display_data", { data: { "text/plain": "0%" }, metadata: {}, transient: { display_id: "bar" } })],
      first,
    );
    collector.collect(
      [
        message("update_display_data", {
          data: { "text/plain": "100%" },
          metadata: {},
          transient: { display_id: "bar" },
        }),
      ],
      second,
    );
    expect(first).toEqual([{ output_type: "display_data", data: { "text/plain": "100%" }, metadata: {} }]);
    expect(second).toEqual([]);
  });

  it("clears outputs, at once or at the next output with wait=true", () => {
    const outputs: CellOutput[] = [];
    const collector = new OutputCollector();
    collector.collect(
      [message("stream", { name: "stdout", text: "a" }), message("clear_output", { wait: false })],
      outputs,
    );
    expect(outputs).toEqual([]);
    collector.collect(
      [
        message("stream", { name: "stdout", text: "b" }),
        message("clear_output", { wait: true }),
        message("stream", { name: "stdout", text: "c" }),
      ],
      outputs,
    );
    expect(outputs).toEqual([{ output_type: "stream", name: "stdout", text: "c" }]);
  });

  it("ignores messages that are not outputs", () => {
    const outputs: CellOutput[] = [];
    new OutputCollector().collect(
      [message("execute_input", { code: "1" }), message("status", { execution_state: "busy" })],
      outputs,
    );
    expect(outputs).toEqual([]);
  });
});
