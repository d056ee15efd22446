/**
 * src/display (DESIGN.md "src/display: show(), plots (plotly.js figures), images, tables, progress
 * bars"): everything a notebook shows, as MIME bundles inside a kernel and as text elsewhere.
 */
export { show, bundleFor, clearOutput } from "./show";
export { toMimeBundle, DisplayBundleError } from "./bundle";
export { markdown, html, isDisplayable, type Displayable } from "./displayable";
export { table, type TableRecord } from "./table";
export { figure, lineTrace, scatterTrace, heatmapTrace, surfaceTrace, PLOTLY_MIME, type PlotlyFigure, type PlotlyTrace, type PlotlyLayout } from "./plotly";
export { image, imageGrid, toPng, ImageShapeError, type ImageOptions, type ImageGridOptions } from "./image";
export { progressBar, type ProgressBar, type ProgressOptions } from "./progress";
export { keyFigures, type KeyFigure } from "./key-figures";
export { JUPYTER_DISPLAY, type MimeBundle } from "./sink";
