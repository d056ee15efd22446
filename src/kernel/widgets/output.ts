/**
 * The Output widget (@jupyter-widgets/output 1.0.0): a front end shows, inside the widget, every
 * output whose parent is the request named by the model's `msg_id`. `capture()` sets it to the
 * running cell's execute_request while its work runs, as ipywidgets' `with out:` does; the
 * outputs themselves are published as usual.
 */
import { currentOutputParent } from "../server/cell-context";
import { Layout, type DomKeys, type LayoutProperties } from "./controls";
import { Widget, WidgetError } from "./widget";

/** State of an Output widget. */
export interface OutputState extends DomKeys {
  readonly msg_id: string;
  readonly outputs: readonly Record<string, unknown>[];
}

/** A widget that shows the outputs of the work it captures. */
export class Output extends Widget<OutputState> {
  constructor(options: { readonly layout?: LayoutProperties } = {}) {
    super({
      _model_module: "@jupyter-widgets/output",
      _model_module_version: "1.0.0",
      _model_name: "OutputModel",
      _view_module: "@jupyter-widgets/output",
      _view_module_version: "1.0.0",
      _view_name: "OutputView",
      _dom_classes: [],
      layout: new Layout(options.layout),
      tabbable: null,
      tooltip: null,
      msg_id: "",
      outputs: [],
    });
  }

  /** Runs `work` with the outputs of the current cell shown in this widget; resolves with its result. */
  async capture<T>(work: () => T | Promise<T>): Promise<T> {
    const parent = currentOutputParent();
    if (parent === undefined) throw new WidgetError("Output.capture needs a running cell");
    const previous = this.get("msg_id");
    this.set({ msg_id: parent.msg_id });
    try {
      return await work();
    } finally {
      this.set({ msg_id: previous });
    }
  }

  /** Clears what the widget shows. */
  clear(): void {
    this.set({ outputs: [] });
  }
}
