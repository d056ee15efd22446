/**
 * Backend selection: probes once per process, in
 * the registry's order (./registry: tensorflow, webgpu, wasm, cpu — fastest first), and keeps the
 * first that really computes and can train the documents' models.
 * LEPTON_BACKEND (src/config.ts) forces one; a forced backend that does not work is an error.
 */
import * as tf from "@tensorflow/tfjs";
import { loadConfig, type BackendName } from "../config";
import type { ProbeResult } from "./probes";
import { BACKENDS, probeOf } from "./registry";
import { LeptonError } from "../errors";

export { TRAINING_KERNELS, missingTrainingKernels, type ProbeResult } from "./probes";
export { BACKENDS, probeOf, type BackendEntry, type BackendProbe } from "./registry";
export { adam, AdamDtypeError, FusedAdamOptimizer } from "./adam";
export { nativeKernels, nativeKernelsAbsence, useNativeKernels, NATIVE_KERNELS_PATH } from "./native-kernels";

/** The backend chosen for this process. */
export interface BackendInfo {
  readonly name: BackendName;
  readonly device: string;
  readonly detail: string;
  readonly trains: boolean;
  readonly tfjsVersion: string;
  /** Every probe run, in order, with why each was or was not taken. */
  readonly probes: readonly ProbeResult[];
}

/** Raised when a forced backend cannot run; names the backend and the reason. */
export class BackendUnavailableError extends LeptonError {}

/** How to select the backend. */
export interface InitBackendOptions {
  /** Force a backend (default: LEPTON_BACKEND, else probe). */
  readonly force?: BackendName;
  /** Do not print the backend line. */
  readonly quiet?: boolean;
}

let selection: Promise<BackendInfo> | undefined;
let selected: BackendInfo | undefined;

async function select(force: BackendName | undefined): Promise<BackendInfo> {
  // Production mode: no debug checks, and no "install our node backend" banner on stderr, which
  // cannot help where libtensorflow cannot be installed (the probes say why instead).
  tf.enableProdMode();
  const probes: ProbeResult[] = [];
  let chosen: ProbeResult | undefined;
  if (force !== undefined) {
    const result = await probeOf(force)(true);
    probes.push(result);
    if (!result.available)
      throw new BackendUnavailableError(`LEPTON_BACKEND=${force} is not available: ${result.reason}`);
    chosen = result;
  } else {
    for (const { probe } of BACKENDS) {
      const result = await probe(false);
      probes.push(result);
      if (result.available && result.trains === true) {
        chosen = result;
        break;
      }
    }
  }
  if (chosen === undefined)
    throw new BackendUnavailableError(`no backend works: ${probes.map((p) => `${p.name}: ${p.reason}`).join("; ")}`);
  await tf.setBackend(chosen.name);
  await tf.ready();
  return {
    name: chosen.name,
    device: chosen.device ?? "unknown",
    detail: chosen.detail ?? "",
    trains: chosen.trains === true,
    tfjsVersion: tf.version.tfjs,
    probes,
  };
}

/** The one line every notebook prints first: backend, detail, device, tfjs version. */
export function backendLine(info: BackendInfo): string {
  return `backend: ${info.name}${info.detail ? ` (${info.detail})` : ""} · device: ${info.device} · tfjs ${info.tfjsVersion}`;
}

/**
 * Chooses the backend once per process and prints it (Seed 000 §2.4: use the best compute
 * resource present). Later calls return the same choice.
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  selection ??= select(options.force ?? loadConfig().backend).then((info) => {
    selected = info;
    if (options.quiet !== true) {
      console.log(backendLine(info));
      const webgpu = info.probes.find((probe) => probe.name === "webgpu");
      if (webgpu !== undefined && !webgpu.available) console.log(`webgpu not chosen: ${webgpu.reason}`);
    }
    return info;
  });
  return selection;
}

/** The backend chosen by {@link initBackend}, or undefined before it has finished. */
export function describeBackend(): BackendInfo | undefined {
  return selected;
}
