/**
 * Turning a kernel's iopub messages into notebook outputs (nbformat 4), as nbclient does:
 * consecutive stream text merged, `clear_output` honoured (also with wait=true), and
 * `update_display_data` replacing every earlier output shown under the same display_id,
 * in any cell of the notebook.
 */
import type { JupyterMessage } from "../jupyter";
import type { CellOutput, OutputData } from "./notebook";

type DisplayOutput = Extract<CellOutput, { output_type: "display_data" | "execute_result" }>;

/** Collects the outputs of a notebook's cells; one instance per notebook run. */
export class OutputCollector {
  private readonly byDisplayId = new Map<string, DisplayOutput[]>();

  /** Appends the outputs carried by `messages` to `outputs` (mutated in place: it is the cell's list). */
  collect(messages: readonly JupyterMessage[], outputs: CellOutput[]): void {
    let clearPending = false;
    for (const message of messages) {
      const content = message.content;
      const type = message.header.msg_type;
      if (type === "clear_output") {
        if (content.wait === true) clearPending = true;
        else outputs.length = 0;
        continue;
      }
      const output = this.toOutput(type, content);
      if (output === undefined) continue;
      if (clearPending) {
        outputs.length = 0;
        clearPending = false;
      }
      if (type === "update_display_data") continue;
      this.append(outputs, output);
    }
  }

  private toOutput(type: string, content: Record<string, unknown>): CellOutput | undefined {
    switch (type) {
      case "stream":
        return {
          output_type: "stream",
          name: content.name === "stderr" ? "stderr" : "stdout",
          text: String(content.text ?? ""),
        };
      case "error":
        return {
          output_type: "error",
          ename: String(content.ename ?? ""),
          evalue: String(content.evalue ?? ""),
          traceback: Array.isArray(content.traceback) ? content.traceback.map(String) : [],
        };
      case "execute_result":
      case "display_data":
      case "update_display_data":
        return this.displayOutput(type, content);
      default:
        return undefined;
    }
  }

  private displayOutput(type: string, content: Record<string, unknown>): CellOutput | undefined {
    const data = (content.data ?? {}) as OutputData;
    const metadata = (content.metadata ?? {}) as Record<string, unknown>;
    const displayId = (content.transient as { display_id?: unknown } | undefined)?.display_id;
    if (type === "update_display_data") {
      for (const shown of typeof displayId === "string" ? (this.byDisplayId.get(displayId) ?? []) : []) {
        shown.data = data;
        shown.metadata = metadata;
      }
      return { output_type: "display_data", data, metadata };
    }
    const output: DisplayOutput =
      type === "execute_result"
        ? {
            output_type: "execute_result",
            data,
            metadata,
            execution_count: Number(content.execution_count ?? 0) || null,
          }
        : { output_type: "display_data", data, metadata };
    if (typeof displayId === "string") {
      const list = this.byDisplayId.get(displayId) ?? [];
      list.push(output);
      this.byDisplayId.set(displayId, list);
    }
    return output;
  }

  private append(outputs: CellOutput[], output: CellOutput): void {
    const last = outputs[outputs.length - 1];
    if (output.output_type === "stream" && last?.output_type === "stream" && last.name === output.name) {
      last.text += output.text;
    } else {
      outputs.push(output);
    }
  }
}
