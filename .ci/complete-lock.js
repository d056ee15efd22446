#!/usr/bin/env node
// Completes package-lock.json for `npm ci` where the registry serves platform packages for Linux
// only (this workplace's mirror): npm then leaves the other platforms' optional dependencies (e.g.
// rollup's @rollup/rollup-darwin-arm64, pulled in by vitest) out of the lock, and `npm ci`
// rejects its own lock as "Missing: … from lock file". Each missing optional dependency is added
// as an optional entry of the version its dependent asks for; npm ci skips it where it cannot be
// installed, and installs it where the registry has it.
// Run after changing dependencies: `npm install && node .ci/complete-lock.js`.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const file = path.resolve(process.argv[2] ?? path.join(__dirname, "..", "package-lock.json"));
const lock = JSON.parse(fs.readFileSync(file, "utf8"));
const packages = lock.packages;

/** Whether `name` resolves from the folder `dependent` (node_modules/a/node_modules/b) upwards. */
function resolvable(dependent, name) {
  const parts = dependent.split("node_modules/").filter((part) => part !== "");
  for (let depth = parts.length; depth >= 0; depth -= 1) {
    const base = parts.slice(0, depth).map((part) => `node_modules/${part}`).join("");
    if (packages[`${base}node_modules/${name}`] !== undefined) return true;
  }
  return false;
}

let added = 0;
for (const [dependent, meta] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(meta.optionalDependencies ?? {})) {
    if (resolvable(dependent, name)) continue;
    packages[`node_modules/${name}`] = { version, ...(meta.dev ? { dev: true } : {}), optional: true };
    added += 1;
  }
}
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`${path.basename(file)}: added ${added} missing optional entries`);
