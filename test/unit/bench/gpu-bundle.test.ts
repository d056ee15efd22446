/**
 * The GPU run goes to machines with node and nothing else, as bench/gpu.ts bundled into one ES module (esbuild,
 * `webgpu` kept external, a `require` made from import.meta.url). Such a bundle has no __dirname, and every module
 * the run imports must load without the checkout's native packages.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as esbuild from "esbuild";
import { afterAll, expect, it } from "vitest";

const ROOT = resolve(__dirname, "..", "..", "..");
const out = mkdtempSync(join(tmpdir(), "lepton-gpu-bundle-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

it("bundles bench/gpu.ts into one ES module that starts and reads its arguments", async () => {
  const bundle = join(out, "app.mjs");
  await esbuild.build({
    entryPoints: [join(ROOT, "bench", "gpu.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["webgpu"],
    outfile: bundle,
    logLevel: "silent",
    banner: { js: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);" },
  });
  // An unknown backend is refused by the argument parser, which runs after every import has loaded.
  const run = spawnSync(process.execPath, [bundle, "--backend", "abacus"], {
    cwd: out,
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(run.stderr).not.toMatch(/ReferenceError|Cannot find module|is not defined/);
  expect(run.stderr + run.stdout).toMatch(/--backend: unknown "abacus"/);
  expect(run.status).not.toBe(0);
}, 120_000);
