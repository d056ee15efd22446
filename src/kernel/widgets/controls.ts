/**
 * Core widgets with the model state of ipywidgets 8 (@jupyter-widgets/base 2.0.0,
 * @jupyter-widgets/controls 2.0.0): a layout and a style model for each DOM widget, as ipywidgets
 * itself creates them, and FloatSlider, FloatProgress, Label, Button (its clicks arrive as `custom`
 * {event: "click"} messages), HBox and VBox.
 */
import { Widget, type ModelKeys } from "./widget";

const BASE = "@jupyter-widgets/base";
const CONTROLS = "@jupyter-widgets/controls";
const VERSION = "2.0.0";

/** Model and view keys of a controls widget. */
function controls(model: string, view: string | null): ModelKeys {
  return {
    _model_module: CONTROLS,
    _model_module_version: VERSION,
    _model_name: model,
    _view_module: CONTROLS,
    _view_module_version: VERSION,
    _view_name: view,
  };
}

/** CSS properties of a widget's box (the subset most used; the front end defaults the others). */
export interface LayoutProperties {
  readonly width?: string | null;
  readonly height?: string | null;
  readonly margin?: string | null;
  readonly padding?: string | null;
  readonly border?: string | null;
  readonly display?: string | null;
  readonly flex?: string | null;
  readonly align_items?: string | null;
  readonly justify_content?: string | null;
  readonly visibility?: string | null;
}

/** A widget whose `value` both the kernel and the front end change: read and set it as a property. */
abstract class ValueWidget<S extends ModelKeys & { readonly value: unknown }> extends Widget<S> {
  get value(): S["value"] {
    return this.get("value");
  }

  set value(value: S["value"]) {
    this.set({ value } as Partial<S>);
  }
}

/** A widget's layout (CSS box) model. */
export class Layout extends Widget<ModelKeys & LayoutProperties> {
  constructor(properties: LayoutProperties = {}) {
    super({
      _model_module: BASE,
      _model_module_version: VERSION,
      _model_name: "LayoutModel",
      _view_module: BASE,
      _view_module_version: VERSION,
      _view_name: "LayoutView",
      ...properties,
    });
  }
}

/** A widget's style model (colours, description width), viewed by the base StyleView. */
export class Style<P extends object> extends Widget<ModelKeys & P> {
  constructor(model: string, properties: P) {
    super({ ...controls(model, "StyleView"), _view_module: BASE, ...properties });
  }
}

/** Keys of every DOM widget. */
export interface DomKeys extends ModelKeys {
  readonly _dom_classes: readonly string[];
  readonly layout: Layout;
  readonly tabbable: boolean | null;
  readonly tooltip: string | null;
}

/** Keys of widgets with a description label. */
export interface DescriptionKeys<P extends object> extends DomKeys {
  readonly description: string;
  readonly description_allow_html: boolean;
  readonly style: Style<P>;
}

function dom(model: string, view: string, layout?: LayoutProperties): DomKeys {
  return { ...controls(model, view), _dom_classes: [], layout: new Layout(layout), tabbable: null, tooltip: null };
}

/** The keys of a widget with an (empty) description label and its own style model. */
function described<P extends object>(
  model: string,
  view: string,
  layout: LayoutProperties | undefined,
  styleModel: string,
  style: P,
): DescriptionKeys<P> {
  return {
    ...dom(model, view, layout),
    description: "",
    description_allow_html: false,
    style: new Style<P>(styleModel, style),
  };
}

/** The keys a slider or a progress bar starts from: a description, a style, ipywidgets' default range, horizontal. */
function ranged<P extends object>(
  model: string,
  view: string,
  layout: LayoutProperties | undefined,
  styleModel: string,
  style: P,
) {
  return {
    ...described(model, view, layout, styleModel, style),
    value: 0,
    min: 0,
    max: 100,
    orientation: "horizontal" as const,
  };
}

/** Font and colour of a widget's text. */
interface TextStyle {
  readonly font_family: string | null;
  readonly font_size: string | null;
  readonly font_style: string | null;
  readonly font_variant: string | null;
  readonly font_weight: string | null;
  readonly text_color: string | null;
  readonly text_decoration: string | null;
}

/** The front end's default text: every property left to it. */
const DEFAULT_TEXT: TextStyle = {
  font_family: null,
  font_size: null,
  font_style: null,
  font_variant: null,
  font_weight: null,
  text_color: null,
  text_decoration: null,
};

interface SliderStyle {
  readonly description_width: string;
  readonly handle_color: string | null;
}

/** State of a FloatSlider. */
export interface FloatSliderState extends DescriptionKeys<SliderStyle> {
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly step: number | null;
  readonly orientation: "horizontal" | "vertical";
  readonly readout: boolean;
  readonly readout_format: string;
  readonly continuous_update: boolean;
  readonly disabled: boolean;
  readonly behavior: string;
}

/** A control's options: some of its state's keys, and its layout. */
type WidgetOptions<S, K extends keyof S> = Partial<Pick<S, K>> & { readonly layout?: LayoutProperties };

/** Options of a FloatSlider. */
export type FloatSliderOptions = WidgetOptions<
  FloatSliderState,
  "value" | "min" | "max" | "step" | "description" | "readout_format" | "continuous_update" | "disabled" | "orientation"
>;

/** A slider over real numbers; `value` follows the front end's slider. */
export class FloatSlider extends ValueWidget<FloatSliderState> {
  constructor(options: FloatSliderOptions = {}) {
    const { layout, ...rest } = options;
    super({
      ...ranged<SliderStyle>("FloatSliderModel", "FloatSliderView", layout, "SliderStyleModel", {
        description_width: "",
        handle_color: null,
      }),
      step: 0.1,
      readout: true,
      readout_format: ".2f",
      continuous_update: true,
      disabled: false,
      behavior: "drag-tap",
      ...rest,
    });
  }
}

interface ProgressStyle {
  readonly description_width: string;
  readonly bar_color: string | null;
}

/** State of a FloatProgress bar. */
export interface FloatProgressState extends DescriptionKeys<ProgressStyle> {
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly orientation: "horizontal" | "vertical";
  readonly bar_style: "" | "success" | "info" | "warning" | "danger";
}

/** Options of a FloatProgress bar. */
export type FloatProgressOptions = WidgetOptions<
  FloatProgressState,
  "value" | "min" | "max" | "description" | "bar_style"
>;

/** A progress bar. */
export class FloatProgress extends ValueWidget<FloatProgressState> {
  constructor(options: FloatProgressOptions = {}) {
    const { layout, ...rest } = options;
    super({
      ...ranged<ProgressStyle>("FloatProgressModel", "ProgressView", layout, "ProgressStyleModel", {
        description_width: "",
        bar_color: null,
      }),
      bar_style: "",
      ...rest,
    });
  }
}

interface LabelStyle extends TextStyle {
  readonly description_width: string;
  readonly background: string | null;
}

/** State of a Label. */
export interface LabelState extends DescriptionKeys<LabelStyle> {
  readonly value: string;
  readonly placeholder: string;
}

/** A line of text. */
export class Label extends ValueWidget<LabelState> {
  constructor(value = "", options: { readonly layout?: LayoutProperties } = {}) {
    super({
      ...described<LabelStyle>("LabelModel", "LabelView", options.layout, "LabelStyleModel", {
        description_width: "",
        background: null,
        ...DEFAULT_TEXT,
      }),
      value,
      placeholder: "\u200b",
    });
  }
}

interface ButtonStyle extends TextStyle {
  readonly button_color: string | null;
}

/** State of a Button. */
export interface ButtonState extends DomKeys {
  readonly description: string;
  readonly disabled: boolean;
  readonly icon: string;
  readonly button_style: "" | "primary" | "success" | "info" | "warning" | "danger";
  readonly style: Style<ButtonStyle>;
}

/** Options of a Button. */
export type ButtonOptions = WidgetOptions<
  ButtonState,
  "description" | "disabled" | "icon" | "button_style" | "tooltip"
>;

/** A button; the front end reports each click as a `custom` message {event: "click"}. */
export class Button extends Widget<ButtonState> {
  constructor(options: ButtonOptions = {}) {
    const { layout, ...rest } = options;
    super({
      ...dom("ButtonModel", "ButtonView", layout),
      description: "",
      disabled: false,
      icon: "",
      button_style: "",
      style: new Style<ButtonStyle>("ButtonStyleModel", { button_color: null, ...DEFAULT_TEXT }),
      ...rest,
    });
  }

  /** Calls `handler` on each click; returns the unsubscribe. */
  onClick(handler: (button: Button) => unknown): () => void {
    return this.onCustom((content) => {
      if ((content as { event?: unknown } | null)?.event === "click") return handler(this);
      return undefined;
    });
  }
}

/** State of an HBox or VBox. */
export interface BoxState extends DomKeys {
  readonly children: readonly Widget<ModelKeys>[];
  readonly box_style: "" | "success" | "info" | "warning" | "danger";
}

/** Widgets side by side. */
export class HBox extends Widget<BoxState> {
  constructor(children: readonly Widget<ModelKeys>[], options: { readonly layout?: LayoutProperties } = {}) {
    super({ ...dom("HBoxModel", "HBoxView", options.layout), children: [...children], box_style: "" });
  }
}

/** Widgets one above the other. */
export class VBox extends Widget<BoxState> {
  constructor(children: readonly Widget<ModelKeys>[], options: { readonly layout?: LayoutProperties } = {}) {
    super({ ...dom("VBoxModel", "VBoxView", options.layout), children: [...children], box_style: "" });
  }
}
