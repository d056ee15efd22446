/**
 * The backends the workbook knows, in the order selection tries them (fastest first), each with
 * its probe. The order is config.ts's BACKEND_NAMES (LEPTON_BACKEND is parsed there, below this
 * layer); this table adds the probe of each name, and the type makes a missing one a compile error.
 */
import { BACKEND_NAMES, type BackendName } from "../config";
import { probeCpu, probeTensorflow, probeWasm, probeWebgpu, type ProbeResult } from "./probes";

/** Probes one backend; `forced` says the user asked for it by name (a software GPU adapter is then accepted). */
export type BackendProbe = (forced: boolean) => Promise<ProbeResult>;

const PROBES: Readonly<Record<BackendName, BackendProbe>> = {
  tensorflow: probeTensorflow,
  webgpu: probeWebgpu,
  wasm: () => probeWasm(),
  cpu: probeCpu,
};

/** One entry of {@link BACKENDS}. */
export interface BackendEntry {
  readonly name: BackendName;
  readonly probe: BackendProbe;
}

/** Every backend with its probe, fastest first. */
export const BACKENDS: readonly BackendEntry[] = BACKEND_NAMES.map((name) => ({ name, probe: PROBES[name] }));

/** The probe of backend `name`. */
export function probeOf(name: BackendName): BackendProbe {
  return PROBES[name];
}
