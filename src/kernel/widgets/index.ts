/**
 * Jupyter widgets for cells (ipywidgets 8's models, protocol 2.1.0):
 * `new FloatSlider({ min: 0, max: 1 })`, `button.onClick(…)`, `widget.observe("value", …)`,
 * `widget.display()` or the widget as a cell's last value.
 */
export {
  Widget,
  WidgetError,
  WIDGET_TARGET,
  CONTROL_TARGET,
  WIDGET_PROTOCOL_VERSION,
  WIDGET_VIEW_MIME,
  type Change,
  type ModelKeys,
} from "./widget";
export { Layout, Style, FloatSlider, FloatProgress, Label, Button, HBox, VBox } from "./controls";
export type {
  LayoutProperties,
  FloatSliderOptions,
  FloatSliderState,
  FloatProgressOptions,
  FloatProgressState,
  LabelState,
  ButtonOptions,
  ButtonState,
  BoxState,
} from "./controls";
export { Output, type OutputState } from "./output";
export {
  TrainingProgress,
  STOPPED_FROM_BUTTON,
  type TrainingProgressOptions,
  type TrainingProgressHooks,
} from "./training-progress";
