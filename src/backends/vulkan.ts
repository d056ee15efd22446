/**
 * What Dawn needs from the system before it can reach a GPU on Linux: the Vulkan loader (libvulkan.so.1) and at least
 * one driver manifest (an ICD JSON such as nvidia_icd.json). Each missing piece is named with what to install, so a
 * container without the NVIDIA toolkit's graphics capability says so instead of "no adapter".
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join } from "node:path";

type Env = Readonly<Record<string, string | undefined>>;

const LIBRARY_DIRS = [
  "/usr/lib/x86_64-linux-gnu",
  "/usr/lib/aarch64-linux-gnu",
  "/usr/lib64",
  "/usr/lib",
  "/lib/x86_64-linux-gnu",
  "/lib/aarch64-linux-gnu",
  "/usr/local/lib",
];

const split = (list: string | undefined) => (list ?? "").split(":").filter((part) => part !== "");

/** Where the loader is looked for: LD_LIBRARY_PATH first, then the usual library folders. */
export function vulkanLoaderPath(env: Env = process.env): string | undefined {
  return [...split(env.LD_LIBRARY_PATH), ...LIBRARY_DIRS]
    .map((dir) => join(dir, "libvulkan.so.1"))
    .find((path) => existsSync(path));
}

/**
 * The driver manifests the Vulkan loader reads: VK_DRIVER_FILES / VK_ICD_FILENAMES when set, else its search folders.
 */
export function vulkanDriverManifests(env: Env = process.env): string[] {
  const chosen = split(env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES);
  if (chosen.length > 0) return chosen.filter((path) => existsSync(path));
  const configDirs = split(env.XDG_CONFIG_DIRS ?? "/etc/xdg");
  const dataHome = env.XDG_DATA_HOME ?? join(env.HOME ?? homedir(), ".local/share");
  const dataDirs = split(env.XDG_DATA_DIRS ?? "/usr/local/share:/usr/share");
  const folders = [...configDirs, "/etc", dataHome, ...dataDirs].map((dir) => join(dir, "vulkan", "icd.d"));
  const manifests = new Set<string>();
  for (const folder of folders) {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    for (const name of names.sort()) if (name.endsWith(".json")) manifests.add(join(folder, name));
  }
  return [...manifests];
}

/** Whether this machine shows an NVIDIA kernel driver (its device node or /proc entry). */
export function nvidiaDriverPresent(): boolean {
  return existsSync("/proc/driver/nvidia/version") || existsSync("/dev/nvidia0");
}

/** The driver library a manifest names, for messages ("libGLX_nvidia.so.0"). */
export function manifestLibrary(manifest: string): string {
  try {
    const parsed = JSON.parse(readFileSync(manifest, "utf8")) as { ICD?: { library_path?: string } };
    return parsed.ICD?.library_path ?? "an unnamed library";
  } catch {
    return "an unreadable manifest";
  }
}

export const INSTALL_LOADER = "install the Vulkan loader (Debian/Ubuntu: apt-get install libvulkan1)";
export const INSTALL_NVIDIA_ICD =
  "install the NVIDIA driver's Vulkan ICD (nvidia_icd.json); in a container add graphics to NVIDIA_DRIVER_CAPABILITIES";

/**
 * What stops Dawn before it can ask for an adapter, in one sentence naming the missing piece and
 * what to install; undefined when the loader and at least one driver manifest are there.
 */
export function missingVulkanPiece(
  env: Env = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  if (platform !== "linux") return undefined;
  if (vulkanLoaderPath(env) === undefined) return `no Vulkan loader (libvulkan.so.1): ${INSTALL_LOADER}`;
  if (vulkanDriverManifests(env).length === 0) {
    const gpu = nvidiaDriverPresent() ? "an NVIDIA driver is loaded but " : "";
    return `${gpu}no Vulkan driver: ${INSTALL_NVIDIA_ICD}`;
  }
  return undefined;
}

/** The manifests' file names, for messages. */
export function manifestNames(manifests: readonly string[]): string {
  return manifests.map((path) => basename(path)).join(", ");
}
