/**
 * The workbook's one configuration object: which profile runs, the random seed, and the backend
 * the user forces, all read from the environment.
 */
import { LeptonError } from "./errors";

/**
 * Profiles, smallest first:
 * - `smoke`: the least work that still runs every cell once, for backends about a hundred times
 *   slower than wasm — a software GPU such as SwiftShader, on which CI checks the GPU code path;
 *   notebooks that name no `smoke` size run their `test` size;
 * - `test`: tiny sizes that check every cell in a few minutes on 2 CPU cores (CI and tests);
 * - `standard`: results worth reading in about 8 minutes for the whole workbook on 2 CPU cores (20 without the
 *   wasm backend's native kernels; the default outside CI);
 * - `full`: the documents' sizes — hours on a CPU, the choice on a GPU.
 */
export const PROFILES = ["smoke", "test", "standard", "full"] as const;
/** A profile name accepted by LEPTON_PROFILE. */
export type Profile = (typeof PROFILES)[number];

/**
 * Backends the workbook knows, in the order selection tries them: fastest first (src/backends/registry gives each its
 * probe).
 */
export const BACKEND_NAMES = ["tensorflow", "webgpu", "wasm", "cpu"] as const;
/** A backend name accepted by LEPTON_BACKEND. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Seed 000 §5 / seed 001 §5 run settings: profile, seed and forced backend. */
export interface WorkbookConfig {
  readonly profile: Profile;
  readonly seed: number;
  /** The backend forced by LEPTON_BACKEND, or `undefined` to let the probe choose. */
  readonly backend: BackendName | undefined;
}

/** Raised when an environment variable holds a value the workbook cannot use. */
export class ConfigError extends LeptonError {}

type Env = Readonly<Record<string, string | undefined>>;

function parseProfile(env: Env): Profile {
  const raw = env.LEPTON_PROFILE?.trim();
  if (raw === undefined || raw === "") {
    return isTruthy(env.CI) || env.VITEST !== undefined ? "test" : "standard";
  }
  if ((PROFILES as readonly string[]).includes(raw)) return raw as Profile;
  throw new ConfigError(`LEPTON_PROFILE must be one of ${PROFILES.join(", ")}, got ${JSON.stringify(raw)}`);
}

function parseSeed(env: Env): number {
  const raw = env.LEPTON_SEED?.trim();
  if (raw === undefined || raw === "") return 42;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new ConfigError(`LEPTON_SEED must be a non-negative integer, got ${JSON.stringify(raw)}`);
  }
  return seed;
}

function parseBackend(env: Env): BackendName | undefined {
  const raw = env.LEPTON_BACKEND?.trim();
  if (raw === undefined || raw === "") return undefined;
  if ((BACKEND_NAMES as readonly string[]).includes(raw)) return raw as BackendName;
  throw new ConfigError(`LEPTON_BACKEND must be one of ${BACKEND_NAMES.join(", ")}, got ${JSON.stringify(raw)}`);
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== "" && value !== "0" && value.toLowerCase() !== "false";
}

/** Reads the configuration from an environment (defaults to `process.env`); throws ConfigError on bad values. */
export function loadConfig(env: Env = process.env): WorkbookConfig {
  return Object.freeze({ profile: parseProfile(env), seed: parseSeed(env), backend: parseBackend(env) });
}

/** A size for each profile; a notebook that names no `smoke` or `standard` size runs its `test` size there. */
export interface ProfileSizes<T> {
  readonly smoke?: T;
  readonly test: T;
  readonly standard?: T;
  readonly full: T;
}

/**
 * Picks a size by profile: `bySize({ test: 2, standard: 4, full: 50 })` — the notebooks' way of
 * writing test-sized defaults with the documents' full size right next to them.
 */
export function bySize<T>(sizes: ProfileSizes<T>, config: WorkbookConfig = loadConfig()): T {
  if (config.profile === "smoke") return sizes.smoke ?? sizes.test;
  if (config.profile === "standard") return sizes.standard ?? sizes.test;
  return sizes[config.profile];
}
