import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findKernelSpec, jupyterDataDirs, kernelArgv, KernelSpecError } from "../../../src/jupyter";
import { kernelSearchDirs, PROJECT_JUPYTER_DIR } from "../../../src/runner/kernel-dirs";

function specDir(root: string, name: string, json: string): string {
  const dir = join(root, "kernels", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kernel.json"), json);
  return dir;
}

describe("kernelspec lookup", () => {
  it("searches JUPYTER_PATH first, then the project's own kernels", () => {
    const dirs = kernelSearchDirs({ JUPYTER_PATH: "/a:/b", HOME: "/h" });
    expect(dirs.slice(0, 3)).toEqual(["/a", "/b", PROJECT_JUPYTER_DIR]);
  });

  it("orders the data directories as jupyter_client does, bundled ones before the user's", () => {
    const dirs = jupyterDataDirs({ JUPYTER_PATH: "/a", JUPYTER_DATA_DIR: "/u" }, ["/b"]);
    expect(dirs).toEqual(["/a", "/b", "/u", "/usr/local/share/jupyter", "/usr/share/jupyter"]);
    expect(jupyterDataDirs({ XDG_DATA_HOME: "/x" })[0]).toBe("/x/jupyter");
  });

  it("finds the first kernel.json of the name and fills in the argv placeholders", () => {
    const first = mkdtempSync(join(tmpdir(), "ks-"));
    const second = mkdtempSync(join(tmpdir(), "ks-"));
    const dir = specDir(
      first,
      "k",
      JSON.stringify({
        argv: ["node", "{resource_dir}/main.js", "{connection_file}"],
        display_name: "K",
        language: "typescript",
      }),
    );
    specDir(second, "k", JSON.stringify({ argv: ["other"] }));
    const kernel = findKernelSpec("k", [first, second]);
    expect(kernel.resourceDir).toBe(dir);
    expect(kernelArgv(kernel, "/tmp/c.json")).toEqual(["node", `${dir}/main.js`, "/tmp/c.json"]);
    expect(kernel.spec.interrupt_mode).toBe("signal");
  });

  it("names the directories searched when the kernel is missing", () => {
    const root = mkdtempSync(join(tmpdir(), "ks-"));
    expect(() => findKernelSpec("nope", [root])).toThrow(KernelSpecError);
    expect(() => findKernelSpec("nope", [root])).toThrow(new RegExp(`no kernelspec named "nope" in ${root}/kernels`));
  });

  it("names the file when kernel.json is unusable", () => {
    const root = mkdtempSync(join(tmpdir(), "ks-"));
    specDir(root, "bad", JSON.stringify({ argv: [] }));
    specDir(root, "broken", "{not json");
    expect(() => findKernelSpec("bad", [root])).toThrow(/bad\/kernel.json: "argv" must be a non-empty array/);
    expect(() => findKernelSpec("broken", [root])).toThrow(/broken\/kernel.json: not readable JSON/);
  });
});
