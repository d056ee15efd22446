/**
 * The browser side of the widget test, bundled by esbuild: ipywidgets 8's own front end
 * (@jupyter-widgets/html-manager, which carries controls and output) with a comm that forwards
 * what the widgets send to `window.leptonCommSend` (the test's bridge to the kernel) and receives
 * the kernel's comm messages through `window.leptonWidgets.receive`.
 */
// The manager alone: the package index also loads the embedding script, which expects webpack.
import { HTMLManager } from "@jupyter-widgets/html-manager/lib/htmlmanager";

type Json = Record<string, unknown>;
interface WireMessage {
  readonly content: Json;
  readonly metadata: Json;
  readonly buffers: DataView[];
}
interface Callbacks {
  readonly iopub?: { readonly status?: (message: { content: { execution_state: string } }) => void };
}

declare global {
  interface Window {
    leptonCommSend(commId: string, data: unknown, buffers: string[]): Promise<void>;
    leptonWidgets: {
      receive(kind: string, content: Json, metadata: Json, buffers: string[]): Promise<void>;
      display(modelId: string): Promise<void>;
      value(modelId: string, key: string): Promise<unknown>;
    };
  }
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** A comm whose far end is the kernel, through the test's bridge. */
class BridgedComm {
  private onMessage: ((message: WireMessage) => void) | undefined;
  private onClosed: ((message: WireMessage) => void) | undefined;

  constructor(
    readonly comm_id: string,
    readonly target_name: string,
  ) {}

  open(): string {
    return "";
  }

  send(data: unknown, callbacks?: Callbacks, _metadata?: Json, buffers?: (ArrayBuffer | ArrayBufferView)[]): string {
    const encoded = (buffers ?? []).map((buffer) =>
      toBase64(
        buffer instanceof ArrayBuffer
          ? new Uint8Array(buffer)
          : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength),
      ),
    );
    // The model counts messages in flight until the kernel reports idle for them.
    void window
      .leptonCommSend(this.comm_id, data, encoded)
      .then(() => callbacks?.iopub?.status?.({ content: { execution_state: "idle" } }));
    return "";
  }

  close(): string {
    return "";
  }

  on_msg(callback: (message: WireMessage) => void): void {
    this.onMessage = callback;
  }

  on_close(callback: (message: WireMessage) => void): void {
    this.onClosed = callback;
  }

  deliver(message: WireMessage): void {
    this.onMessage?.(message);
  }

  closed(message: WireMessage): void {
    this.onClosed?.(message);
  }
}

const manager = new HTMLManager();
const comms = new Map<string, BridgedComm>();

window.leptonWidgets = {
  async receive(kind, content, metadata, buffers) {
    const message: WireMessage = { content, metadata, buffers: buffers.map((b) => new DataView(fromBase64(b).buffer)) };
    const id = String(content.comm_id);
    if (kind === "comm_open") {
      const comm = new BridgedComm(id, String(content.target_name));
      comms.set(id, comm);
      await manager.handle_comm_open(comm as never, message as never);
    } else if (kind === "comm_msg") comms.get(id)?.deliver(message);
    else if (kind === "comm_close") comms.get(id)?.closed(message);
  },
  async display(modelId) {
    const model = await manager.get_model(modelId);
    const view = await manager.create_view(model);
    const area = document.createElement("div");
    area.className = "lepton-widget-area";
    document.body.appendChild(area);
    await manager.display_view(view, area);
  },
  async value(modelId, key) {
    return (await manager.get_model(modelId)).get(key);
  },
};
