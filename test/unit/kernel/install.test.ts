import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kernelCommand } from "../../../src/kernel/cli";
import { dataDir, installKernelSpec } from "../../../src/kernel/install";

describe("kernel install", () => {
  it("writes the kernelspec under a prefix with this node and this checkout's entry", () => {
    const prefix = mkdtempSync(join(tmpdir(), "lepton-prefix-"));
    const dir = installKernelSpec({ kind: "prefix", prefix });
    expect(dir).toBe(join(prefix, "share", "jupyter", "kernels", "lepton"));
    const spec = JSON.parse(readFileSync(join(dir, "kernel.json"), "utf8"));
    expect(spec.display_name).toBe("Lepton (TypeScript)");
    expect(spec.language).toBe("typescript");
    expect(spec.argv[0]).toBe(process.execPath);
    expect(existsSync(spec.argv[1])).toBe(true);
    expect(spec.argv[2]).toBe("{connection_file}");
  });

  it("puts --user specs in the Jupyter data directory", () => {
    expect(dataDir({ kind: "user" }, { JUPYTER_DATA_DIR: "/x/jupyter" })).toBe("/x/jupyter");
    expect(dataDir({ kind: "user" }, { XDG_DATA_HOME: "/d" })).toBe("/d/jupyter");
  });

  it("refuses contradictory targets and unknown subcommands", async () => {
    expect(await kernelCommand(["install", "--user", "--prefix", "/tmp/x"])).toBe(1);
    expect(await kernelCommand(["uninstall"])).toBe(2);
  });
});
