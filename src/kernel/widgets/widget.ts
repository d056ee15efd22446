/**
 * The kernel side of a Jupyter widget (widget messaging protocol 2.1.0, ipywidgets 8 /
 * JupyterLab 4): a model whose state is synchronised with its front-end twin over a comm to the
 * `jupyter.widget` target. The kernel opens the comm with the full state; either side then sends
 * `update` messages with the keys that changed; the kernel echoes each front-end update back as
 * `echo_update` (so every connected front end agrees), answers `request_state` with the full
 * state, and exchanges `custom` messages (a button's click). Observers fire on changes from
 * either side. A widget displays as `application/vnd.jupyter.widget-view+json`.
 */
import { isDeepStrictEqual } from "node:util";
import { currentSink, JUPYTER_DISPLAY, type MimeBundle } from "../../display/sink";
import { kernelComms, type Comm, type CommMessage } from "../server/comms";
import { joinBuffers, splitBuffers, type BufferPath } from "./buffers";
import { LeptonError } from "../../errors";

/** The comm target of widget models. */
export const WIDGET_TARGET = "jupyter.widget";
/** The comm target through which a front end asks for every widget's state at once. */
export const CONTROL_TARGET = "jupyter.widget.control";
/** The widget messaging protocol spoken here. */
export const WIDGET_PROTOCOL_VERSION = "2.1.0";
/** The MIME type of a widget's view in display_data. */
export const WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json";

const MODEL_PREFIX = "IPY_MODEL_";
const SUMMARY_KEYS = ["description", "value", "min", "max"];
const LIVE_KEY = Symbol.for("lepton.kernel.widgets.live");

/** The keys every widget model's state has (protocol 2, "Widget state"). */
export interface ModelKeys {
  readonly _model_module: string;
  readonly _model_module_version: string;
  readonly _model_name: string;
  readonly _view_module: string | null;
  readonly _view_module_version: string;
  readonly _view_name: string | null;
}

/** One change of a state key, as observers receive it. */
export interface Change<K extends PropertyKey, V> {
  readonly name: K;
  readonly old: V;
  readonly new: V;
}

/** Raised for a widget message that cannot work (an unknown method, bad buffer paths). */
export class WidgetError extends LeptonError {}

/** The kernel's live widgets by model id (one map, even when cells load a second copy of this module). */
export function liveWidgets(): Map<string, Widget<ModelKeys>> {
  const holder = globalThis as { [LIVE_KEY]?: Map<string, Widget<ModelKeys>> };
  if (holder[LIVE_KEY] === undefined) {
    holder[LIVE_KEY] = new Map();
    serveControlComm(holder[LIVE_KEY]);
  }
  return holder[LIVE_KEY];
}

/** Widgets in state become `IPY_MODEL_<id>` references on the wire. */
function toWire(value: unknown): unknown {
  if (value instanceof Widget) return `${MODEL_PREFIX}${value.id}`;
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toWire(item)]));
  }
  return value;
}

/** `IPY_MODEL_<id>` references from the wire become the live widgets they name. */
function fromWire(value: unknown): unknown {
  if (typeof value === "string" && value.startsWith(MODEL_PREFIX))
    return liveWidgets().get(value.slice(MODEL_PREFIX.length)) ?? value;
  if (Array.isArray(value)) return value.map(fromWire);
  if (value !== null && typeof value === "object" && !Buffer.isBuffer(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fromWire(item)]));
  }
  return value;
}

/** The `jupyter.widget.control` target: `request_states` is answered with every live widget's state. */
function serveControlComm(live: Map<string, Widget<ModelKeys>>): void {
  kernelComms().registerTarget(CONTROL_TARGET, (comm) => {
    comm.onMessage = ({ data }) => {
      if (data.method !== "request_states") return;
      const states = Object.fromEntries(
        [...live].map(([id, widget]) => {
          const state = widget.fullState();
          return [
            id,
            {
              model_name: state._model_name,
              model_module: state._model_module,
              model_module_version: state._model_module_version,
              state: toWire(state),
            },
          ];
        }),
      );
      const split = splitBuffers(states);
      comm.send({ method: "update_states", states: split.state, buffer_paths: split.bufferPaths }, split.buffers);
    };
  });
}

/** A widget model of state `S`, synchronised with its front-end twin. */
export class Widget<S extends ModelKeys> {
  /** The comm, whose id is the model id. */
  readonly comm: Comm;
  private readonly state: S;
  // Keyed loosely so that a Widget<SliderState> is also a Widget<ModelKeys> (children, the live map).
  private readonly observers = new Map<PropertyKey, Set<(change: Change<PropertyKey, unknown>) => void>>();
  private readonly customHandlers = new Set<(content: unknown, buffers: readonly Buffer[]) => unknown>();
  /** While a front-end update is applied: its values, which need no `update` back. */
  private received: Map<string, unknown> | undefined;

  constructor(state: S) {
    const live = liveWidgets();
    this.state = { ...state };
    const split = splitBuffers(toWire(this.state) as Record<string, unknown>);
    this.comm = kernelComms().open(
      WIDGET_TARGET,
      { state: split.state, buffer_paths: split.bufferPaths },
      split.buffers,
      { version: WIDGET_PROTOCOL_VERSION },
    );
    this.comm.onMessage = (message) => this.receive(message);
    this.comm.onClose = () => live.delete(this.id);
    live.set(this.id, this as unknown as Widget<ModelKeys>);
  }

  /** The model id (the comm id), as front ends name the model. */
  get id(): string {
    return this.comm.id;
  }

  /** The current value of a state key. */
  get<K extends keyof S>(key: K): S[K] {
    return this.state[key];
  }

  /** A copy of the whole state. */
  fullState(): S {
    return { ...this.state };
  }

  /** Changes state keys: the front end gets an `update` with the keys that changed, and observers fire. */
  set(patch: Partial<S>): void {
    const sent: Record<string, unknown> = {};
    const changes: Change<PropertyKey, unknown>[] = [];
    for (const [key, value] of Object.entries(patch) as [keyof S & string, unknown][]) {
      const old = this.state[key];
      if (isDeepStrictEqual(old, value)) continue;
      (this.state as Record<string, unknown>)[key] = value;
      changes.push({ name: key, old, new: value });
      // A front end's own value is not sent back; a different one (an observer's correction) is.
      const echo = this.received;
      if (echo === undefined || !echo.has(key) || !isDeepStrictEqual(echo.get(key), value)) sent[key] = value;
    }
    if (Object.keys(sent).length > 0) this.sendState("update", sent);
    for (const change of changes) this.notify(change);
  }

  /** Calls `handler` after each change of `key` (or of any key, with "*"); returns the unsubscribe. */
  observe<K extends keyof S>(key: K | "*", handler: (change: Change<K, S[K]>) => void): () => void {
    const handlers = this.observers.get(key) ?? new Set();
    this.observers.set(key, handlers);
    const entry = handler as (change: Change<PropertyKey, unknown>) => void;
    handlers.add(entry);
    return () => handlers.delete(entry);
  }

  /** Calls `handler` for each `custom` message from the front end; returns the unsubscribe. */
  onCustom(handler: (content: unknown, buffers: readonly Buffer[]) => unknown): () => void {
    this.customHandlers.add(handler);
    return () => this.customHandlers.delete(handler);
  }

  /** Sends a `custom` message to the front end. */
  send(content: unknown, buffers: readonly Buffer[] = []): void {
    this.comm.send({ method: "custom", content }, buffers);
  }

  /** Shows the widget under the current cell (or prints its text outside a kernel). */
  display(): void {
    const sink = currentSink();
    if (sink === undefined) console.log(this.toString());
    else sink.display(this[JUPYTER_DISPLAY]());
  }

  /** The widget's view as a display bundle, with a text fallback for viewers without widgets. */
  [JUPYTER_DISPLAY](): MimeBundle {
    return {
      [WIDGET_VIEW_MIME]: { model_id: this.id, version_major: 2, version_minor: 0 },
      "text/plain": this.toString(),
    };
  }

  /** Closes the comm: the front end drops the model and its views. */
  close(): void {
    this.comm.close();
    liveWidgets().delete(this.id);
  }

  /** `Name(description=…, value=…)`, and a box's children: the text a viewer without widgets shows. */
  toString(): string {
    const state = this.state as Record<string, unknown>;
    const shown = SUMMARY_KEYS.filter((key) => key in state && state[key] !== "").map(
      (key) => `${key}=${JSON.stringify(state[key])}`,
    );
    const children = Array.isArray(state.children) ? state.children.map(String) : [];
    return `${this.state._model_name.replace(/Model$/, "")}(${[...shown, ...children].join(", ")})`;
  }

  private sendState(method: "update" | "echo_update", state: Record<string, unknown>): void {
    const split = splitBuffers(toWire(state) as Record<string, unknown>);
    this.comm.send({ method, state: split.state, buffer_paths: split.bufferPaths }, split.buffers);
  }

  private notify(change: Change<PropertyKey, unknown>): void {
    for (const key of [change.name, "*"] as const) for (const handler of this.observers.get(key) ?? []) handler(change);
  }

  private receive({ data, buffers }: CommMessage): void {
    switch (data.method) {
      case "update": {
        const joined = joinBuffers(
          (data.state ?? {}) as Record<string, unknown>,
          (data.buffer_paths ?? []) as BufferPath[],
          buffers,
        );
        const known = Object.fromEntries(Object.entries(joined).filter(([key]) => key in this.state));
        // Protocol 2.1.0: the kernel echoes a front end's update to every front end, before applying it.
        if (Object.keys(known).length > 0) this.sendState("echo_update", known);
        const patch = fromWire(known) as Partial<S>;
        this.received = new Map(Object.entries(patch));
        try {
          this.set(patch);
        } finally {
          this.received = undefined;
        }
        return;
      }
      case "request_state":
        return this.sendState("update", this.state as Record<string, unknown>);
      case "custom":
        for (const handler of this.customHandlers) {
          const result = handler(data.content, buffers);
          if (result instanceof Promise)
            result.catch((error: unknown) =>
              console.error(`${this.state._model_name} ${this.id}: a custom message handler failed:`, error),
            );
        }
        return;
      default:
        throw new WidgetError(
          `${this.state._model_name} ${this.id}: unknown widget message method ${JSON.stringify(data.method)}`,
        );
    }
  }
}
