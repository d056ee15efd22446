/**
 * src/kernel: what a cell running in the Lepton kernel can use beyond the global prompt(): widgets
 * over the ipywidgets protocol, and an awaitable input() with password entry.
 */
export * from "./widgets";
export { input, StdinError, type InputOptions } from "./server/stdin";
