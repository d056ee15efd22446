/**
 * The webgpu probe on a machine without a GPU: a software Vulkan adapter (SwiftShader, shipped
 * with Debian's chromium) is never chosen by default, is accepted when forced, and nothing Dawn
 * says reaches stderr. Skipped where that driver is absent.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { isSoftwareAdapter } from "../../../src/backends/probes";
import { missingVulkanPiece } from "../../../src/backends/vulkan";

const ROOT = resolve(__dirname, "..", "..", "..");
const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";
const hasVulkanLoader = missingVulkanPiece({}, "linux")?.startsWith("no Vulkan loader") !== true;
const canRun = existsSync(SWIFTSHADER_ICD) && hasVulkanLoader;

function chooseBackend(env: Record<string, string>): { stdout: string; stderr: string } {
  const script = `require("tsx/cjs"); require("./src/backends").initBackend().then(() => process.exit(0), (e) => { console.log(String(e)); process.exit(1); });`;
  const { LEPTON_BACKEND: _drop, VK_ICD_FILENAMES: _icd, ...base } = process.env;
  const child = spawnSync(process.execPath, ["-e", script], {
    cwd: ROOT,
    env: { ...base, ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { stdout: child.stdout, stderr: child.stderr };
}

describe("software adapters", () => {
  it("are recognised by Dawn's fallback flag or their names", () => {
    expect(
      isSoftwareAdapter({
        vendor: "google",
        architecture: "swiftshader",
        description: "SwiftShader driver 5.0.0",
        fallback: true,
      }),
    ).toBe(true);
    expect(
      isSoftwareAdapter({ vendor: "mesa", architecture: "", description: "llvmpipe (LLVM 15.0.6, 256 bits)" }),
    ).toBe(true);
    expect(
      isSoftwareAdapter({ vendor: "nvidia", architecture: "hopper", description: "NVIDIA H200", fallback: false }),
    ).toBe(false);
  });
});

describe("the Vulkan pieces Dawn needs", () => {
  it("names a missing driver manifest and what to install", () => {
    const empty = mkdtempSync(join(tmpdir(), "lepton-vk-"));
    const env = { XDG_CONFIG_DIRS: empty, XDG_DATA_DIRS: empty, XDG_DATA_HOME: empty, HOME: empty };
    const missing = missingVulkanPiece(env, "linux");
    if (!hasVulkanLoader) expect(missing).toMatch(/no Vulkan loader \(libvulkan\.so\.1\).*apt-get install libvulkan1/);
    else expect(missing).toMatch(/no Vulkan driver: .*nvidia_icd\.json.*graphics to NVIDIA_DRIVER_CAPABILITIES/);
    const manifest = join(empty, "icd.json");
    writeFileSync(manifest, "{}");
    if (hasVulkanLoader) expect(missingVulkanPiece({ ...env, VK_ICD_FILENAMES: manifest }, "linux")).toBeUndefined();
  });
});

describe.skipIf(!canRun)("the probe with SwiftShader's Vulkan driver visible", () => {
  it("chooses wasm by default, says why not webgpu in one line, and prints nothing on stderr", () => {
    const { stdout, stderr } = chooseBackend({ VK_ICD_FILENAMES: SWIFTSHADER_ICD });
    expect(stdout).toMatch(/^backend: wasm /);
    const why = stdout.split("\n").filter((line) => line.startsWith("webgpu not chosen:"));
    expect(why).toHaveLength(1);
    expect(why[0]).toMatch(/software one \(google swiftshader.*LEPTON_BACKEND=webgpu forces it/);
    expect(stderr).toBe("");
  });

  it("takes the software adapter when LEPTON_BACKEND=webgpu forces it, and says so", () => {
    const { stdout } = chooseBackend({ VK_ICD_FILENAMES: SWIFTSHADER_ICD, LEPTON_BACKEND: "webgpu" });
    expect(stdout).toMatch(/^backend: webgpu \(Dawn \(Vulkan\), software adapter\) · device: google swiftshader/);
  });

  it("prints nothing on stderr without any Vulkan driver either", () => {
    const empty = mkdtempSync(join(tmpdir(), "lepton-vk-"));
    const { stdout, stderr } = chooseBackend({ XDG_CONFIG_DIRS: empty, XDG_DATA_DIRS: empty });
    expect(stdout).toMatch(/^backend: wasm /);
    expect(stderr).toBe("");
  });
});

const LAVAPIPE_ICD = "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json";

describe.skipIf(!canRun || !existsSync(LAVAPIPE_ICD))(
  "a driver Dawn rejects (Mesa's lavapipe) beside SwiftShader",
  () => {
    const bothDrivers = `${LAVAPIPE_ICD}:${SWIFTSHADER_ICD}`;

    it("makes Dawn warn on stderr when it loads both drivers in one process", () => {
      const script = `import("webgpu").then(async ({ create }) => { await create([]).requestAdapter(); process.exit(0); });`;
      const child = spawnSync(process.execPath, ["-e", script], {
        cwd: ROOT,
        env: { ...process.env, VK_ICD_FILENAMES: bothDrivers },
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(child.stderr).toMatch(/Warning: Vulkan shaderUniform\*ArrayDynamicIndexing required/);
    });

    it("is never loaded by the process that takes the webgpu backend, so nothing reaches stderr", () => {
      const { stdout, stderr } = chooseBackend({ VK_ICD_FILENAMES: bothDrivers, LEPTON_BACKEND: "webgpu" });
      expect(stdout).toMatch(/^backend: webgpu \(Dawn \(Vulkan\), software adapter\) · device: google swiftshader/);
      expect(stderr).toBe("");
    });

    it("alone, leaves no adapter and no text on stderr", () => {
      const { stdout, stderr } = chooseBackend({ VK_ICD_FILENAMES: LAVAPIPE_ICD });
      expect(stdout).toMatch(/^backend: wasm /);
      expect(stdout).toMatch(/webgpu not chosen: Dawn found no adapter on the Vulkan drivers lvp_icd\.x86_64\.json/);
      expect(stderr).toBe("");
    });
  },
);
