#!/usr/bin/env node
// Fails (exit 1) when text from native GPU code reached an executed notebook's outputs
// (patterns in src/runner/driver-text.ts). Usage: node .ci/no-driver-text.js NOTEBOOK.ipynb…
"use strict";
require("tsx/cjs/api").register();
const { readNotebook } = require("../src/runner/notebook.ts");
const { findDriverText } = require("../src/runner/driver-text.ts");

(async () => {
  const paths = process.argv.slice(2);
  if (paths.length === 0) throw new Error("usage: node .ci/no-driver-text.js NOTEBOOK.ipynb…");
  let found = 0;
  for (const path of paths) {
    for (const finding of findDriverText(await readNotebook(path))) {
      found += 1;
      console.error(`${path}: cell ${finding.cell}${finding.cellId ? ` (id ${finding.cellId})` : ""}: ${finding.line}`);
    }
  }
  console.log(found === 0 ? `no driver text in ${paths.length} notebook(s)` : `${found} line(s) of driver text in the outputs`);
  process.exitCode = found === 0 ? 0 : 1;
})().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 2;
});
