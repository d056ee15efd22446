/**
 * src/display: everything a notebook shows, as MIME bundles inside a kernel and as text elsewhere.
 */
export { show, clearOutput, bundleFor, ShowOptionsError, type ShowOptions } from "./show";
export { toMimeBundle, normalizeBundle, DisplayBundleError } from "./bundle";
export { isDisplayable, displayable, type Displayable } from "./displayable";
export { escapeHtml } from "./escape";
export { markdown, html } from "./text";
export { alignedColumns, table, type TableRecord } from "./table";
export { isDanfoFrame, type DanfoFrameLike } from "./dataframe";
export {
  figure,
  isPlotlyFigure,
  PlotlyFigure,
  PlotlyDataError,
  lineTrace,
  scatterTrace,
  barTrace,
  histogramTrace,
  heatmapTrace,
  surfaceTrace,
  PLOTLY_MIME,
  type PlotlyTrace,
  type PlotlyLayout,
  type PlotlyConfig,
  type TraceOptions,
  type NameOrOptions,
  type HeatmapOptions,
  type NumericArray,
} from "./plotly";
export {
  image,
  imageGrid,
  toPng,
  ImageShapeError,
  type ImageOptions,
  type ImageGridOptions,
  type ImageSource,
  type Rescale,
} from "./image";
export { progressBar, ProgressOptionsError, type ProgressBar, type ProgressOptions } from "./progress";
export { formatFigure, keyFigures, type KeyFigure } from "./key-figures";
export { JUPYTER_DISPLAY, type MimeBundle } from "./sink";
