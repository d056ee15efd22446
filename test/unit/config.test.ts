import { describe, expect, it } from "vitest";
import { bySize, ConfigError, loadConfig } from "../../src/config";

describe("loadConfig", () => {
  it("defaults to the test profile under CI and in tests, standard otherwise", () => {
    expect(loadConfig({ CI: "true" }).profile).toBe("test");
    expect(loadConfig({ VITEST: "true" }).profile).toBe("test");
    expect(loadConfig({}).profile).toBe("standard");
    expect(loadConfig({ CI: "false" }).profile).toBe("standard");
  });

  it("lets LEPTON_PROFILE win over CI", () => {
    expect(loadConfig({ CI: "true", LEPTON_PROFILE: "full" }).profile).toBe("full");
    expect(loadConfig({ LEPTON_PROFILE: "test" }).profile).toBe("test");
    expect(loadConfig({ CI: "true", LEPTON_PROFILE: "standard" }).profile).toBe("standard");
  });

  it("reads the seed and the forced backend", () => {
    const config = loadConfig({ LEPTON_SEED: "7", LEPTON_BACKEND: "wasm" });
    expect(config.seed).toBe(7);
    expect(config.backend).toBe("wasm");
    expect(loadConfig({}).seed).toBe(42);
    expect(loadConfig({}).backend).toBeUndefined();
  });

  it("names the variable and the value it cannot use", () => {
    expect(() => loadConfig({ LEPTON_PROFILE: "huge" })).toThrow(ConfigError);
    expect(() => loadConfig({ LEPTON_PROFILE: "huge" })).toThrow(
      /LEPTON_PROFILE must be one of smoke, test, standard, full, got "huge"/,
    );
    expect(() => loadConfig({ LEPTON_SEED: "-1" })).toThrow(/LEPTON_SEED/);
    expect(() => loadConfig({ LEPTON_SEED: "1.5" })).toThrow(/LEPTON_SEED/);
    expect(() => loadConfig({ LEPTON_BACKEND: "cuda" })).toThrow(
      /LEPTON_BACKEND must be one of tensorflow, webgpu, wasm, cpu/,
    );
  });

  it("returns a frozen object", () => {
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });
});

describe("bySize", () => {
  it("picks the size of the active profile", () => {
    const sizes = { test: 2, full: 50 };
    expect(bySize({ ...sizes, smoke: 1 }, loadConfig({ LEPTON_PROFILE: "smoke" }))).toBe(1);
    expect(bySize(sizes, loadConfig({ LEPTON_PROFILE: "test" }))).toBe(2);
    expect(bySize(sizes, loadConfig({ LEPTON_PROFILE: "full" }))).toBe(50);
    expect(bySize({ ...sizes, standard: 8 }, loadConfig({ LEPTON_PROFILE: "standard" }))).toBe(8);
  });

  it("runs a notebook's test size in the standard profile when it names no standard size", () => {
    expect(bySize({ test: 2, full: 50 }, loadConfig({ LEPTON_PROFILE: "standard" }))).toBe(2);
  });

  it("runs a notebook's test size in the smoke profile when it names no smoke size", () => {
    expect(bySize({ test: 2, full: 50 }, loadConfig({ LEPTON_PROFILE: "smoke" }))).toBe(2);
  });
});
