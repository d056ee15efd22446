import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("a kernel whose launcher dies", () => {
  it("ends itself within seconds instead of running on as an orphan", async () => {
    const kernelClient = join(__dirname, "../../../src/runner/kernel-client.ts");
    const script = `require("tsx/cjs/api").register(); require(${JSON.stringify(kernelClient)}).startKernel({ kernelName: "lepton" }).then((k) => console.log(k.pid));`;
    const launcher = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const kernelPid = await new Promise<number>((resolve, reject) => {
      launcher.stdout.on("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      launcher.once("exit", (code) => reject(new Error(`the launcher exited (${code}) before the kernel was ready`)));
    });
    expect(alive(kernelPid)).toBe(true);
    launcher.kill("SIGKILL");
    const deadline = Date.now() + 15_000;
    while (alive(kernelPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const orphaned = alive(kernelPid);
    if (orphaned) process.kill(kernelPid, "SIGKILL");
    expect(orphaned).toBe(false);
  }, 90_000);
});
