/**
 * tfjs's own `model.fit` / `fitDataset` stop on a kernel interrupt: once a cell has loaded
 * tfjs-layers, both are wrapped so that aborting the interrupt scope current at the call sets the
 * model's `stopTraining`, which tfjs checks after every batch (the Keras `model.stop_training`).
 */
import { currentInterruptSignal } from "../../cancellation";

const PATCHED = Symbol.for("lepton.tfjs.fit.stops-on-interrupt");

interface Stoppable {
  stopTraining: boolean;
}

type FitMethod = (this: Stoppable, ...args: unknown[]) => Promise<unknown>;

function stopsOnInterrupt(original: FitMethod): FitMethod {
  return function (this: Stoppable, ...args: unknown[]) {
    const signal = currentInterruptSignal();
    if (signal === undefined) return original.apply(this, args);
    const stop = () => {
      this.stopTraining = true;
    };
    signal.addEventListener("abort", stop, { once: true });
    return original.apply(this, args).finally(() => signal.removeEventListener("abort", stop));
  };
}

/** Wraps LayersModel's fit and fitDataset once, if `requireFromCells` has loaded tfjs-layers. */
export function stopTfjsFitOnInterrupt(requireFromCells: NodeJS.Require): void {
  let path: string;
  try {
    path = requireFromCells.resolve("@tensorflow/tfjs-layers");
  } catch {
    return;
  }
  const loaded = requireFromCells.cache[path];
  if (loaded === undefined) return;
  const prototype = (loaded.exports as { LayersModel?: { prototype: Record<string | symbol, unknown> } }).LayersModel
    ?.prototype;
  if (prototype === undefined || prototype[PATCHED] === true) return;
  for (const name of ["fit", "fitDataset"]) {
    const original = prototype[name];
    if (typeof original === "function") prototype[name] = stopsOnInterrupt(original as FitMethod);
  }
  prototype[PATCHED] = true;
}
