/**
 * Which profile a workbook run uses when LEPTON_PROFILE does not say: the documents' full sizes on
 * a GPU backend, `standard` (about 8 minutes for the whole workbook on 2 cores with the native kernels, 20 without) on a CPU one,
 * and `test` under CI, as src/config.ts decides.
 */
import { backendLine, initBackend } from "../backends";
import { loadConfig, type Profile } from "../config";

/** The profile chosen and why, for the run's first line. */
export interface RunProfile {
  readonly profile: Profile;
  readonly why: string;
}

/** True when a backend line names a hardware GPU (a software adapter such as SwiftShader is not one). */
export function namesHardwareGpu(backendName: string, line: string): boolean {
  if (/software|swiftshader|llvmpipe|lavapipe/i.test(line)) return false;
  return backendName === "webgpu" || (backendName === "tensorflow" && /\bGPU\b/i.test(line));
}

/** Picks the run's profile; probes the backend only when neither LEPTON_PROFILE nor CI decides. */
export async function chooseRunProfile(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<RunProfile> {
  const config = loadConfig(env);
  if ((env.LEPTON_PROFILE?.trim() ?? "") !== "") return { profile: config.profile, why: "LEPTON_PROFILE" };
  if (config.profile === "test") return { profile: "test", why: "CI" };
  const info = await initBackend({ quiet: true });
  const line = backendLine(info);
  return namesHardwareGpu(info.name, line)
    ? { profile: "full", why: `the documents' sizes on ${line}` }
    : {
        profile: "standard",
        why: `about 8 minutes on 2 CPU cores (20 without the native kernels); LEPTON_PROFILE=full runs the documents' sizes (hours on a CPU) — ${line}`,
      };
}

/**
 * The per-cell limit when `--timeout` is not given. It is there to catch a hung cell, not a slow
 * one: a standard-profile training cell takes minutes on 2 idle cores and several times that on
 * a busy machine, and the full profile trains for hours on a CPU.
 */
export const DEFAULT_CELL_TIMEOUT_SECONDS: Readonly<Record<Profile, number>> = {
  smoke: 600,
  test: 600,
  standard: 3600,
  full: 24 * 3600,
};
